"""What a clinic clerk reads: its own clinic only — the card, the programs that send people
there, and the people attached to it in registry mode."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404

from polis import clock
from polis.accounts.models import Role, User
from polis.coverage.models import AccessMode, Contract, Policy, Program, ProgramClinic, ServiceMode, name_key
from polis.network.models import Clinic, KindOfCare

KIND_ORDER = {kind.value: position for position, kind in enumerate(KindOfCare)}


def _clinic_id(viewer: User) -> int:
    """The clerk's own clinic; no clinic (or not a clerk) is "not found", never someone else's."""
    if viewer.role != Role.CLINIC or viewer.clinic_id is None:
        raise Http404
    return viewer.clinic_id


def clinic_of(*, viewer: User) -> Clinic:
    clinic = Clinic.objects.filter(pk=_clinic_id(viewer)).prefetch_related("care").first()
    if clinic is None:
        raise Http404
    return clinic


@dataclass(frozen=True)
class ProgramKind:
    kind: str
    label: str
    access_mode: str
    access_label: str


@dataclass
class ServedProgram:
    program: Program
    contract: Contract
    kinds: list[ProgramKind] = field(default_factory=list)


def clinic_programs(*, viewer: User) -> list[ServedProgram]:
    """Programs that send people to the clinic, one entry per program with its kinds of care and
    how people get in for each; current and future contracts first. One query."""
    rows = (
        ProgramClinic.objects.filter(clinic_id=_clinic_id(viewer))
        .select_related("program__contract")
        .order_by("-program__contract__ends_on", "program__contract__number", "program__name", "program_id")
    )
    served: dict[int, ServedProgram] = {}
    kinds: dict[int, list[ProgramKind]] = defaultdict(list)
    for row in rows:
        served.setdefault(row.program_id, ServedProgram(program=row.program, contract=row.program.contract))
        kinds[row.program_id].append(
            ProgramKind(
                kind=row.kind,
                label=str(row.get_kind_display()),
                access_mode=row.access_mode,
                access_label=str(AccessMode(row.access_mode).label),
            )
        )
    for program_id, entry in served.items():
        entry.kinds = sorted(kinds[program_id], key=lambda k: KIND_ORDER.get(k.kind, 99))
    return list(served.values())


def clinic_attached_policies(*, viewer: User, query: str = "") -> QuerySet[Policy]:
    """People attached to the clinic in registry mode whose policy is in force today or starts
    later: whom the registry should expect. Ended policies are not the clinic's business."""
    today = clock.today()
    policies = Policy.objects.filter(
        Q(terminated_on__isnull=True) | Q(terminated_on__gt=today),
        registry_clinic_id=_clinic_id(viewer),
        service_mode=ServiceMode.REGISTRY,
        ends_on__gte=today,
    )
    for word in query.split():
        policies = policies.filter(Q(insured__name_key__contains=name_key(word)) | Q(number__icontains=word))
    return policies.select_related("insured", "program", "contract").order_by(
        "insured__last_name", "insured__first_name", "insured__patronymic", "insured__birth_date", "number"
    )
