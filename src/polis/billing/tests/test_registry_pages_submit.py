"""PIPELINE: the only registry-page tests that call the real
polis.billing.registries.services.registry_submit (through the upload form). The background job
is not run here (its on_commit never fires inside a test transaction); the pipeline's own tests
cover what it does with the lines."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from polis.billing.models import Registry
from polis.testing import factories as f

pytestmark = pytest.mark.django_db

CSV = (
    "№;ФИО;Дата рождения;Полис;Дата услуги;Код услуги;Услуга;Количество;Цена;Сумма\n"
    "1;Смирнова Ирина Петровна;12.04.1988;001-0000001;10.09.2026;1001;Приём терапевта;1;2500,00;2500,00\n"
).encode()


def csv_file() -> SimpleUploadedFile:
    return SimpleUploadedFile("reestr-09.csv", CSV, content_type="text/csv")


def test_pipeline_upload_opens_the_registry_and_the_same_file_again_changes_nothing(client, clinic_user):
    f.RegistryFactory(clinic=f.ClinicFactory(), period="2026-09-01")  # another clinic's, same month
    client.force_login(clinic_user)

    first = client.post(reverse("clinic_registries:upload"), {"period": "2026-09", "file": csv_file()}, follow=True)

    registry = Registry.objects.get(clinic=clinic_user.clinic)
    assert first.redirect_chain == [(reverse("clinic_registries:detail", args=[registry.pk]), 302)]
    assert registry.period.isoformat() == "2026-09-01" and registry.file_name == "reestr-09.csv"
    assert registry.job is not None and registry.uploaded_by == clinic_user
    page = first.content.decode()
    assert "принят и проверяется" in page and "Реестр № б/н за 09.2026" in page

    again = client.post(reverse("clinic_registries:upload"), {"period": "2026-09", "file": csv_file()}, follow=True)

    assert again.redirect_chain == [(reverse("clinic_registries:detail", args=[registry.pk]), 302)]
    assert "Этот файл уже загружен 20.11.2026 12:00" in again.content.decode()
    assert Registry.objects.filter(clinic=clinic_user.clinic).count() == 1


def test_pipeline_refusal_is_shown_on_the_form_with_the_period_kept(client, clinic_user):
    client.force_login(clinic_user)

    response = client.post(reverse("clinic_registries:upload"), {"period": "2026-12", "file": csv_file()})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Реестр за будущий месяц принять нельзя." in page
    assert 'value="2026-12"' in page
    assert not Registry.objects.exists()


def test_pipeline_back_office_uploads_for_a_clinic_given_by_its_code(client, backoffice_user):
    clinic = f.ClinicFactory(name="Клиника Север", code="NORTH")
    client.force_login(backoffice_user)

    response = client.post(
        reverse("backoffice_registries:upload"), {"clinic_code": "north", "period": "09.2026", "file": csv_file()}
    )

    registry = Registry.objects.get()
    assert registry.clinic == clinic and registry.uploaded_by == backoffice_user
    assert response["Location"] == reverse("backoffice_registries:detail", args=[registry.pk])
