"""The clinic's upload form: what it refuses before the file reaches the pipeline, each time
keeping the month that was picked."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from polis.billing.models import Registry

pytestmark = pytest.mark.django_db

CSV = "№;ФИО;Дата рождения;Полис;Дата услуги;Код услуги;Услуга;Количество;Цена;Сумма\n".encode()


def upload(client, **data: object):
    return client.post(reverse("clinic_registries:upload"), data)


def test_the_list_offers_a_month_picker_no_later_than_this_month(client, clinic_user):
    client.force_login(clinic_user)

    page = client.get(reverse("clinic_registries:list")).content.decode()

    assert 'type="month"' in page and 'max="2026-11"' in page
    assert "до 200 МБ" in page


def test_without_a_file_the_form_asks_for_one_and_keeps_the_period(client, clinic_user):
    client.force_login(clinic_user)

    response = upload(client, period="2026-09")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Выберите файл реестра." in page
    assert 'value="2026-09"' in page
    assert 'data-testid="choose-file-again"' in page
    assert not Registry.objects.exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("registry.pdf", "Поддерживаются файлы CSV и XLSX, а «registry.pdf» — другого типа."),
        ("registry.xls", "Старый формат Excel (.xls) не поддерживается"),
    ],
)
def test_a_file_of_the_wrong_type_is_refused_with_a_clear_message(client, clinic_user, name, message):
    client.force_login(clinic_user)

    page = upload(client, period="2026-09", file=SimpleUploadedFile(name, b"%PDF-1.4 ...")).content.decode()

    assert message in page
    assert 'value="2026-09"' in page
    assert not Registry.objects.exists()


def test_an_empty_file_is_refused(client, clinic_user):
    client.force_login(clinic_user)

    page = upload(client, period="2026-09", file=SimpleUploadedFile("registry.csv", b"")).content.decode()

    assert "Отправленный файл пуст." in page or "Файл пуст." in page
    assert 'value="2026-09"' in page


def test_a_file_over_the_size_limit_is_refused(client, clinic_user, settings):
    settings.POLIS_REGISTRY_MAX_UPLOAD_MB = 1
    client.force_login(clinic_user)
    big = SimpleUploadedFile("registry.csv", CSV + b"x" * (1024 * 1024))

    page = upload(client, period="2026-09", file=big).content.decode()

    assert "Файл больше 1 МБ (1,0 МБ)" in page
    assert 'value="2026-09"' in page
    assert not Registry.objects.exists()


@pytest.mark.parametrize("typed", ["13.2026", "сентябрь", "2026-9-1"])
def test_a_month_that_cannot_be_read_is_explained_and_kept_as_typed(client, clinic_user, typed):
    client.force_login(clinic_user)

    page = upload(client, period=typed, file=SimpleUploadedFile("registry.csv", CSV)).content.decode()

    assert "Укажите месяц в виде ММ.ГГГГ, например 09.2026." in page
    assert f'value="{typed}"' in page
    assert not Registry.objects.exists()


def test_a_get_of_the_upload_address_goes_back_to_the_list(client, clinic_user):
    client.force_login(clinic_user)

    response = client.get(reverse("clinic_registries:upload"))

    assert response.status_code == 302 and response["Location"] == reverse("clinic_registries:list")


def test_an_insured_person_cannot_upload(client, alice):
    client.force_login(alice)

    assert upload(client, period="2026-09", file=SimpleUploadedFile("registry.csv", CSV)).status_code == 403
    assert not Registry.objects.exists()
