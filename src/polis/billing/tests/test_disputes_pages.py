"""Dispute pages: the insured's form, list and detail; the back office's queue with its clock,
the review and its answers; files for the submitter and the staff only."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from polis.billing.disputes.services import dispute_submit
from polis.billing.models import CopayInvoice, Dispute, DisputeKind, DisputeStatus, InvoiceStatus, RegistryLine
from polis.coverage.models import Policy
from polis.testing import factories as f

pytestmark = [pytest.mark.django_db]

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"


@pytest.fixture
def invoice(alice_policy: Policy) -> CopayInvoice:
    return f.invoice_with_lines(policy=alice_policy, copays=[300_00, 200_00])


def first_line(invoice: CopayInvoice) -> RegistryLine:
    return RegistryLine.objects.filter(registry=invoice.registry).order_by("line_no").first()


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def dispute_of(user, line, **extra) -> Dispute:
    fields = {"kind": DisputeKind.NOT_PROVIDED, "comment": "Меня там не было", **extra}
    return dispute_submit(user=user, line_id=line.pk, **fields)


# ── The insured ──────────────────────────────────────────────────────────────────────────────


def test_the_form_shows_the_service_and_preselects_the_kind(alice, invoice):
    page = logged_in(alice).get(f"/my/disputes/new/{first_line(invoice).pk}/?kind=quantity").content.decode()

    assert "Приём терапевта первичный" in page
    assert invoice.registry.clinic.name in page
    assert "10.09.2026" in page
    radios = dict(re.findall(r'<input type="radio" name="kind" value="(\w+)"([^>]*)>', page))
    assert "checked" in radios["quantity"]
    assert "checked" not in radios["not_provided"]


def test_submitting_the_form_opens_a_dispute_with_its_file(alice, invoice):
    line = first_line(invoice)

    response = logged_in(alice).post(
        f"/my/disputes/new/{line.pk}/",
        {
            "kind": "not_provided",
            "comment": "В этот день я был в командировке",
            "attachments": [SimpleUploadedFile("билет.pdf", PDF)],
        },
    )

    dispute = Dispute.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/my/disputes/{dispute.pk}/"
    assert (dispute.line, dispute.comment, dispute.files.get().name) == (
        line,
        "В этот день я был в командировке",
        "билет.pdf",
    )


def test_a_form_with_a_mistake_keeps_what_was_typed(alice, alice_policy):
    line = f.RegistryLineFactory(policy=alice_policy, quantity=2)

    response = logged_in(alice).post(
        f"/my/disputes/new/{line.pk}/",
        {"kind": "quantity", "comment": "Был только один сеанс", "attachments": [SimpleUploadedFile("a.png", PDF)]},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Был только один сеанс" in page
    assert "сколько услуг было на самом деле" in page.lower()
    assert 'data-testid="files-lost"' in page
    assert not Dispute.objects.exists()


def test_an_open_dispute_is_shown_instead_of_a_second_form(alice, invoice):
    line = first_line(invoice)
    dispute_of(alice, line)

    page = logged_in(alice).get(f"/my/disputes/new/{line.pk}/").content.decode()

    assert "По этой услуге уже есть несогласие на рассмотрении" in page
    assert "<textarea" not in page


def test_someone_elses_service_is_not_found_and_other_roles_are_forbidden(alice, bob, hr_user, invoice):
    url = f"/my/disputes/new/{first_line(invoice).pk}/"

    assert logged_in(bob).get(url).status_code == 404
    assert logged_in(bob).post(url, {"kind": "quality", "comment": "чужое"}).status_code == 404
    assert logged_in(hr_user).get(url).status_code == 403
    assert not Dispute.objects.exists()


def test_the_list_shows_the_status_and_the_15_day_clock(alice, invoice):
    dispute_of(alice, first_line(invoice))

    page = logged_in(alice).get("/my/disputes/").content.decode()

    assert "На рассмотрении" in page
    assert "до 05.12.2026" in page
    assert "осталось 15 дн." in page


def test_the_list_and_the_detail_are_the_viewers_own(alice, bob, invoice):
    dispute = dispute_of(alice, first_line(invoice))

    assert "Приём терапевта" not in logged_in(bob).get("/my/disputes/").content.decode()
    assert logged_in(bob).get(f"/my/disputes/{dispute.pk}/").status_code == 404


def test_the_detail_shows_the_answer(alice, backoffice_user, invoice):
    from polis.billing.disputes.services import dispute_reject

    dispute = dispute_of(alice, first_line(invoice))
    dispute_reject(dispute=dispute, staff=backoffice_user, answer="Визит подтверждён подписью в карте.")

    page = logged_in(alice).get(f"/my/disputes/{dispute.pk}/").content.decode()

    assert "Отклонено" in page
    assert "Визит подтверждён подписью в карте." in page
    assert "рассмотрено 20.11.2026" in page


def test_files_download_for_the_submitter_and_the_back_office_only(alice, bob, backoffice_user, invoice):
    dispute = dispute_of(alice, first_line(invoice), files=[SimpleUploadedFile("выписка.jpg", PDF)])
    stored = dispute.files.get()

    mine = logged_in(alice).get(f"/my/disputes/files/{stored.pk}/")
    staff = logged_in(backoffice_user).get(f"/backoffice/disputes/files/{stored.pk}/")

    assert mine.status_code == 200 and b"".join(mine.streaming_content) == PDF
    assert mine["Content-Type"] == "application/pdf"
    assert "attachment" in mine["Content-Disposition"]
    assert staff.status_code == 200
    assert logged_in(bob).get(f"/my/disputes/files/{stored.pk}/").status_code == 404


# ── The back office ──────────────────────────────────────────────────────────────────────────


def test_the_queue_puts_the_nearest_deadline_first_with_its_clock(alice, backoffice_user, alice_policy, invoice):
    late = dispute_of(alice, first_line(invoice))
    Dispute.objects.filter(pk=late.pk).update(answer_due_on=dt.date(2026, 11, 17))
    soon = dispute_of(alice, f.RegistryLineFactory(policy=alice_policy))
    Dispute.objects.filter(pk=soon.pk).update(answer_due_on=dt.date(2026, 11, 20))
    later = dispute_of(alice, f.RegistryLineFactory(policy=alice_policy))

    page = logged_in(backoffice_user).get("/backoffice/disputes/").content.decode()

    positions = [page.index(f'data-dispute="{d.pk}"') for d in (late, soon, later)]
    assert positions == sorted(positions)
    assert "просрочено на 3 дн." in page
    assert "ответить сегодня" in page
    assert "осталось 15 дн." in page


def test_the_queue_filters_by_clinic_kind_and_status(alice, backoffice_user, alice_policy):
    one = f.RegistryLineFactory(policy=alice_policy)
    other = f.RegistryLineFactory(policy=alice_policy)
    a = dispute_of(alice, one)
    b = dispute_of(alice, other, kind=DisputeKind.QUALITY)
    client = logged_in(backoffice_user)

    by_clinic = client.get("/backoffice/disputes/", {"clinic": one.registry.clinic_id}).content.decode()
    by_kind = client.get("/backoffice/disputes/", {"kind": "quality"}).content.decode()
    answered = client.get("/backoffice/disputes/", {"status": "rejected"}).content.decode()

    assert f'data-dispute="{a.pk}"' in by_clinic and f'data-dispute="{b.pk}"' not in by_clinic
    assert f'data-dispute="{b.pk}"' in by_kind and f'data-dispute="{a.pk}"' not in by_kind
    assert "data-dispute=" not in answered


def test_the_queue_lists_not_provided_reports_per_clinic(alice, backoffice_user, invoice):
    dispute_of(alice, first_line(invoice))

    page = logged_in(backoffice_user).get("/backoffice/disputes/").content.decode()

    assert 'data-testid="signals"' in page
    assert invoice.registry.clinic.name in page


def test_the_back_office_pages_are_the_back_offices(alice, hr_user, invoice):
    dispute = dispute_of(alice, first_line(invoice))

    assert logged_in(alice).get("/backoffice/disputes/").status_code == 403
    assert logged_in(hr_user).get(f"/backoffice/disputes/{dispute.pk}/").status_code == 403
    assert (
        logged_in(alice).post(f"/backoffice/disputes/{dispute.pk}/reject/", {"reject-answer": "нет"}).status_code == 403
    )
    assert Dispute.objects.get().status == DisputeStatus.OPEN


def test_the_review_shows_the_line_the_files_the_invoice_and_the_forms(alice, backoffice_user, invoice):
    dispute = dispute_of(alice, first_line(invoice), files=[SimpleUploadedFile("скан.pdf", PDF)])

    page = logged_in(backoffice_user).get(f"/backoffice/disputes/{dispute.pk}/").content.decode()

    assert "Приём терапевта первичный" in page
    assert "скан.pdf" in page
    assert f"Счёт № {invoice.number}" in page
    assert 'data-testid="disputed-line"' in page
    assert 'data-testid="reject-form"' in page and 'data-testid="uphold-form"' in page
    assert 'name="uphold-corrected_copay" value="0"' in page


def test_a_reject_without_an_answer_is_refused_and_nothing_changes(alice, backoffice_user, invoice):
    dispute = dispute_of(alice, first_line(invoice))

    response = logged_in(backoffice_user).post(f"/backoffice/disputes/{dispute.pk}/reject/", {"reject-answer": ""})

    assert response.status_code == 200
    assert "Обязательное поле" in response.content.decode()
    assert Dispute.objects.get().status == DisputeStatus.OPEN


def test_upholding_from_the_review_corrects_the_invoice(alice, backoffice_user, invoice):
    dispute = dispute_of(alice, first_line(invoice))
    client = logged_in(backoffice_user)

    response = client.post(
        f"/backoffice/disputes/{dispute.pk}/uphold/",
        {"uphold-corrected_copay": "0", "uphold-answer": "Клиника сняла услугу."},
    )
    again = client.post(
        f"/backoffice/disputes/{dispute.pk}/uphold/",
        {"uphold-corrected_copay": "0", "uphold-answer": "Клиника сняла услугу."},
    )

    assert response.status_code == 302
    invoice.refresh_from_db()
    assert (invoice.due_kopecks, invoice.status) == (200_00, InvoiceStatus.NEW)
    assert again.status_code == 302
    assert "уже рассмотрено" in client.get(again["Location"]).content.decode()
    assert invoice.adjustments.count() == 1


def test_an_uphold_above_the_copay_keeps_the_form_with_the_error(alice, backoffice_user, invoice):
    dispute = dispute_of(alice, first_line(invoice), kind=DisputeKind.QUALITY)

    response = logged_in(backoffice_user).post(
        f"/backoffice/disputes/{dispute.pk}/uphold/", {"uphold-corrected_copay": "500", "uphold-answer": "Пересчитано"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "не может быть больше прежней" in page
    assert "Пересчитано" in page
    assert Dispute.objects.get().status == DisputeStatus.OPEN
