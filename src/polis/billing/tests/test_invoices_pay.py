"""Paying co-pay invoices: several at once in the sandbox, what a succeeded payment does (once),
the held-back part of a disputed line, the refusals; and automatic charges of a bound card."""

import datetime as dt
from unittest import mock

import pytest
from django.urls import reverse

from polis.billing.invoices import services
from polis.billing.invoices.services import InvoiceNotFound, copay_succeeded, invoices_autocharge, invoices_pay_start
from polis.billing.models import CopayInvoice, Dispute, FranchiseActivation, InvoiceStatus
from polis.billing.tests.conftest import SOGAZ, at_msk, set_program
from polis.coverage.models import FranchiseActivation as Method
from polis.payments import services as payments
from polis.payments.gateways.base import GatewayRejected
from polis.payments.gateways.sandbox import sandbox_decide
from polis.payments.models import LedgerAccount, LedgerEntry, Payment, PaymentPurpose, PaymentStatus, SavedCard
from polis.payments.selectors import ledger_totals
from polis.payments.services import PaymentError
from polis.testing import factories as f

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def copay_effect(settings):
    """The effect as billing/apps.py registers it, whether or not the hook is in yet."""
    settings.PAYMENTS_GATEWAY = "sandbox"
    with mock.patch.dict(payments.ON_SUCCEEDED, {PaymentPurpose.COPAY.value: copay_succeeded}):
        yield


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def dispute_on(line, user, invoice) -> Dispute:
    return Dispute.objects.create(
        line=line, policy=line.policy, invoice=invoice, submitted_by=user, kind="quality", comment="Плохо",
        answer_due_on=dt.date(2026, 12, 5),
    )  # fmt: skip


def fresh(invoice: CopayInvoice) -> CopayInvoice:
    return CopayInvoice.objects.get(pk=invoice.pk)


def start(user, invoices, **kwargs) -> Payment:
    return invoices_pay_start(
        user=user, invoice_ids=[i.pk for i in invoices], return_url="/my/invoices/returned/", **kwargs
    )


def pay_in_sandbox(payment: Payment, outcome: str = "succeeded") -> Payment:
    """The payer's choice on the sandbox page, then the app asks how it ended (as the return page does)."""
    sandbox_decide(payment=payment, outcome=outcome)
    return payments.payment_refresh(payment_id=payment.pk)


# ── The whole way through the pages ─────────────────────────────────────────────────────────


def test_two_invoices_paid_together_in_the_sandbox_turn_paid_and_cannot_be_ticked_again(
    alice, alice_client, alice_policy, son_policy
):
    mine = f.invoice_with_lines(policy=alice_policy, copays=[300_00, 45_50], number="2026/09/1")
    sons = f.invoice_with_lines(policy=son_policy, copays=[120_00], number="2026/09/2")

    response = alice_client.post(reverse("invoices:pay"), {"invoices": [sons.pk, mine.pk]})

    assert response.status_code == 302
    payment = Payment.objects.get()
    assert response["Location"] == payment.confirmation_url == reverse("payments:sandbox", args=[payment.pk])
    assert (payment.purpose, payment.amount_kopecks, payment.receipt_contact) == ("copay", 465_50, "alice@example.ru")
    assert payment.subject_key == f"copay:{mine.pk}@0,{sons.pk}@0"
    assert sorted((i.invoice_id, i.policy_id, i.amount_kopecks) for i in payment.items.all()) == sorted(
        [(mine.pk, alice_policy.pk, 345_50), (sons.pk, son_policy.pk, 120_00)]
    )
    assert "2026/09/1, 2026/09/2" in payment.description

    back = alice_client.post(payment.confirmation_url, {"outcome": "succeeded"})
    result = alice_client.get(back["Location"]).content.decode()
    assert "Оплата прошла" in result and 'href="/my/invoices/returned/"' in result
    listing = alice_client.get("/my/invoices/returned/", follow=True).content.decode()

    assert "Оплата получена" in listing
    for invoice, due in ((mine, 345_50), (sons, 120_00)):
        paid = fresh(invoice)
        assert (paid.status, paid.paid_kopecks, paid.paid_at) == ("paid", due, at_msk(2026, 11, 20, 12))
        row = listing[listing.index(f'data-invoice="{invoice.pk}"') :]
        row = row[: row.index("</tr>")]
        assert "Оплачен" in row and "disabled" in row
    assert sorted(
        LedgerEntry.objects.filter(account=LedgerAccount.COPAY).values_list("policy_id", "amount_kopecks")
    ) == sorted([(alice_policy.pk, 345_50), (son_policy.pk, 120_00)])
    totals = ledger_totals()
    assert totals["succeeded_payments"] == totals["deposit"] + totals["copay"] + totals["refunded"]
    note = alice.notifications.get()
    assert note.title == "Счета № 2026/09/1, 2026/09/2 оплачены"
    assert note.link == "/my/invoices/"

    again = alice_client.post(reverse("invoices:pay"), {"invoices": [mine.pk]})
    assert again.status_code == 200
    assert "Счёт № 2026/09/1 уже оплачен." in again.content.decode()
    assert Payment.objects.count() == 1


def test_a_declined_payment_leaves_the_invoice_to_pay(alice, alice_client, alice_policy):
    invoice = f.invoice_with_lines(policy=alice_policy, copays=[100_00])
    alice_client.post(reverse("invoices:pay"), {"invoices": [invoice.pk]})
    payment = Payment.objects.get()

    alice_client.post(payment.confirmation_url, {"outcome": "canceled"})
    listing = alice_client.get("/my/invoices/returned/", follow=True).content.decode()

    assert "Платёж не прошёл" in listing
    assert (fresh(invoice).status, fresh(invoice).paid_kopecks) == ("new", 0)
    assert not alice.notifications.exists()
    assert start(alice, [invoice]).pk != payment.pk, "a new attempt is a new payment"


# ── The effect, exactly once ────────────────────────────────────────────────────────────────


def test_applying_the_same_payment_again_changes_nothing(alice, alice_policy):
    invoice = f.invoice_with_lines(policy=alice_policy, copays=[200_00])
    payment = pay_in_sandbox(start(alice, [invoice]))
    assert payment.status == PaymentStatus.SUCCEEDED

    payments.payment_apply(payment_id=payment.pk, gateway_status="succeeded", method=None)
    payments.payment_refresh(payment_id=payment.pk)
    copay_succeeded(Payment.objects.get(pk=payment.pk))

    invoice = fresh(invoice)
    assert (invoice.status, invoice.paid_kopecks) == ("paid", 200_00)
    assert alice.notifications.count() == 1
    assert LedgerEntry.objects.filter(account=LedgerAccount.COPAY).count() == 1


def test_a_paid_invoice_is_refused_however_it_is_asked_for(alice, alice_policy):
    invoice = f.invoice_with_lines(policy=alice_policy, copays=[200_00])
    pay_in_sandbox(start(alice, [invoice]))

    with pytest.raises(PaymentError, match="уже оплачен"):
        start(alice, [invoice])
    # A tab opened before paying sends the old state: payments refuses the subject that succeeded.
    item = payments.ItemSpec(policy=alice_policy, amount_kopecks=200_00, description="x", invoice_id=invoice.pk)
    with pytest.raises(PaymentError, match="уже оплачен"):
        payments.payment_start(
            user=alice, purpose="copay", items=[item], description="x", subject_key=f"copay:{invoice.pk}@0",
            return_url="/", receipt_contact="alice@example.ru",
        )  # fmt: skip
    assert Payment.objects.count() == 1


# ── Whose invoices ──────────────────────────────────────────────────────────────────────────


def test_bob_cannot_pay_alices_invoice(client, bob, alice_policy):
    invoice = f.invoice_with_lines(policy=alice_policy, copays=[100_00])

    with pytest.raises(InvoiceNotFound):
        start(bob, [invoice])
    client.force_login(bob)
    response = client.post(reverse("invoices:pay"), {"invoices": [invoice.pk]})

    assert "Счёт не найден среди ваших счетов" in response.content.decode()
    assert not Payment.objects.exists()
    assert fresh(invoice).paid_kopecks == 0


def test_the_holder_pays_her_sons_invoice_and_it_is_booked_on_his_policy(alice, son_policy):
    invoice = f.invoice_with_lines(policy=son_policy, copays=[90_00])

    payment = pay_in_sandbox(start(alice, [invoice]))

    assert payment.user == alice
    assert fresh(invoice).status == InvoiceStatus.PAID
    assert LedgerEntry.objects.get(account=LedgerAccount.COPAY).policy == son_policy
    assert alice.notifications.get().title == f"Счёт № {invoice.number} оплачен"


# ── Disputes, refusals, two payments for one invoice ────────────────────────────────────────


def test_the_co_pay_of_a_disputed_line_is_held_back_and_the_rest_pays_the_invoice(alice, alice_policy):
    invoice = f.invoice_with_lines(policy=alice_policy, copays=[300_00, 50_00])
    dispute_on(invoice.registry.lines.order_by("line_no").first(), alice, invoice)

    payment = start(alice, [invoice])
    assert payment.amount_kopecks == 50_00
    pay_in_sandbox(payment)

    invoice = fresh(invoice)
    assert (invoice.status, invoice.paid_kopecks, invoice.due_kopecks) == ("paid", 50_00, 350_00)


def test_the_refusals_say_what_is_wrong_in_plain_russian(alice, alice_policy):
    cancelled = f.invoice_with_lines(
        policy=alice_policy, copays=[100_00], status="cancelled", cancel_reason="Клиника прислала исправленный реестр"
    )
    disputed = f.invoice_with_lines(policy=alice_policy, copays=[100_00])
    dispute_on(disputed.registry.lines.get(), alice, disputed)
    covered = f.invoice_with_lines(policy=alice_policy, copays=[100_00], deposit_kopecks=100_00, due_kopecks=0)

    with pytest.raises(PaymentError) as nothing:
        invoices_pay_start(user=alice, invoice_ids=[], return_url="/")
    assert nothing.value.message == "Отметьте счета, которые хотите оплатить."
    with pytest.raises(PaymentError) as refused:
        start(alice, [cancelled])
    assert refused.value.message == (
        f"Счёт № {cancelled.number} отменён (Клиника прислала исправленный реестр): оплачивать его не нужно."
    )
    with pytest.raises(PaymentError, match="вся неоплаченная сумма оспаривается"):
        start(alice, [disputed])
    with pytest.raises(PaymentError, match="оплачивать нечего"):
        start(alice, [covered])
    assert not Payment.objects.exists()


def test_the_same_choice_twice_is_one_pending_payment_but_another_choice_with_the_same_invoice_waits(
    alice, alice_policy, son_policy
):
    first = f.invoice_with_lines(policy=alice_policy, copays=[100_00])
    second = f.invoice_with_lines(policy=son_policy, copays=[40_00])
    pending = start(alice, [first, second])

    assert start(alice, [second, first]).pk == pending.pk
    with pytest.raises(PaymentError, match="уже в начатой оплате на 140,00"):
        start(alice, [first])

    pay_in_sandbox(pending, outcome="canceled")
    alone = start(alice, [first])
    assert alone.pk != pending.pk and alone.amount_kopecks == 100_00


def test_too_many_invoices_for_one_payment_are_refused_with_how_many_fit(alice, alice_policy):
    invoices = [f.invoice_with_lines(policy=alice_policy, copays=[1_00]) for _ in range(60)]

    with pytest.raises(PaymentError, match=r"не больше \d+ счетов"):
        start(alice, invoices)


# ── Automatic charges of a bound card ───────────────────────────────────────────────────────


def bound_card(user, policy) -> SavedCard:
    set_program(policy.program, **SOGAZ)
    binding = Payment.objects.create(
        user=user, purpose=PaymentPurpose.CARD_BINDING, amount_kopecks=100, description="Привязка",
        status="succeeded", gateway="sandbox", subject_key=f"card:test:{user.pk}", succeeded_at=at_msk(2026, 11, 1),
    )  # fmt: skip
    card = SavedCard.objects.create(
        user=user, gateway="sandbox", method_id="m-1", title="Visa •••• 4242", agreement_version="2026-11",
        binding_payment=binding,
    )  # fmt: skip
    FranchiseActivation.objects.create(
        policy=policy, method=Method.CARD, requested_by=user, effective_at=at_msk(2026, 11, 2), card=card
    )
    return card


def test_an_invoice_of_a_card_activated_person_is_charged_to_the_card_once(alice, alice_policy, son_policy):
    card = bound_card(alice, alice_policy)
    bound = f.invoice_with_lines(policy=alice_policy, copays=[300_00])
    not_bound = f.invoice_with_lines(policy=son_policy, copays=[100_00])

    results = invoices_autocharge(invoice_ids=[bound.pk, not_bound.pk])

    by_invoice = {r.invoice.pk: r for r in results}
    charged = by_invoice[bound.pk]
    assert charged.outcome == "succeeded"
    assert charged.payment is not None and charged.payment.card == card
    assert charged.payment.subject_key == f"copay:{bound.pk}@0"
    assert (fresh(bound).status, fresh(bound).paid_kopecks) == ("paid", 300_00)
    assert by_invoice[not_bound.pk].outcome == "skipped"
    assert fresh(not_bound).paid_kopecks == 0

    again = invoices_autocharge(invoice_ids=[bound.pk])
    assert again[0].outcome == "skipped"
    assert Payment.objects.filter(purpose="copay").count() == 1
    assert fresh(bound).paid_kopecks == 300_00


def test_an_invoice_above_the_autopay_cap_is_left_to_pay_by_hand_and_the_person_is_told_once(
    alice, alice_policy, settings
):
    settings.POLIS_AUTOPAY_CAP_KOPECKS = 200_00
    bound_card(alice, alice_policy)
    invoice = f.invoice_with_lines(policy=alice_policy, copays=[300_00])

    invoices_autocharge(invoice_ids=[invoice.pk])
    [result] = invoices_autocharge(invoice_ids=[invoice.pk])

    assert result.outcome == "skipped" and "предела автоплатежа" in result.skipped
    assert not Payment.objects.filter(purpose="copay").exists()
    assert alice.notifications.filter(title=f"Счёт № {invoice.number} нужно оплатить самостоятельно").count() == 1


def test_a_card_the_bank_declines_is_not_charged_again_and_the_person_pays_by_hand(alice, alice_policy):
    bound_card(alice, alice_policy)
    invoice = f.invoice_with_lines(policy=alice_policy, copays=[300_00])

    with mock.patch(
        "polis.payments.gateways.sandbox.SandboxGateway.charge_saved", side_effect=GatewayRejected("declined")
    ):
        [declined] = invoices_autocharge(invoice_ids=[invoice.pk])
    [later] = invoices_autocharge(invoice_ids=[invoice.pk])

    assert declined.outcome == "canceled"
    assert later.outcome == "skipped"
    assert fresh(invoice).status == InvoiceStatus.NEW
    assert alice.notifications.filter(title__startswith="Не удалось списать").count() == 1
    assert start(alice, [invoice]).amount_kopecks == 300_00


def test_an_unbound_card_charges_nothing(alice, alice_policy):
    card = bound_card(alice, alice_policy)
    invoice = f.invoice_with_lines(policy=alice_policy, copays=[300_00])
    SavedCard.objects.filter(pk=card.pk).update(unbound_at=at_msk(2026, 11, 10))

    [result] = invoices_autocharge(invoice_ids=[invoice.pk])

    assert result.outcome == "skipped"
    assert not Payment.objects.filter(purpose="copay").exists()


def test_the_subject_key_reads_back_what_was_paid_before(alice_policy):
    assert services.paid_before("copay:12@0,15@5000") == {12: 0, 15: 5000}
    assert services.paid_before("deposit:policies=1") == {}
