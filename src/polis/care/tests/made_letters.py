"""Letters for the clinic's and the daily task's tests, made directly (the desk's own issuing
is tested with the desk)."""

import datetime as dt

from django.core.files.base import ContentFile

from polis import clock
from polis.accounts.models import Role, User
from polis.care import numbers
from polis.care.models import (
    AttachmentLetter,
    AttachmentStatus,
    CareRequest,
    ClinicPass,
    GuaranteeLetter,
    LetterKind,
    LetterStatus,
    PassStatus,
)
from polis.coverage.models import Policy
from polis.network.models import Clinic, KindOfCare
from polis.testing import factories as f


def dispatcher() -> User:
    return User.objects.filter(role=Role.DESK).first() or f.UserFactory(phone=None, role=Role.DESK)


def care_request(policy: Policy) -> CareRequest:
    request = CareRequest.objects.create(
        number=numbers.placeholder(),
        policy=policy,
        created_by=policy.insured.user or dispatcher(),
        complaints="Боль в горле, температура 38",
        kind=KindOfCare.OUTPATIENT,
        desired_date=dt.date(2026, 11, 21),
    )
    numbers.assign_number(request, numbers.REQUEST)
    return request


def letter(
    policy: Policy,
    clinic: Clinic,
    *,
    status: str = LetterStatus.ISSUED,
    valid_from: dt.date = dt.date(2026, 11, 20),
    valid_to: dt.date = dt.date(2026, 12, 19),
    **fields: object,
) -> GuaranteeLetter:
    made = GuaranteeLetter.objects.create(
        number=numbers.placeholder(),
        request=care_request(policy),
        policy=policy,
        clinic=clinic,
        kind=fields.pop("kind", LetterKind.CONSULTATION),
        complaints="Боль в горле, температура 38",
        icd10="J02.9",
        scope=fields.pop("scope", "Консультация терапевта, общий анализ крови"),
        valid_from=valid_from,
        valid_to=valid_to,
        status=status,
        issued_by=dispatcher(),
        issued_at=clock.now(),
        **fields,
    )
    numbers.assign_number(made, numbers.LETTER)
    return made


def clinic_pass(letter: GuaranteeLetter, *, photo: bytes = b"\xff\xd8jpeg") -> ClinicPass:
    made = ClinicPass.objects.create(
        request=letter.request,
        clinic=letter.clinic,
        status=PassStatus.SUBMITTED,
        requested_by=dispatcher(),
        document="Паспорт 45 12 345678",
        car_number="А123ВС777",
        photo_content_type="image/jpeg",
        submitted_at=clock.now(),
    )
    made.photo.save("face.jpg", ContentFile(photo))
    return made


def attachment(
    policy: Policy,
    clinic: Clinic,
    *,
    status: str = AttachmentStatus.SENT,
    generated_on: dt.date = dt.date(2026, 11, 18),
    send_on: dt.date = dt.date(2026, 11, 19),
    valid_to: dt.date = dt.date(2026, 12, 31),
) -> AttachmentLetter:
    made = AttachmentLetter.objects.create(
        number=numbers.placeholder(),
        policy=policy,
        clinic=clinic,
        generated_on=generated_on,
        send_on=send_on,
        sent_at=clock.now() if status == AttachmentStatus.SENT else None,
        valid_from=generated_on,
        valid_to=valid_to,
        status=status,
    )
    numbers.assign_number(made, numbers.ATTACHMENT)
    return made
