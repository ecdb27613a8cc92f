"""What a debt does: the contract's consequence while an invoice is overdue, reminders to the
payer, and the monthly report to the contract's administrators.

The consequence is derived, never stored: it holds while an overdue invoice is unpaid, so paying
restores access at once, and nothing has to be lifted afterwards.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from polis import calendar, clock
from polis.billing.debts.selectors import (
    DebtRow,
    contracts_with_debts,
    debt_report,
    month_start,
    open_dispute_on_invoice,
    overdue_invoices,
    payer_of,
    report_table,
    unpaid_invoices,
)
from polis.billing.models import CopayInvoice, DebtReminder, DebtReport, InvoiceStatus
from polis.coverage.models import Contract, NonPaymentConsequence, Policy
from polis.money import format_rub
from polis.notify.services import email_send, sms_send

SUSPEND = NonPaymentConsequence.SUSPEND.value
EMERGENCY_ONLY = NonPaymentConsequence.EMERGENCY_ONLY.value

# Where the insured pays (billing's «Мои счета»).
INVOICES_PATH = "/my/invoices/"


@dataclass(frozen=True)
class Debt:
    """The overdue invoices of one policy and what the contract does about them."""

    consequence: str  # NonPaymentConsequence value
    invoices: list[CopayInvoice]

    @property
    def owed_kopecks(self) -> int:
        return sum(invoice.outstanding_kopecks for invoice in self.invoices)

    @property
    def numbers(self) -> str:
        return ", ".join(f"№ {invoice.number}" for invoice in self.invoices)

    @property
    def of_invoices(self) -> str:
        """«счёта по франшизе № 1» or «счетов по франшизе № 1, № 2»."""
        if len(self.invoices) == 1:
            return _("счёта по франшизе %(numbers)s") % {"numbers": self.numbers}
        return _("счетов по франшизе %(numbers)s") % {"numbers": self.numbers}


def debt_of(*, policy: Policy, on: dt.date) -> Debt | None:
    """The debt that restricts this person on the day `on`: unpaid invoices whose due date has
    passed, none of them held back by an open dispute, on a program that sets a consequence.
    The policy must have come through a viewer's selector (or be the system's own)."""
    consequence = policy.program.non_payment_consequence
    if not consequence:
        return None
    invoices = list(overdue_invoices(before=on).filter(policy=policy).order_by("due_on", "pk"))
    if not invoices:
        return None
    return Debt(consequence=consequence, invoices=invoices)


def debt_restriction(*, policy: Policy, on: dt.date) -> str | None:
    """None, "suspend" (franchise clinics closed until paid) or "emergency_only" (planned care
    refused until paid) for the person on `policy` on the day `on`."""
    debt = debt_of(policy=policy, on=on)
    return debt.consequence if debt is not None else None


def planned_care_refusal(debt: Debt) -> str:
    return _("Плановая помощь приостановлена до оплаты %(what)s (к оплате %(sum)s, раздел «Мои счета»).") % {
        "what": debt.of_invoices,
        "sum": format_rub(debt.owed_kopecks),
    }


def franchise_suspension(debt: Debt) -> str:
    return _(
        "Запись в клиники с франшизой приостановлена до оплаты %(what)s (к оплате %(sum)s, раздел «Мои счета»)."
    ) % {"what": debt.of_invoices, "sum": format_rub(debt.owed_kopecks)}


# ── Reminders ───────────────────────────────────────────────────────────────────────────────

# (kind, days after the due date it starts on). A run sends the latest stage an invoice has
# reached, so a day the job did not run is caught up with one message, never a burst.
REMINDER_STAGES: list[tuple[str, int]] = [
    ("before_3", -3),
    ("due", 0),
    ("after_1", 1),
    ("after_7", 7),
    ("after_30", 30),
]
LAST_STAGE = REMINDER_STAGES[-1][0]


def reminder_kind(*, due_on: dt.date, today: dt.date) -> str | None:
    offset = (today - due_on).days
    kind = None
    for name, starts in REMINDER_STAGES:
        if offset >= starts:
            kind = name
    return kind


def _reminder_text(invoice: CopayInvoice, kind: str) -> str:
    policy = invoice.policy
    values = {
        "number": invoice.number,
        "sum": format_rub(invoice.outstanding_kopecks),
        "date": invoice.due_on.strftime("%d.%m.%Y"),
        "name": policy.insured.full_name,
    }
    if kind == "before_3":
        text = _("Напоминаем: оплатите счёт по франшизе № %(number)s (%(name)s) на %(sum)s до %(date)s.") % values
    elif kind == "due":
        text = (
            _("Сегодня, %(date)s, последний день оплаты счёта по франшизе № %(number)s (%(name)s): %(sum)s.") % values
        )
    else:
        text = _("Счёт по франшизе № %(number)s (%(name)s) на %(sum)s не оплачен: срок истёк %(date)s.") % values
        consequence = policy.program.non_payment_consequence
        if consequence == SUSPEND:
            text += " " + _("Запись в клиники с франшизой приостановлена до оплаты.")
        elif consequence == EMERGENCY_ONLY:
            text += " " + _("До оплаты доступна только экстренная помощь.")
    return f"{text} {_('Оплатить')}: {settings.POLIS_SITE_URL.rstrip('/')}{INVOICES_PATH}"


def debt_remind(*, invoice: CopayInvoice, kind: str) -> bool:
    """Tell the payer about one unpaid invoice, once per kind: the DebtReminder row goes in
    first (unique per invoice and kind), and the messages leave only if the transaction commits.
    False when it was already sent or the invoice is paid meanwhile."""
    with transaction.atomic():
        locked = (
            CopayInvoice.objects.select_for_update(of=("self",))
            .filter(pk=invoice.pk, status=InvoiceStatus.NEW, due_kopecks__gt=F("paid_kopecks"))
            .select_related("policy__insured__user", "policy__holder__user", "policy__program")
            .first()
        )
        if locked is None:
            return False
        try:
            with transaction.atomic():
                DebtReminder.objects.create(invoice=locked, kind=kind)
        except IntegrityError:
            return False
        payer = payer_of(locked.policy)
        text = _reminder_text(locked, kind)
        if payer.phone:
            sms_send(phone=payer.phone, text=text)
        if payer.email:
            email_send(
                to=payer.email,
                subject=_("Счёт по франшизе № %(number)s: оплатите до %(date)s")
                % {"number": locked.number, "date": locked.due_on.strftime("%d.%m.%Y")},
                text=text,
            )
    return True


def debt_reminders_send(*, today: dt.date | None = None) -> int:
    """Remind about every unpaid invoice that has reached a stage it was not reminded of: three
    days before the due date, on it, and 1, 7 and 30 days after. Invoices held back by an open
    dispute wait for its answer. Safe to run any number of times, also at once."""
    day = today or clock.today()
    last_sent = DebtReminder.objects.filter(invoice_id=OuterRef("pk"), kind=LAST_STAGE)
    candidates = (
        unpaid_invoices()
        .filter(due_on__lte=day + dt.timedelta(days=3))
        .exclude(open_dispute_on_invoice())
        .exclude(Exists(last_sent))
        .only("pk", "due_on")
        .order_by("due_on", "pk")
    )
    sent = 0
    for invoice in candidates.iterator(chunk_size=500):
        kind = reminder_kind(due_on=invoice.due_on, today=day)
        if kind is not None and not DebtReminder.objects.filter(invoice=invoice, kind=kind).exists():
            sent += debt_remind(invoice=invoice, kind=kind)
    return sent


# ── The monthly report to HR ────────────────────────────────────────────────────────────────


def first_working_day(month: dt.date) -> dt.date:
    return calendar.working_day_on_or_after(month_start(month))


def debt_reports_send(*, today: dt.date | None = None) -> int:
    """From the first working day of a month on, send each contract with debts its report for
    the month that ended, once (DebtReport is unique per contract and month, inserted first)."""
    day = today or clock.today()
    if day < first_working_day(day):
        return 0
    this_month = month_start(day)
    month = month_start(this_month - dt.timedelta(days=1))
    done = DebtReport.objects.filter(month=month).values("contract_id")
    sent = 0
    for contract in contracts_with_debts(before=this_month).exclude(pk__in=done):
        sent += debt_report_send(contract=contract, month=month, today=day)
    return sent


def debt_report_send(*, contract: Contract, month: dt.date, today: dt.date | None = None) -> bool:
    rows = debt_report(contract=contract, month=month, today=today)
    if not rows:
        return False
    with transaction.atomic():
        try:
            with transaction.atomic():
                report = DebtReport.objects.create(
                    contract=contract,
                    month=month,
                    people=len(rows),
                    total_kopecks=sum(r.outstanding_kopecks for r in rows),
                )
        except IntegrityError:
            return False
        recipients = _report_recipients(contract)
        if recipients:
            subject, text = _report_message(contract, report, rows)
            for email in recipients:
                email_send(to=email, subject=subject, text=text)
            report.sent_at = clock.now()
            report.save(update_fields=["sent_at"])
    return True


def _report_recipients(contract: Contract) -> list[str]:
    emails = [contract.admin_email, *contract.administrators.filter(is_active=True).values_list("email", flat=True)]
    seen: dict[str, str] = {}
    for email in emails:
        if email and email.casefold() not in seen:
            seen[email.casefold()] = email
    return list(seen.values())


def _report_message(contract: Contract, report: DebtReport, rows: list[DebtRow]) -> tuple[str, str]:
    month_name = dateformat.format(report.month, "F Y").lower()
    subject = _("Задолженность по франшизе за %(month)s, договор № %(number)s") % {
        "month": month_name,
        "number": contract.number,
    }
    link = (
        settings.POLIS_SITE_URL.rstrip("/")
        + reverse("debts:hr")
        + f"?contract={contract.pk}&month={report.month:%Y-%m}"
    )
    people = ngettext("%(n)s человек", "%(n)s человек", report.people) % {"n": report.people}
    lines = [
        _("Договор № %(number)s — %(holder)s.") % {"number": contract.number, "holder": contract.policyholder},
        _("Не оплачены в срок счета по франшизе на конец периода (%(month)s): %(people)s, всего %(sum)s.")
        % {"month": month_name, "people": people, "sum": format_rub(report.total_kopecks)},
        "",
        *("; ".join(str(cell) for cell in row) for row in report_table(rows)),
        "",
        _("Отчёт на сайте и в формате CSV: %(link)s") % {"link": link},
        _("В отчёте только суммы: сведения об услугах и диагнозах составляют врачебную тайну и не передаются."),
    ]
    return subject, "\n".join(lines)
