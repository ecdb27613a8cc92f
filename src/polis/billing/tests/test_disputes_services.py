"""Disputes as services: who may dispute what, the files taken, the answer's effect on the
invoice, the money returned or credited, and a double click that changes nothing twice."""

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from polis.billing.disputes.selectors import held_copay_kopecks
from polis.billing.disputes.services import (
    DisputeError,
    dispute_reject,
    dispute_submit,
    dispute_uphold,
    sniff_content_type,
)
from polis.billing.models import (
    CopayInvoice,
    Dispute,
    DisputeKind,
    DisputeStatus,
    InvoiceAdjustment,
    InvoiceStatus,
    RegistryLine,
    RegistryStatus,
)
from polis.coverage.models import Policy
from polis.notify.models import Notification, OutboundMessage
from polis.payments.models import (
    LedgerAccount,
    LedgerEntry,
    Payment,
    PaymentItem,
    PaymentPurpose,
    PaymentStatus,
    Refund,
)
from polis.payments.selectors import deposit_held
from polis.payments.services import PaymentError
from polis.testing import factories as f

pytestmark = [pytest.mark.django_db]

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 32
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32


def paid_by_card(invoice: CopayInvoice, amount: int) -> Payment:
    """A co-pay payment that succeeded for `invoice`, booked as payments books it, and the
    invoice's paid sum moved as billing's success effect moves it."""
    policy = invoice.policy
    user = policy.holder.user if policy.holder else policy.insured.user
    payment = Payment.objects.create(
        user=user,
        purpose=PaymentPurpose.COPAY,
        amount_kopecks=amount,
        description="Франшиза",
        status=PaymentStatus.SUCCEEDED,
        gateway="sandbox",
        subject_key=f"copay:{invoice.pk}@{invoice.paid_kopecks}",
        succeeded_at=dt.datetime(2026, 11, 19, 9, 0, tzinfo=dt.UTC),
        receipt_contact=user.email,
    )
    PaymentItem.objects.create(payment=payment, policy=policy, amount_kopecks=amount, description="—", invoice=invoice)
    LedgerEntry.objects.create(
        account=LedgerAccount.COPAY, policy=policy, amount_kopecks=amount, payment=payment, memo="Франшиза"
    )
    invoice.paid_kopecks += amount
    if invoice.paid_kopecks >= invoice.due_kopecks - held_copay_kopecks(invoice=invoice):
        invoice.status = InvoiceStatus.PAID
        invoice.paid_at = payment.succeeded_at
    invoice.save()
    return payment


@pytest.fixture
def invoice(alice_policy: Policy) -> CopayInvoice:
    """Alice's invoice: two services with co-pays of 300 ₽ and 200 ₽, due 02.12.2026."""
    return f.invoice_with_lines(policy=alice_policy, copays=[300_00, 200_00])


def lines(invoice: CopayInvoice) -> list[RegistryLine]:
    return list(RegistryLine.objects.filter(registry=invoice.registry).order_by("line_no"))


def submit(user, line, kind=DisputeKind.NOT_PROVIDED, comment="Я не был в клинике в этот день", **extra):
    return dispute_submit(user=user, line_id=line.pk, kind=kind, comment=comment, **extra)


# ── Submitting ───────────────────────────────────────────────────────────────────────────────


def test_a_dispute_is_answered_within_15_calendar_days_and_the_insured_is_told_so(alice, invoice):
    line = lines(invoice)[0]

    dispute = submit(alice, line)

    assert dispute.status == DisputeStatus.OPEN
    assert dispute.answer_due_on == dt.date(2026, 12, 5)
    assert (dispute.invoice, dispute.policy, dispute.submitted_by) == (invoice, invoice.policy, alice)
    note = Notification.objects.get(user=alice)
    assert note.title == "Несогласие принято, ответим до 05.12.2026"
    assert note.link == f"/my/disputes/{dispute.pk}/"


def test_a_relatives_service_can_be_disputed_by_the_holder(alice):
    son = Policy.objects.get(number="001-0000002")
    inv = f.invoice_with_lines(policy=son, copays=[100_00])

    dispute = submit(alice, lines(inv)[0])

    assert dispute.policy == son


def test_nobody_disputes_someone_elses_service(alice, bob, invoice):
    with pytest.raises(RegistryLine.DoesNotExist):
        submit(bob, lines(invoice)[0])
    assert not Dispute.objects.exists()


def test_a_rejected_line_or_a_replaced_registrys_line_cannot_be_disputed(alice, alice_policy, invoice):
    rejected = f.RegistryLineFactory(
        registry=invoice.registry, policy=alice_policy, line_no=99, status="rejected", reason="duplicate_line"
    )
    with pytest.raises(RegistryLine.DoesNotExist):
        submit(alice, rejected)

    invoice.registry.status = RegistryStatus.REPLACED
    invoice.registry.save()
    with pytest.raises(RegistryLine.DoesNotExist):
        submit(alice, lines(invoice)[0])


def test_a_line_without_an_invoice_can_be_disputed_too(alice, alice_policy):
    line = f.RegistryLineFactory(policy=alice_policy, copay_kopecks=0)

    assert submit(alice, line).invoice is None


def test_one_open_dispute_per_line_and_a_new_one_after_the_answer(alice, backoffice_user, invoice):
    line = lines(invoice)[0]
    first = submit(alice, line)

    with pytest.raises(DisputeError) as refusal:
        submit(alice, line, kind=DisputeKind.QUALITY)
    assert refusal.value.message == "По этой услуге уже есть несогласие на рассмотрении"

    dispute_reject(dispute=first, staff=backoffice_user, answer="Визит подтверждён клиникой.")
    assert submit(alice, line, kind=DisputeKind.QUALITY).status == DisputeStatus.OPEN


def test_the_comment_is_required(alice, invoice):
    with pytest.raises(DisputeError) as refusal:
        submit(alice, lines(invoice)[0], comment="   ")
    assert refusal.value.field == "comment"


@pytest.mark.parametrize(
    ("claimed", "words"),
    [(None, "сколько услуг было"), (0, "Услуга не оказывалась"), (2, "меньше указанного клиникой (2)")],
)
def test_a_different_quantity_must_be_fewer_than_billed(alice, alice_policy, claimed, words):
    line = f.RegistryLineFactory(policy=alice_policy, quantity=2)

    with pytest.raises(DisputeError) as refusal:
        submit(alice, line, kind=DisputeKind.QUANTITY, quantity_claimed=claimed)

    assert refusal.value.field == "quantity_claimed"
    assert words in refusal.value.message


def test_a_quantity_claim_is_kept_and_other_kinds_drop_it(alice, alice_policy):
    line = f.RegistryLineFactory(policy=alice_policy, quantity=3)
    other = f.RegistryLineFactory(policy=alice_policy, quantity=3)

    assert submit(alice, line, kind=DisputeKind.QUANTITY, quantity_claimed=1).quantity_claimed == 1
    assert submit(alice, other, kind=DisputeKind.QUALITY, quantity_claimed=1).quantity_claimed is None


# ── Files ────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (PDF, "application/pdf"),
        (b"\r\n\r\n" + PDF, "application/pdf"),
        (JPEG, "image/jpeg"),
        (PNG, "image/png"),
        (b"GIF89a" + b"\x00" * 10, "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "image/heic"),
        (b"MZ\x90\x00\x03\x00\x00\x00", None),
        (b"<html><script>alert(1)</script>", None),
        (b"", None),
    ],
)
def test_file_types_are_read_from_their_bytes(head, expected):
    assert sniff_content_type(head) == expected


def test_files_are_taken_by_what_they_are_not_by_their_names(alice, invoice):
    scan = SimpleUploadedFile("скан.jpg", PDF, content_type="image/jpeg")

    dispute = submit(alice, lines(invoice)[0], files=[scan])

    stored = dispute.files.get()
    assert (stored.name, stored.content_type, stored.size) == ("скан.jpg", "application/pdf", len(PDF))
    assert stored.file.name.endswith(".pdf")
    assert stored.file.read() == PDF


def test_a_file_that_is_neither_an_image_nor_a_pdf_is_refused_whatever_its_name(alice, invoice):
    fake = SimpleUploadedFile("справка.pdf", b"MZ\x90\x00 this is a program", content_type="application/pdf")

    with pytest.raises(DisputeError) as refusal:
        submit(alice, lines(invoice)[0], files=[fake])

    assert refusal.value.field == "files"
    assert "справка.pdf" in refusal.value.message
    assert not Dispute.objects.exists()


def test_at_most_ten_files_of_25_mb(alice, invoice):
    eleven = [SimpleUploadedFile(f"{i}.png", PNG) for i in range(11)]
    with pytest.raises(DisputeError, match="не больше 10 файлов"):
        submit(alice, lines(invoice)[0], files=eleven)

    big = SimpleUploadedFile("большой.jpg", JPEG)
    big.size = 25 * 1024 * 1024 + 1
    with pytest.raises(DisputeError, match="больше 25 МБ"):
        submit(alice, lines(invoice)[0], files=[big])

    ten = [SimpleUploadedFile(f"{i}.png", PNG) for i in range(10)]
    assert submit(alice, lines(invoice)[0], files=ten).files.count() == 10


# ── Rejecting ────────────────────────────────────────────────────────────────────────────────


def test_a_rejection_makes_the_held_copay_payable_with_a_new_due_date(alice, backoffice_user, invoice):
    program = invoice.policy.program
    program.payment_deadline_days, program.payment_deadline_kind = 30, "calendar"
    program.save()
    dispute = submit(alice, lines(invoice)[0])
    paid_by_card(invoice, 200_00)  # the rest, while the 300 ₽ line is disputed
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID

    dispute_reject(dispute=dispute, staff=backoffice_user, answer="Клиника подтвердила визит: есть подпись.")

    dispute.refresh_from_db()
    invoice.refresh_from_db()
    assert (dispute.status, dispute.resolved_by, dispute.answer) == (
        DisputeStatus.REJECTED,
        backoffice_user,
        "Клиника подтвердила визит: есть подпись.",
    )
    assert (invoice.status, invoice.paid_at, invoice.outstanding_kopecks) == (InvoiceStatus.NEW, None, 300_00)
    # 30 calendar days from 20.11.2026 is Sunday 20.12 → the next working day.
    assert invoice.due_on == dt.date(2026, 12, 21)


def test_a_rejected_dispute_on_a_paid_invoice_leaves_it_paid(alice, backoffice_user, invoice):
    paid_by_card(invoice, 500_00)
    dispute = submit(alice, lines(invoice)[0])

    dispute_reject(dispute=dispute, staff=backoffice_user, answer="Услуга оказана.")

    invoice.refresh_from_db()
    assert (invoice.status, invoice.due_on) == (InvoiceStatus.PAID, dt.date(2026, 12, 2))


def test_the_insured_gets_the_answer_by_sms_email_and_notification(alice, backoffice_user, invoice):
    dispute = submit(alice, lines(invoice)[0])

    dispute_reject(dispute=dispute, staff=backoffice_user, answer="Визит подтверждён журналом клиники.")

    sms = OutboundMessage.objects.get(channel="sms")
    email = OutboundMessage.objects.get(channel="email")
    assert sms.recipient == "+79161234567" and "Визит подтверждён журналом клиники." in sms.body
    assert email.recipient == "alice@example.ru" and "Визит подтверждён журналом клиники." in email.body
    assert "к оплате 500,00" in email.body.replace("\xa0", " ")
    note = Notification.objects.filter(user=alice).latest("pk")
    assert note.title == "Несогласие с услугой отклонено"


def test_only_the_back_office_answers(alice, invoice):
    dispute = submit(alice, lines(invoice)[0])

    with pytest.raises(PermissionDenied):
        dispute_reject(dispute=dispute, staff=alice, answer="Сама себе отказала")


# ── Upholding ────────────────────────────────────────────────────────────────────────────────


def test_upholding_a_service_not_provided_takes_its_copay_off_the_invoice(alice, backoffice_user, invoice):
    dispute = submit(alice, lines(invoice)[0])

    dispute_uphold(dispute=dispute, staff=backoffice_user, answer="Клиника сняла услугу.", corrected_copay_kopecks=0)

    invoice.refresh_from_db()
    assert (invoice.adjustment_kopecks, invoice.total_kopecks, invoice.due_kopecks) == (-300_00, 200_00, 200_00)
    assert invoice.status == InvoiceStatus.NEW
    adjustment = InvoiceAdjustment.objects.get()
    assert (adjustment.amount_kopecks, adjustment.refunded_kopecks, adjustment.credited_kopecks) == (-300_00, 0, 0)
    assert Dispute.objects.get().corrected_copay_kopecks == 0


def test_the_due_amount_counts_deposit_and_credit_and_never_goes_below_zero(alice, backoffice_user, alice_policy):
    inv = f.invoice_with_lines(policy=alice_policy, copays=[300_00, 100_00], deposit_kopecks=150_00, due_kopecks=250_00)
    dispute = submit(alice, lines(inv)[0])

    dispute_uphold(dispute=dispute, staff=backoffice_user, answer="Снято.", corrected_copay_kopecks=0)

    inv.refresh_from_db()
    assert inv.due_kopecks == 0  # max(0, 400 − 300 − 150)
    assert inv.status == InvoiceStatus.PAID


def test_an_overpaid_copay_goes_back_to_the_card_it_came_from(alice, backoffice_user, invoice):
    payment = paid_by_card(invoice, 500_00)
    dispute = submit(alice, lines(invoice)[0])

    dispute_uphold(dispute=dispute, staff=backoffice_user, answer="Услуги не было.", corrected_copay_kopecks=0)

    invoice.refresh_from_db()
    refund = Refund.objects.get()
    assert (refund.payment, refund.amount_kopecks, refund.status) == (payment, 300_00, "succeeded")
    assert f"счёта № {invoice.number}," in refund.reason
    adjustment = InvoiceAdjustment.objects.get()
    assert (adjustment.refund, adjustment.refunded_kopecks, adjustment.credited_kopecks) == (refund, 300_00, 0)
    assert (invoice.due_kopecks, invoice.paid_kopecks, invoice.status) == (200_00, 200_00, InvoiceStatus.PAID)
    copay_held = sum(
        LedgerEntry.objects.filter(policy=invoice.policy, account=LedgerAccount.COPAY).values_list(
            "amount_kopecks", flat=True
        )
    )
    assert copay_held == 200_00
    sms = OutboundMessage.objects.get(channel="sms")
    assert "300,00" in sms.body.replace("\xa0", " ") and "вернём на карту" in sms.body


def test_when_the_card_cannot_be_refunded_the_money_goes_to_the_deposit(alice, backoffice_user, invoice):
    paid_by_card(invoice, 500_00)
    dispute = submit(alice, lines(invoice)[0])

    with mock.patch("polis.payments.services.refund_start", side_effect=PaymentError("Платёжный сервис отказал")):
        dispute_uphold(dispute=dispute, staff=backoffice_user, answer="Услуги не было.", corrected_copay_kopecks=0)

    adjustment = InvoiceAdjustment.objects.get()
    assert (adjustment.refund, adjustment.refunded_kopecks, adjustment.credited_kopecks) == (None, 0, 300_00)
    assert not Refund.objects.exists()
    assert deposit_held(policy=invoice.policy) == 300_00
    moves = LedgerEntry.objects.filter(payment__isnull=True).values_list("account", "amount_kopecks")
    assert sorted(moves) == [(LedgerAccount.COPAY, -300_00), (LedgerAccount.DEPOSIT, 300_00)]
    assert "зачтено в ваш авансовый платёж" in OutboundMessage.objects.get(channel="email").body


def test_a_different_quantity_corrects_the_copay_to_what_is_given(alice, alice_policy, backoffice_user):
    inv = f.invoice_with_lines(policy=alice_policy, copays=[300_00])
    RegistryLine.objects.filter(registry=inv.registry).update(quantity=3, price_kopecks=333_33, sum_kopecks=999_99)
    dispute = submit(alice, lines(inv)[0], kind=DisputeKind.QUANTITY, quantity_claimed=1)

    dispute_uphold(
        dispute=dispute, staff=backoffice_user, answer="Было одно посещение.", corrected_copay_kopecks=100_00
    )

    inv.refresh_from_db()
    assert (inv.adjustment_kopecks, inv.due_kopecks) == (-200_00, 100_00)


def test_a_correction_never_raises_the_copay_and_not_provided_means_zero(alice, backoffice_user, invoice):
    not_given = submit(alice, lines(invoice)[0])
    quality = submit(alice, lines(invoice)[1], kind=DisputeKind.QUALITY)

    with pytest.raises(DisputeError, match="не может быть больше прежней"):
        dispute_uphold(dispute=quality, staff=backoffice_user, answer="—", corrected_copay_kopecks=200_01)
    with pytest.raises(DisputeError, match="0 ₽"):
        dispute_uphold(dispute=not_given, staff=backoffice_user, answer="—", corrected_copay_kopecks=100_00)

    assert set(Dispute.objects.values_list("status", flat=True)) == {DisputeStatus.OPEN}
    assert not InvoiceAdjustment.objects.exists()


def test_a_second_correction_of_a_line_starts_from_the_first(alice, backoffice_user, invoice):
    line = lines(invoice)[0]
    first = submit(alice, line, kind=DisputeKind.QUALITY)
    dispute_uphold(dispute=first, staff=backoffice_user, answer="Скидка.", corrected_copay_kopecks=200_00)
    second = submit(alice, line)

    dispute_uphold(dispute=second, staff=backoffice_user, answer="Услуги не было.", corrected_copay_kopecks=0)

    invoice.refresh_from_db()
    assert list(InvoiceAdjustment.objects.values_list("amount_kopecks", flat=True)) == [-100_00, -200_00]
    assert invoice.due_kopecks == 200_00


def test_a_double_click_answers_once(alice, backoffice_user, invoice):
    paid_by_card(invoice, 500_00)
    dispute = submit(alice, lines(invoice)[0])
    dispute_uphold(dispute=dispute, staff=backoffice_user, answer="Услуги не было.", corrected_copay_kopecks=0)

    with pytest.raises(DisputeError, match=r"уже рассмотрено: удовлетворено, счёт исправлен, 20\.11\.2026"):
        dispute_uphold(dispute=dispute, staff=backoffice_user, answer="Услуги не было.", corrected_copay_kopecks=0)
    with pytest.raises(DisputeError, match="уже рассмотрено"):
        dispute_reject(dispute=dispute, staff=backoffice_user, answer="Передумали")

    invoice.refresh_from_db()
    assert (invoice.adjustment_kopecks, invoice.paid_kopecks) == (-300_00, 200_00)
    assert InvoiceAdjustment.objects.count() == 1
    assert Refund.objects.count() == 1
    assert OutboundMessage.objects.filter(channel="sms").count() == 1
    assert Dispute.objects.get().status == DisputeStatus.UPHELD


def test_a_double_click_on_reject_answers_once(alice, backoffice_user, invoice):
    dispute = submit(alice, lines(invoice)[0])
    dispute_reject(dispute=dispute, staff=backoffice_user, answer="Оказана.")

    with pytest.raises(DisputeError, match="уже рассмотрено: отклонено"):
        dispute_reject(dispute=dispute, staff=backoffice_user, answer="Оказана.")

    assert OutboundMessage.objects.filter(channel="sms").count() == 1


def test_while_two_lines_are_disputed_answering_one_keeps_the_other_held(alice, backoffice_user, invoice):
    first, second = lines(invoice)
    a = submit(alice, first)
    submit(alice, second, kind=DisputeKind.QUALITY)
    assert held_copay_kopecks(invoice=invoice) == 500_00

    dispute_reject(dispute=a, staff=backoffice_user, answer="Оказана.")

    invoice.refresh_from_db()
    assert held_copay_kopecks(invoice=invoice) == 200_00
    assert invoice.status == InvoiceStatus.NEW
    paid_by_card(invoice, 300_00)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID


def test_upholding_a_dispute_without_an_invoice_corrects_nothing_but_answers(alice, alice_policy, backoffice_user):
    line = f.RegistryLineFactory(policy=alice_policy, copay_kopecks=0)
    dispute = submit(alice, line)

    dispute_uphold(dispute=dispute, staff=backoffice_user, answer="Клиника сняла услугу.", corrected_copay_kopecks=0)

    assert Dispute.objects.get().status == DisputeStatus.UPHELD
    assert not InvoiceAdjustment.objects.exists()
    assert OutboundMessage.objects.filter(channel="sms").exists()
