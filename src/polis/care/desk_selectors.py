"""What the desk reads about requests and letters: the queue with each request's clock, one
request with everything needed to decide on it, the second doctor's approvals, the escalations.
The desk serves every contract, so its scope is every request; anyone else gets nothing (404)."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from polis import clock
from polis.accounts.models import Role, User
from polis.care.desk import ESCALATION_PERMISSION
from polis.care.desk_letters import APPROVE_PERMISSION, LETTER_LIVE
from polis.care.history import EventLine, event_lines
from polis.care.models import (
    CareRequest,
    CareRequestFile,
    ClinicPass,
    Escalation,
    EscalationStatus,
    GuaranteeLetter,
    LetterKind,
    LetterStatus,
    RequestStatus,
    TimeWindow,
    Urgency,
    Visit,
)
from polis.coverage.models import Policy, ProgramClinic
from polis.coverage.selectors import PolicyOverview, policy_overview
from polis.network.models import Clinic, KindOfCare

OPEN = (RequestStatus.NEW, RequestStatus.IN_WORK)
RECENT_VISITS = 10

# The letter a request's kind of care usually needs: what the issue form starts from.
DEFAULT_LETTER_KIND = {
    KindOfCare.OUTPATIENT: LetterKind.CONSULTATION,
    KindOfCare.DENTAL: LetterKind.DENTAL,
    KindOfCare.HOME_CARE: LetterKind.HOME_VISIT,
    KindOfCare.INPATIENT: LetterKind.PLANNED_HOSPITAL,
    KindOfCare.EMERGENCY: LetterKind.EMERGENCY_HOSPITAL,
    KindOfCare.CHECKUP: LetterKind.DIAGNOSTICS,
}


def is_desk(viewer: User) -> bool:
    return viewer.role == Role.DESK


def can_approve(viewer: User) -> bool:
    return is_desk(viewer) and viewer.has_perm(APPROVE_PERMISSION)


def can_handle_escalations(viewer: User) -> bool:
    return is_desk(viewer) and viewer.has_perm(ESCALATION_PERMISSION)


# ── The clock of a request ───────────────────────────────────────────────────────────────────


def minutes_text(minutes: int) -> str:
    hours, rest = divmod(abs(minutes), 60)
    if hours:
        return _("%(h)s ч %(m)02d мин") % {"h": hours, "m": rest}
    return _("%(m)s мин") % {"m": rest}


@dataclass(frozen=True)
class AnswerClock:
    waited_minutes: int
    target_minutes: int
    answered: bool

    @property
    def left_minutes(self) -> int:
        return self.target_minutes - self.waited_minutes

    @property
    def badge(self) -> str:
        if self.left_minutes < 0:
            return "err"
        if self.answered:
            return "ok"
        return "warn" if self.left_minutes * 4 < self.target_minutes else "ok"

    @property
    def label(self) -> str:
        if self.answered:
            return _("ответ через %(t)s") % {"t": minutes_text(self.waited_minutes)}
        if self.left_minutes < 0:
            return _("просрочено на %(t)s") % {"t": minutes_text(self.left_minutes)}
        return _("осталось %(t)s") % {"t": minutes_text(self.left_minutes)}


def answer_clock(request: CareRequest, *, now: dt.datetime | None = None) -> AnswerClock:
    """Time against the desk's answer target: to the first answer, or until now while open."""
    end = request.answered_at or (now or clock.now())
    waited = int((end - request.created_at).total_seconds() // 60)
    target = int(settings.DESK_ANSWER_TARGET_MINUTES[request.urgency])
    return AnswerClock(waited_minutes=max(waited, 0), target_minutes=target, answered=request.answered_at is not None)


# ── The queue ────────────────────────────────────────────────────────────────────────────────

QUEUE_VIEWS = {
    "open": gettext_lazy("Открытые"),
    "new": gettext_lazy("Новые"),
    "mine": gettext_lazy("Мои в работе"),
    "answered": gettext_lazy("С ответом"),
}


def _desk_requests(viewer: User) -> QuerySet[CareRequest]:
    if not is_desk(viewer):
        return CareRequest.objects.none()
    return CareRequest.objects.all()


def requests_queue(*, viewer: User, show: str = "open") -> QuerySet[CareRequest]:
    """Open requests: urgent first, then the longest waiting. Answered ones: the latest first."""
    requests = _desk_requests(viewer).select_related("policy__insured", "policy__program", "clinic", "dispatcher")
    if show == "answered":
        return requests.filter(answered_at__isnull=False).order_by("-answered_at", "-pk")
    if show == "new":
        requests = requests.filter(status=RequestStatus.NEW)
    elif show == "mine":
        requests = requests.filter(status=RequestStatus.IN_WORK, dispatcher=viewer)
    else:
        requests = requests.filter(status__in=OPEN)
    urgent_first = Case(When(urgency=Urgency.URGENT, then=Value(0)), default=Value(1), output_field=IntegerField())
    return requests.annotate(urgency_rank=urgent_first).order_by("urgency_rank", "created_at", "pk")


# ── One request ──────────────────────────────────────────────────────────────────────────────


def request_for_desk(*, viewer: User, pk: int) -> CareRequest:
    found = (
        _desk_requests(viewer)
        .select_related(
            "policy__insured__user",
            "policy__holder__user",
            "policy__program",
            "policy__contract__policyholder",
            "policy__registry_clinic",
            "clinic",
            "dispatcher",
            "created_by",
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def requests_for_policy(*, viewer: User, policy_id: int, limit: int = 10) -> list[CareRequest]:
    """The latest requests of one policy, for the desk's policy page."""
    return list(_desk_requests(viewer).filter(policy_id=policy_id).order_by("-created_at", "-pk")[:limit])


def clinics_for_policy(*, viewer: User, policy: Policy) -> list[Clinic]:
    """Active clinics of the policy's program, the person's city first (a caller's wish)."""
    if not is_desk(viewer):
        return []
    links = ProgramClinic.objects.filter(program_id=policy.program_id, clinic__is_active=True)
    clinics = Clinic.objects.filter(pk__in=links.values("clinic_id")).annotate(
        away=Case(When(city=policy.insured.city, then=Value(0)), default=Value(1), output_field=IntegerField())
    )
    return list(clinics.order_by("away", "name", "pk"))


def clinics_for_letter(*, viewer: User, request: CareRequest, kind: str | None = None) -> list[Clinic]:
    """Active clinics of the request's program — for one kind of care if given — the person's
    city first, then by name. The service checks the letter's kind against the program again."""
    clinics = clinics_for_policy(viewer=viewer, policy=request.policy)
    if kind is None:
        return clinics
    kinds = set(
        ProgramClinic.objects.filter(program_id=request.policy.program_id, kind=kind).values_list(
            "clinic_id", flat=True
        )
    )
    return [c for c in clinics if c.pk in kinds]


@dataclass
class RequestDetail:
    request: CareRequest
    clock: AnswerClock
    overview: PolicyOverview
    letters: list[GuaranteeLetter]
    other_letters: list[GuaranteeLetter]
    visits: list[Visit]
    recent_visits: list[Visit]
    files: list[CareRequestFile]
    passes: list[ClinicPass]
    escalations: list[Escalation]
    events: list[EventLine]
    clinics: list[Clinic]
    access_clinics: list[Clinic]
    default_kind: str
    time_windows: list[str]

    @property
    def is_open(self) -> bool:
        return self.request.status in OPEN

    @property
    def can_issue(self) -> bool:
        return self.request.status in (RequestStatus.IN_WORK, RequestStatus.APPROVED)


def request_detail(*, viewer: User, request: CareRequest) -> RequestDetail:
    """Everything the dispatcher looks at before deciding. `request` comes from request_for_desk."""
    policy = request.policy
    letters = list(GuaranteeLetter.objects.filter(request=request).select_related("clinic", "issued_by", "approved_by"))
    other_letters = list(
        GuaranteeLetter.objects.filter(policy__insured_id=policy.insured_id, status__in=LETTER_LIVE)
        .exclude(request=request)
        .select_related("clinic")
        .order_by("-issued_at")
    )
    visits = list(Visit.objects.filter(request=request).select_related("clinic", "letter"))
    recent = list(
        Visit.objects.filter(policy__insured_id=policy.insured_id)
        .exclude(request=request)
        .select_related("clinic")
        .order_by("-starts_at")[:RECENT_VISITS]
    )
    clinics = clinics_for_letter(viewer=viewer, request=request)
    return RequestDetail(
        request=request,
        clock=answer_clock(request),
        overview=policy_overview(policy=policy),
        letters=letters,
        other_letters=other_letters,
        visits=visits,
        recent_visits=recent,
        files=list(request.files.all()),
        passes=list(request.passes.select_related("clinic")),
        escalations=list(request.escalations.select_related("answered_by")),
        events=event_lines(request.events.select_related("actor")),
        clinics=clinics,
        access_clinics=[c for c in clinics if c.has_access_control],
        default_kind=DEFAULT_LETTER_KIND.get(KindOfCare(request.kind), LetterKind.CONSULTATION),
        time_windows=[str(TimeWindow(w).label) for w in request.time_windows or [] if w in TimeWindow.values],
    )


def request_file_for_desk(*, viewer: User, file_id: int) -> CareRequestFile:
    found = CareRequestFile.objects.filter(pk=file_id, request__in=_desk_requests(viewer)).first()
    if found is None:
        raise Http404
    return found


# ── Letters ──────────────────────────────────────────────────────────────────────────────────


def _desk_letters(viewer: User) -> QuerySet[GuaranteeLetter]:
    if not is_desk(viewer):
        return GuaranteeLetter.objects.none()
    return GuaranteeLetter.objects.select_related(
        "request", "policy__insured", "policy__program", "clinic", "issued_by", "approved_by"
    )


def letter_for_desk(*, viewer: User, pk: int) -> GuaranteeLetter:
    found = _desk_letters(viewer).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def approvals_queue(*, viewer: User) -> QuerySet[GuaranteeLetter]:
    """Letters waiting for the second doctor, the oldest first."""
    return _desk_letters(viewer).filter(status=LetterStatus.PENDING_APPROVAL).order_by("issued_at", "pk")


def pending_approvals_count(*, viewer: User) -> int:
    return approvals_queue(viewer=viewer).count()


# ── Escalations ──────────────────────────────────────────────────────────────────────────────


def escalations_queue(*, viewer: User, answered: bool = False) -> QuerySet[Escalation]:
    """Open escalations for curators and shift seniors, the oldest first (answered: latest first)."""
    if not can_handle_escalations(viewer):
        return Escalation.objects.none()
    found = Escalation.objects.select_related("request__policy__insured", "raised_by", "answered_by")
    if answered:
        return found.filter(status=EscalationStatus.ANSWERED).order_by("-answered_at", "-pk")
    return found.filter(status=EscalationStatus.OPEN).order_by("created_at", "pk")


def escalation_for_desk(*, viewer: User, pk: int) -> Escalation:
    found = escalations_queue(viewer=viewer).filter(pk=pk).first() or (
        escalations_queue(viewer=viewer, answered=True).filter(pk=pk).first()
    )
    if found is None:
        raise Http404
    return found
