"""Reads about disputes, each starting from the viewer: the insured sees disputes on their own
and their relatives' policies (coverage.selectors.policies_for_user), the back office its queue.
Anything else is simply not found (404)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from polis import clock
from polis.accounts.models import Role
from polis.billing.models import (
    CopayInvoice,
    Dispute,
    DisputeFile,
    DisputeKind,
    DisputeStatus,
    LineStatus,
    RegistryLine,
    RegistryStatus,
)
from polis.coverage.selectors import Viewer, policies_for_user
from polis.network.models import Clinic


def is_staff(user: Viewer) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "role", None) == Role.BACKOFFICE


# ── The insured ──────────────────────────────────────────────────────────────────────────────


def disputable_lines(*, user: Viewer) -> QuerySet[RegistryLine]:
    """Lines the viewer may dispute: accepted lines of registries still in force (not replaced by
    a corrected version), billed under one of the viewer's policies, franchise or not."""
    return (
        RegistryLine.objects.filter(status=LineStatus.ACCEPTED, policy_id__in=policies_for_user(user=user).values("pk"))
        .exclude(registry__status=RegistryStatus.REPLACED)
        .select_related("registry__clinic", "policy__insured")
    )


def line_for_user(*, user: Viewer, line_id: int) -> RegistryLine:
    line = disputable_lines(user=user).filter(pk=line_id).first()
    if line is None:
        raise Http404(_("Услуга не найдена"))
    return line


def disputes_for_user(*, user: Viewer) -> QuerySet[Dispute]:
    """Disputes on the viewer's policies and their relatives', newest first."""
    return (
        Dispute.objects.filter(policy_id__in=policies_for_user(user=user).values("pk"))
        .select_related("line__registry__clinic", "policy__insured", "invoice")
        .order_by("-submitted_at", "-pk")
    )


def dispute_for_user(*, user: Viewer, pk: int) -> Dispute:
    dispute = disputes_for_user(user=user).filter(pk=pk).first()
    if dispute is None:
        raise Http404(_("Несогласие не найдено"))
    return dispute


def open_dispute_on(line: RegistryLine) -> Dispute | None:
    return Dispute.objects.filter(line=line, status=DisputeStatus.OPEN).first()


# ── The back office ──────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class QueueFilter:
    clinic_id: int | None = None
    kind: str = ""
    status: str = DisputeStatus.OPEN  # "" for every status


def disputes_queue(*, staff: Viewer, filters: QueueFilter | None = None) -> QuerySet[Dispute]:
    """The back office's queue: the nearest answer deadline first."""
    if not is_staff(staff):
        return Dispute.objects.none()
    filters = filters or QueueFilter()
    disputes = Dispute.objects.select_related("line__registry__clinic", "policy__insured", "invoice")
    if filters.clinic_id is not None:
        disputes = disputes.filter(line__registry__clinic_id=filters.clinic_id)
    if filters.kind:
        disputes = disputes.filter(kind=filters.kind)
    if filters.status:
        disputes = disputes.filter(status=filters.status)
    return disputes.order_by("answer_due_on", "submitted_at", "pk")


def dispute_for_staff(*, staff: Viewer, pk: int) -> Dispute:
    dispute = disputes_queue(staff=staff, filters=QueueFilter(status="")).filter(pk=pk).first()
    if dispute is None:
        raise Http404(_("Несогласие не найдено"))
    return dispute


def queue_clinics(*, staff: Viewer) -> QuerySet[Clinic]:
    """Clinics that have disputes: the queue's clinic filter (not all two thousand of them)."""
    if not is_staff(staff):
        return Clinic.objects.none()
    return Clinic.objects.filter(registries__lines__disputes__isnull=False).distinct().order_by("name", "pk")


@dataclass(frozen=True)
class ClinicSignal:
    clinic_id: int
    clinic_name: str
    reports: int
    upheld: int


def not_provided_by_clinic(*, staff: Viewer, limit: int = 20) -> list[ClinicSignal]:
    """«Услуга не оказывалась» reports per clinic, most first: billed-but-not-received is a fraud
    signal, worth a look at the clinic when they pile up (and more so when they are upheld)."""
    if not is_staff(staff):
        return []
    rows = (
        Dispute.objects.filter(kind=DisputeKind.NOT_PROVIDED)
        .values("line__registry__clinic_id", "line__registry__clinic__name")
        .annotate(reports=Count("pk"), upheld=Count("pk", filter=Q(status=DisputeStatus.UPHELD)))
        .order_by("-reports", "line__registry__clinic__name")[:limit]
    )
    return [
        ClinicSignal(
            clinic_id=row["line__registry__clinic_id"],
            clinic_name=row["line__registry__clinic__name"],
            reports=row["reports"],
            upheld=row["upheld"],
        )
        for row in rows
    ]


def dispute_file_for(*, user: Viewer, file_id: int) -> DisputeFile:
    """A dispute's file: for the back office and for the person who submitted it, nobody else
    (files may hold medical documents)."""
    found = DisputeFile.objects.select_related("dispute").filter(pk=file_id).first()
    if found is None or not (is_staff(user) or found.dispute.submitted_by_id == getattr(user, "pk", None)):
        raise Http404(_("Файл не найден"))
    return found


# ── Amounts ──────────────────────────────────────────────────────────────────────────────────


def line_copay_now(line: RegistryLine) -> int:
    """A line's co-pay as it stands: the registry's figure, or the last upheld correction."""
    corrected = (
        Dispute.objects.filter(line=line, status=DisputeStatus.UPHELD)
        .order_by("-resolved_at", "-pk")
        .values_list("corrected_copay_kopecks", flat=True)
        .first()
    )
    return line.copay_kopecks if corrected is None else corrected


def held_copay_kopecks(*, invoice: CopayInvoice, exclude_dispute_id: int | None = None) -> int:
    """The co-pay of the invoice's lines under an open dispute: held back until the answer, so
    the invoice counts as paid once the rest is (paid ≥ due − held)."""
    disputes = Dispute.objects.filter(invoice=invoice, status=DisputeStatus.OPEN).select_related("line")
    if exclude_dispute_id is not None:
        disputes = disputes.exclude(pk=exclude_dispute_id)
    return sum(line_copay_now(d.line) for d in disputes)


# ── The 15-day clock ─────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class AnswerClock:
    label: str
    badge: str  # ok, warn, err, info, muted


def answer_clock(dispute: Dispute, *, today: dt.date | None = None) -> AnswerClock:
    """«осталось N дн.» / «ответить сегодня» / «просрочено на N дн.» while open; when answered,
    the day it was."""
    if dispute.status != DisputeStatus.OPEN:
        resolved = dispute.resolved_at.astimezone(clock.local_zone()) if dispute.resolved_at else None
        label = _("рассмотрено %(date)s") % {"date": resolved.strftime("%d.%m.%Y")} if resolved else ""
        return AnswerClock(label=label, badge="ok" if dispute.status == DisputeStatus.UPHELD else "muted")
    left = (dispute.answer_due_on - (today or clock.today())).days
    if left > 0:
        return AnswerClock(label=_("осталось %(n)s дн.") % {"n": left}, badge="info" if left > 3 else "warn")
    if left == 0:
        return AnswerClock(label=_("ответить сегодня"), badge="warn")
    return AnswerClock(label=_("просрочено на %(n)s дн.") % {"n": -left}, badge="err")
