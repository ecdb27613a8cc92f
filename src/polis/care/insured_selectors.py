"""What the insured reads of the medical desk: their requests and their relatives' (policies
where they are the holder, coverage.selectors.policies_for_user), the letters, visits, passes,
escalations and steps of those requests. Anything else is simply not found (404)."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from polis import clock
from polis.care import states
from polis.care.hours import DeskNow, desk_now
from polis.care.models import (
    CareEvent,
    CareRequest,
    CareRequestFile,
    ClinicPass,
    Escalation,
    EscalationStatus,
    GuaranteeLetter,
    RequestStatus,
    Visit,
    VisitStatus,
)
from polis.coverage.models import InsuredPerson, Policy, PolicyStatus, ProgramCare
from polis.coverage.selectors import Viewer, policies_for_user
from polis.network.models import Clinic, KindOfCare


def _visible_policies(user: Viewer) -> QuerySet[Policy]:
    return policies_for_user(user=user).values("pk")  # type: ignore[return-value]


def policy_visible(*, user: Viewer, policy_id: int) -> bool:
    return policies_for_user(user=user).filter(pk=policy_id).exists()


def request_policies(*, user: Viewer) -> list[Policy]:
    """The policies a request may be sent for: own and relatives', in force or not yet started."""
    return [p for p in policies_for_user(user=user) if p.status in (PolicyStatus.ACTIVE, PolicyStatus.PENDING)]


def _programs(user: Viewer, policy_id: int | None) -> QuerySet[Policy]:
    policies = policies_for_user(user=user)
    if policy_id is not None and policies.filter(pk=policy_id).exists():
        policies = policies.filter(pk=policy_id)
    return policies.values("program_id")  # type: ignore[return-value]


def request_clinics(*, user: Viewer, policy_id: int | None = None) -> QuerySet[Clinic]:
    """Clinics of the program of the chosen policy (of all the viewer's policies while none is
    chosen): what the form offers; the service checks the chosen one against the kind of care."""
    programs = _programs(user, policy_id)
    return Clinic.objects.filter(programs__program_id__in=programs, is_active=True).distinct().order_by("name")


def request_kinds(*, user: Viewer, policy_id: int | None = None) -> list[tuple[str, str]]:
    """Kinds of care the chosen policy's program covers (all the viewer's programs while none is
    chosen), in the order they are declared."""
    covered = set(ProgramCare.objects.filter(program_id__in=_programs(user, policy_id)).values_list("kind", flat=True))
    return [(kind.value, str(kind.label)) for kind in KindOfCare if kind.value in covered]


# ── Requests ─────────────────────────────────────────────────────────────────────────────────


def requests_for_user(*, user: Viewer) -> QuerySet[CareRequest]:
    """The viewer's requests and their relatives', newest first."""
    return (
        CareRequest.objects.filter(policy_id__in=_visible_policies(user))
        .select_related("policy__insured", "clinic")
        .order_by("-created_at", "-pk")
    )


def request_for_user(*, user: Viewer, pk: int) -> CareRequest:
    found = requests_for_user(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404(_("Обращение не найдено"))
    return found


def letters_of(request: CareRequest) -> list[GuaranteeLetter]:
    return list(request.letters.select_related("clinic").prefetch_related("services").order_by("issued_at", "pk"))


def letters_for_user(*, user: Viewer) -> QuerySet[GuaranteeLetter]:
    return (
        GuaranteeLetter.objects.filter(policy_id__in=_visible_policies(user))
        .select_related("clinic", "request", "policy__insured")
        .order_by("-issued_at", "-pk")
    )


def files_of(request: CareRequest, *, user: Viewer) -> list[CareRequestFile]:
    """The request's files, for the person who sent them (a relative's holder sees their own
    uploads, not someone else's documents)."""
    if request.created_by_id != getattr(user, "pk", None):
        return []
    return list(request.files.order_by("pk"))


def request_file_for_user(*, user: Viewer, file_id: int) -> CareRequestFile:
    found = (
        CareRequestFile.objects.filter(
            pk=file_id, request__policy_id__in=_visible_policies(user), request__created_by_id=getattr(user, "pk", None)
        )
        .select_related("request")
        .first()
    )
    if found is None:
        raise Http404(_("Файл не найден"))
    return found


def passes_of(request: CareRequest) -> list[ClinicPass]:
    return list(request.passes.select_related("clinic").order_by("pk"))


def pass_for_user(*, user: Viewer, pk: int) -> ClinicPass:
    found = (
        ClinicPass.objects.filter(pk=pk, request__policy_id__in=_visible_policies(user))
        .select_related("request", "clinic")
        .first()
    )
    if found is None:
        raise Http404(_("Пропуск не найден"))
    return found


def escalations_of(request: CareRequest) -> list[Escalation]:
    return list(request.escalations.order_by("created_at", "pk"))


def can_escalate(request: CareRequest, escalations: list[Escalation]) -> bool:
    answered = request.status in (RequestStatus.APPROVED, RequestStatus.REFUSED)
    return answered and not any(e.status == EscalationStatus.OPEN for e in escalations)


# ── History ──────────────────────────────────────────────────────────────────────────────────

_ACTIONS = {
    "created": gettext_lazy("Обращение отправлено"),
    "take": gettext_lazy("Диспетчер взял обращение в работу"),
    "approve": gettext_lazy("Обращение согласовано"),
    "refuse": gettext_lazy("Пульт ответил: не страховой случай"),
    "cancel": gettext_lazy("Обращение отменено"),
    "reopen": gettext_lazy("Обращение возвращено в работу"),
    "escalated": gettext_lazy("Подана жалоба на ответ пульта"),
    "escalation_answered": gettext_lazy("Дан ответ на жалобу"),
    "pass_requested": gettext_lazy("Пульт просит фото и данные для пропуска в клинику"),
    "pass_submitted": gettext_lazy("Данные для пропуска переданы"),
    "visit_created": gettext_lazy("Назначен визит"),
    "visit_confirm": gettext_lazy("Визит отмечен как состоявшийся"),
    "visit_report_missed": gettext_lazy("Визит отмечен как несостоявшийся"),
    "visit_cancel": gettext_lazy("Визит отменён"),
    "visit_rated": gettext_lazy("Визит оценён"),
}
_LETTER_ACTIONS = {
    "created": gettext_lazy("Оформлено гарантийное письмо"),
    "approve": gettext_lazy("Гарантийное письмо согласовано врачом"),
    "approve_partly": gettext_lazy("Гарантийное письмо согласовано частично"),
    "refuse": gettext_lazy("В гарантийном письме отказано"),
    "extend": gettext_lazy("Срок гарантийного письма продлён"),
    "narrow": gettext_lazy("Объём гарантийного письма изменён"),
    "receive": gettext_lazy("Клиника получила гарантийное письмо"),
    "revoke": gettext_lazy("Гарантийное письмо отозвано"),
    "expire": gettext_lazy("Срок гарантийного письма истёк"),
    "use": gettext_lazy("Гарантийное письмо использовано"),
    "expiry_warned": gettext_lazy("Скоро истекает срок гарантийного письма"),
}


@dataclass(frozen=True)
class Step:
    event: CareEvent
    label: str


def history_of(request: CareRequest) -> list[Step]:
    """The request's steps and its letters', oldest first, in words for the insured. The desk's
    notes stay with the desk: an internal note is not the answer to the insured."""
    events = (
        CareEvent.objects.filter(Q(request=request) | Q(letter__request=request))
        .select_related("letter")
        .order_by("at", "pk")
    )
    steps = []
    for event in events:
        if event.letter_id is not None:
            label = str(_LETTER_ACTIONS.get(event.action) or _("Гарантийное письмо: изменение"))
            label = f"{label} № {event.letter.number}" if event.letter else label
        else:
            label = str(_ACTIONS.get(event.action) or _status_label(event.to_status) or _("Шаг обработки"))
        steps.append(Step(event=event, label=label))
    return steps


def _status_label(status: str) -> str:
    if status in RequestStatus.values:
        return _("Статус: %(s)s") % {"s": RequestStatus(status).label}
    return ""


# ── Visits ───────────────────────────────────────────────────────────────────────────────────


def visits_for_user(*, user: Viewer) -> QuerySet[Visit]:
    """Visits booked for the viewer and their relatives, latest first."""
    return (
        Visit.objects.filter(policy_id__in=_visible_policies(user))
        .select_related("clinic", "letter", "policy__insured", "request")
        .order_by("-starts_at", "-pk")
    )


def upcoming_visits_for_user(*, user: Viewer) -> QuerySet[Visit]:
    """Planned visits the desk booked, still ahead, soonest first: the dashboard's list."""
    return (
        visits_for_user(user=user)
        .filter(status=VisitStatus.PLANNED, starts_at__gte=clock.now())
        .order_by("starts_at", "pk")
    )


def visit_for_user(*, user: Viewer, pk: int) -> Visit:
    found = visits_for_user(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404(_("Визит не найден"))
    return found


def visits_of(request: CareRequest) -> list[Visit]:
    return list(request.visits.select_related("clinic", "letter").order_by("starts_at", "pk"))


def visit_actions(visit: Visit) -> dict[str, bool]:
    """Which buttons a visit shows: the state machine says what is allowed, a visit is marked
    once its time has come (requests.visit_confirm refuses earlier), the rating is once."""
    started = visit.starts_at <= clock.now()
    return {
        "confirm": started and states.can(visit, "confirm"),
        "report_missed": started and states.can(visit, "report_missed"),
        "rate": visit.status == VisitStatus.HAPPENED and visit.rated_at is None,
    }


# ── Reaching the desk ────────────────────────────────────────────────────────────────────────


def city_of(*, user: Viewer) -> str:
    """The city on the person's own insured record (the desk to show); "" for the federal one."""
    pk = getattr(user, "pk", None)
    if not getattr(user, "is_authenticated", False) or pk is None:
        return ""
    city = (InsuredPerson.objects.filter(user_id=pk).exclude(city="").values_list("city", flat=True)).first()
    return city or ""


def desk_now_for_user(*, user: Viewer) -> DeskNow:
    return desk_now(city=city_of(user=user))
