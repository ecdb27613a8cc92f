"""Reminders about unpaid invoices: 3 days before the due date, on it, 1, 7 and 30 days after;
each once, to the payer (the holder for a relative), with the amount and the date."""

import datetime as dt

import pytest
from django.core.management import call_command

from polis.billing.debts.services import debt_reminders_send, reminder_kind
from polis.billing.disputes.services import dispute_submit
from polis.billing.models import CopayInvoice, DebtReminder, InvoiceStatus, RegistryLine
from polis.coverage.models import Policy
from polis.notify.models import OutboundMessage
from polis.testing import factories as f

pytestmark = [pytest.mark.django_db]
TODAY = dt.date(2026, 11, 20)


def invoice_due(policy: Policy, due_on: dt.date, copays=(300_00, 200_00)) -> CopayInvoice:
    return f.invoice_with_lines(policy=policy, copays=list(copays), due_on=due_on)


def messages(channel: str) -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(channel=channel).order_by("pk"))


@pytest.mark.parametrize(
    ("days_after_due", "kind"),
    [(-4, None), (-3, "before_3"), (-1, "before_3"), (0, "due"), (1, "after_1"), (6, "after_1"), (7, "after_7"),
     (29, "after_7"), (30, "after_30"), (400, "after_30")],
)  # fmt: skip
def test_the_stage_of_an_invoice_follows_its_due_date(days_after_due, kind):
    due = dt.date(2026, 12, 2)
    assert reminder_kind(due_on=due, today=due + dt.timedelta(days=days_after_due)) == kind


def test_three_days_before_the_due_date_the_payer_gets_an_sms_and_an_email(alice_policy):
    invoice = invoice_due(alice_policy, TODAY + dt.timedelta(days=3))

    assert debt_reminders_send(today=TODAY) == 1

    (sms,) = messages("sms")
    (email,) = messages("email")
    assert sms.recipient == "+79161234567"
    assert email.recipient == "alice@example.ru"
    text = sms.body.replace("\xa0", " ")
    assert f"№ {invoice.number}" in text and "500,00 ₽" in text and "до 23.11.2026" in text
    assert "/my/invoices/" in text
    assert email.subject == f"Счёт по франшизе № {invoice.number}: оплатите до 23.11.2026"
    assert list(DebtReminder.objects.values_list("invoice_id", "kind")) == [(invoice.pk, "before_3")]


def test_each_reminder_goes_once_however_often_the_job_runs(alice_policy):
    invoice_due(alice_policy, TODAY + dt.timedelta(days=2))

    debt_reminders_send(today=TODAY)
    debt_reminders_send(today=TODAY)
    debt_reminders_send(today=TODAY + dt.timedelta(days=1))

    assert len(messages("sms")) == 1
    assert DebtReminder.objects.count() == 1


def test_the_stages_follow_one_another_until_30_days_after(alice_policy):
    due = TODAY
    invoice = invoice_due(alice_policy, due)

    for offset in range(-5, 45):
        debt_reminders_send(today=due + dt.timedelta(days=offset))

    kinds = list(DebtReminder.objects.filter(invoice=invoice).order_by("sent_at", "pk").values_list("kind", flat=True))
    assert sorted(kinds) == sorted(["before_3", "due", "after_1", "after_7", "after_30"])
    assert len(messages("sms")) == 5
    overdue_text = messages("sms")[-1].body
    assert "не оплачен: срок истёк 20.11.2026" in overdue_text


def test_a_day_the_job_did_not_run_is_caught_up_with_one_message(alice_policy):
    invoice = invoice_due(alice_policy, TODAY - dt.timedelta(days=10))

    debt_reminders_send(today=TODAY)

    assert list(DebtReminder.objects.filter(invoice=invoice).values_list("kind", flat=True)) == ["after_7"]
    assert len(messages("sms")) == 1


def test_a_relatives_invoice_is_sent_to_the_holder(alice):
    son = Policy.objects.get(number="001-0000002")
    invoice_due(son, TODAY)

    debt_reminders_send(today=TODAY)

    (sms,) = messages("sms")
    assert sms.recipient == "+79161234567"
    assert "Артём" in sms.body


def test_the_consequence_is_named_once_overdue(alice_policy):
    program = alice_policy.program
    program.franchise_activation, program.non_payment_consequence = "consent", "emergency_only"
    program.save()
    invoice_due(alice_policy, TODAY - dt.timedelta(days=1))

    debt_reminders_send(today=TODAY)

    assert "только экстренная помощь" in messages("sms")[0].body


def test_paid_held_back_or_far_invoices_are_not_reminded(alice, alice_policy):
    paid = invoice_due(alice_policy, TODAY)
    CopayInvoice.objects.filter(pk=paid.pk).update(paid_kopecks=500_00, status=InvoiceStatus.PAID)
    cancelled = invoice_due(alice_policy, TODAY)
    CopayInvoice.objects.filter(pk=cancelled.pk).update(status=InvoiceStatus.CANCELLED)
    disputed = invoice_due(alice_policy, TODAY)
    line = RegistryLine.objects.filter(registry=disputed.registry).first()
    dispute_submit(user=alice, line_id=line.pk, kind="quality", comment="Плохо")
    invoice_due(alice_policy, TODAY + dt.timedelta(days=4))

    assert debt_reminders_send(today=TODAY) == 0
    assert not OutboundMessage.objects.exists()


def test_the_command_sends_the_days_reminders(alice_policy, capsys):
    invoice_due(alice_policy, dt.date(2026, 12, 2))

    call_command("send_debt_reminders", "--date", "2026-12-02")

    assert "Напоминаний отправлено: 1" in capsys.readouterr().out
    assert DebtReminder.objects.get().kind == "due"
