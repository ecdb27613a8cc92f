"""What the insured's tests of the desk share: a program with outpatient care and dentistry in
one clinic, and the desk's side (letters, visits, passes) made directly in the database — the
desk's services are tested on their own."""

import datetime as dt

from polis.accounts.models import Role, User
from polis.care import numbers
from polis.care.models import (
    CareRequest,
    ClinicPass,
    GuaranteeLetter,
    LetterKind,
    LetterStatus,
    RequestStatus,
    Visit,
    VisitStatus,
)
from polis.coverage.models import Policy
from polis.network.models import Clinic, KindOfCare
from polis.testing import factories as f

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"\x00" * 64
MSK_NOON = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)  # the frozen clock


def cover(policy: Policy, *kinds: str, clinic: Clinic | None = None) -> Clinic:
    """The policy's program covers `kinds` in `clinic` (a new one unless given)."""
    clinic = clinic or f.ClinicFactory(name="Клиника «Здоровье»", address="г. Москва, ул. Лесная, д. 5")
    for kind in kinds:
        f.ProgramCareFactory(program=policy.program, kind=kind)
        f.ProgramClinicFactory(program=policy.program, clinic=clinic, kind=kind)
    return clinic


def desk_person() -> User:
    return User.objects.filter(role=Role.DESK).first() or f.UserFactory(
        email="dispatcher@example.ru", phone=None, role=Role.DESK
    )


def make_request(policy: Policy, *, by: User, status: str = RequestStatus.NEW, **fields: object) -> CareRequest:
    request = CareRequest.objects.create(
        number=numbers.placeholder(),
        policy=policy,
        created_by=by,
        complaints=fields.pop("complaints", "Болит горло третий день"),
        kind=fields.pop("kind", KindOfCare.OUTPATIENT),
        desired_date=fields.pop("desired_date", dt.date(2026, 11, 23)),
        status=status,
        **fields,
    )
    numbers.assign_number(request, numbers.REQUEST)
    return request


def make_letter(request: CareRequest, clinic: Clinic, **fields: object) -> GuaranteeLetter:
    letter = GuaranteeLetter.objects.create(
        number=numbers.placeholder(),
        request=request,
        policy=request.policy,
        clinic=clinic,
        kind=fields.pop("kind", LetterKind.CONSULTATION),
        scope=fields.pop("scope", "Приём терапевта, общий анализ крови"),
        valid_from=fields.pop("valid_from", dt.date(2026, 11, 20)),
        valid_to=fields.pop("valid_to", dt.date(2026, 12, 19)),
        status=fields.pop("status", LetterStatus.ISSUED),
        issued_by=desk_person(),
        **fields,
    )
    numbers.assign_number(letter, numbers.LETTER)
    return letter


def make_visit(
    request: CareRequest, clinic: Clinic, *, letter: GuaranteeLetter | None = None, **fields: object
) -> Visit:
    return Visit.objects.create(
        request=request,
        letter=letter,
        policy=request.policy,
        clinic=clinic,
        kind=fields.pop("kind", KindOfCare.OUTPATIENT),
        specialist=fields.pop("specialist", "Терапевт"),
        doctor=fields.pop("doctor", "Петров Пётр Петрович"),
        starts_at=fields.pop("starts_at", MSK_NOON - dt.timedelta(hours=2)),
        address=fields.pop("address", clinic.address),
        status=fields.pop("status", VisitStatus.PLANNED),
        booked_by=desk_person(),
        **fields,
    )


def make_pass(request: CareRequest, clinic: Clinic) -> ClinicPass:
    return ClinicPass.objects.create(request=request, clinic=clinic, requested_by=desk_person())
