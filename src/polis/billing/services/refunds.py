"""Applications for the deposit back when the person is detached or the term ends without
renewal. Paid back through the gateway, against the deposit payments it came from, only when no
co-pay is owed; otherwise the application says what is owed first."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from polis import clock
from polis.accounts.models import User
from polis.billing.models import RefundApplication, RefundApplicationStatus
from polis.billing.selectors import copay_owed, refund_refusal, refund_sources
from polis.billing.services.common import FranchiseError
from polis.coverage.selectors import policy_for_user
from polis.money import format_rub
from polis.notify.services import notification_create
from polis.payments import services as payments
from polis.payments.models import PaymentPurpose, Refund, RefundStatus
from polis.payments.selectors import deposit_held

SUBMITTED = RefundApplicationStatus.SUBMITTED
# A claim older than this with nothing under way belongs to a process that died half-way.
STALE_CLAIM = dt.timedelta(hours=1)


def refund_application_submit(*, user: User, policy_id: int) -> RefundApplication:
    """Apply for the deposit of a policy the viewer may see. One open application per policy: a
    second click (or a second tab) gets the same one back."""
    policy = policy_for_user(user=user, policy_id=policy_id)
    application = RefundApplication.objects.filter(policy=policy, status=SUBMITTED).first()
    if application is None:
        refusal = refund_refusal(policy=policy)
        if refusal:
            # The click after the money went back: the application that returned it.
            paid = RefundApplication.objects.filter(policy=policy, status=RefundApplicationStatus.PAID).first()
            if paid is not None and deposit_held(policy=policy) <= 0:
                return paid
            raise FranchiseError(refusal)
        try:
            with transaction.atomic():
                application = RefundApplication.objects.create(
                    policy=policy, applicant=user, amount_kopecks=deposit_held(policy=policy)
                )
        except IntegrityError:
            application = RefundApplication.objects.get(policy=policy, status=SUBMITTED)
    return refund_application_process(application_id=application.pk)


def _deposit_refunds(application: RefundApplication) -> QuerySet[Refund]:
    return Refund.objects.filter(
        policy_id=application.policy_id,
        payment__purpose=PaymentPurpose.DEPOSIT,
        created_at__gte=application.submitted_at,
    )


def _refunded_or_under_way(application: RefundApplication) -> int:
    # Counted from the policy's refunds since the application, not from the link table: a crash
    # between the gateway call and the link must not make a retry pay twice.
    total = (
        _deposit_refunds(application)
        .exclude(status=RefundStatus.CANCELED)
        .aggregate(total=Sum("amount_kopecks"))["total"]
    )
    return int(total or 0)


def refund_application_process(*, application_id: int) -> RefundApplication:
    """Start the refunds of an open application, unless co-pay is owed (then its answer says how
    much, and nothing is paid). Claimed with a conditional UPDATE, so two callers never start the
    refunds twice; the gateway is called outside any transaction (payments.refund_start records
    the refund and commits first)."""
    application = RefundApplication.objects.select_related("policy").get(pk=application_id)
    if application.status != SUBMITTED:
        return application
    owed = copay_owed(policy=application.policy)
    if owed > 0:
        RefundApplication.objects.filter(pk=application.pk, status=SUBMITTED).update(
            answer=_(
                "Сначала оплатите задолженность по франшизе — %(owed)s. После оплаты аванс вернётся по этому заявлению."
            )
            % {"owed": format_rub(owed)}
        )
        application.refresh_from_db()
        return application
    claimed = RefundApplication.objects.filter(
        pk=application.pk, status=SUBMITTED, refunds_started_at__isnull=True
    ).update(refunds_started_at=clock.now(), answer="")
    if not claimed:
        return refund_application_sync(application_id=application.pk)
    remaining = application.amount_kopecks - _refunded_or_under_way(application)
    try:
        for source in refund_sources(policy=application.policy, amount_kopecks=remaining):
            refund = payments.refund_start(
                payment=source.payment,
                policy=application.policy,
                amount_kopecks=source.amount_kopecks,
                reason=_("Возврат неснижаемого авансового платежа по заявлению, полис № %(number)s")
                % {"number": application.policy.number},
            )
            application.refunds.add(refund)
    except payments.PaymentError as error:
        # Released for a retry (the sync task, or the person's next click); what was refunded
        # already is counted then and not paid again.
        RefundApplication.objects.filter(pk=application.pk, status=SUBMITTED).update(
            refunds_started_at=None, answer=_("Возврат пока не выполнен: %(why)s") % {"why": error.message}
        )
        raise FranchiseError(error.message) from error
    return refund_application_sync(application_id=application.pk)


def refund_application_sync(*, application_id: int) -> RefundApplication:
    """Bring an application up to date with its refunds: paid once they have all succeeded for
    the whole amount; released for another try if the gateway turned them down."""
    application = RefundApplication.objects.select_related("policy").get(pk=application_id)
    if application.status != SUBMITTED or application.refunds_started_at is None:
        return application
    refunds = list(_deposit_refunds(application))
    # Link whatever a crash left unlinked, so that the person's history shows it.
    application.refunds.add(*refunds)
    succeeded = sum(r.amount_kopecks for r in refunds if r.status == RefundStatus.SUCCEEDED)
    pending = [r for r in refunds if r.status == RefundStatus.PENDING]
    if succeeded >= application.amount_kopecks:
        updated = RefundApplication.objects.filter(pk=application.pk, status=SUBMITTED).update(
            status=RefundApplicationStatus.PAID,
            answer=_("Аванс %(sum)s возвращён на карту, с которой он был оплачен.")
            % {"sum": format_rub(application.amount_kopecks)},
        )
        if updated:
            notification_create(
                user=application.applicant,
                title=_("Авансовый платёж возвращён"),
                body=_("Полис № %(number)s: %(sum)s.")
                % {"number": application.policy.number, "sum": format_rub(application.amount_kopecks)},
                link=reverse("billing:franchise"),
            )
    elif not pending and (
        any(r.status == RefundStatus.CANCELED for r in refunds)
        or application.refunds_started_at < clock.now() - STALE_CLAIM
    ):
        # Turned down by the bank, or the process that started the refunds died half-way:
        # released for the next pass, which refunds only what is still missing.
        RefundApplication.objects.filter(pk=application.pk, status=SUBMITTED).update(
            refunds_started_at=None, answer=_("Банк не выполнил возврат; мы повторим его.")
        )
    application.refresh_from_db()
    return application


def refund_applications_sync() -> int:
    """The periodic pass: marks paid what the gateway has refunded, and retries what it turned
    down or what waited for a debt. Returns how many applications were looked at."""
    count = 0
    for pk in RefundApplication.objects.filter(status=SUBMITTED).values_list("pk", flat=True):
        count += 1
        application = refund_application_sync(application_id=pk)
        if application.status == SUBMITTED and application.refunds_started_at is None:
            try:
                refund_application_process(application_id=pk)
            except FranchiseError:
                continue
    return count


def deposit_refund_succeeded(refund: Refund) -> None:
    """ON_REFUND_SUCCEEDED["deposit"]: inside the transaction that marks a deposit refund
    succeeded; the application it belongs to becomes paid when its whole amount is back."""
    for pk in RefundApplication.objects.filter(
        policy_id=refund.policy_id, status=SUBMITTED, refunds_started_at__isnull=False
    ).values_list("pk", flat=True):
        refund_application_sync(application_id=pk)
