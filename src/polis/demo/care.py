"""The medical desk in the demo, put through the real services as the demo's people would:

- Anna (anna.sokolova@example.ru): an approved request with a guarantee letter the clinic on
  Krasnaya Presnya has received and a visit to a neurologist in two days; her daughter's visit
  last week, happened and waiting for Anna's rating; a refused request (a chronic disease out of
  exacerbation) she escalated to the curator;
- the dispatcher (desk@example.ru): a queue of requests from several people, urgent and routine,
  minutes to hours old, one with a photo of a referral, one taken in work with a clinic pass asked
  for, one with a letter above the threshold waiting for the second doctor;
- the curator (curator@example.ru): that letter to approve and Anna's escalation to answer;
- the clinic's clerk (clinic@example.ru): the desk's letters to the clinic and an attachment
  letter sent after a move to registry mode;
- the back office (admin@example.ru): programs with both tariffs, quarterly installments, a move
  to registry mode matched to its payment and another waiting for the payment.

Dates follow the load day: letters run from today, visits are in the next days, and what happened
before is backdated once the services have run. Notices the services send go to the outbox.

Added once: a demo where Anna's approved request exists is left alone."""

import datetime as dt
import struct
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q

from polis import calendar, clock
from polis.accounts.models import Role, User
from polis.care import clinic as clinic_services
from polis.care import desk, desk_letters, modes, requests
from polis.care.daily import attachments_send_due
from polis.care.desk_letters import ServiceLine
from polis.care.models import (
    CareRequest,
    ContactChannel,
    Escalation,
    EscalationTo,
    GuaranteeLetter,
    LetterKind,
    RefusalReason,
    ServiceModeChange,
    TimeWindow,
    Urgency,
    Visit,
    month_later,
)
from polis.coverage.models import (
    Contract,
    ContractInstallment,
    Policy,
    PolicyStatus,
    Program,
    ProgramClinic,
    ServiceMode,
)
from polis.demo.clinics import CHILDREN_SEEN, CLINIC_CODES, PRESNYA
from polis.demo.franchise import ANNAS_DAUGHTER, PAVELS_SON
from polis.demo.insured import ANNA, PAVEL
from polis.demo.registries import ANNAS_HUSBAND
from polis.demo.users import CURATOR_EMAIL, ensure_staff_login
from polis.network.models import Clinic, Doctor, KindOfCare

# Anna's approved request: when it exists, the desk's demo has been added.
MARKER_COMPLAINTS = (
    "Вторую неделю болит поясница, боль отдаёт в левую ногу, усиливается к вечеру и при наклонах. "
    "Прошу записать к неврологу."
)
DEMO_CONTRACTS = ("ДМС-0148/26", "ДМС-0211/26", "ДМС-Ф-0593/26", "ДМС-0097/25")
# Premium per person a year by the program's price category: through the desk, through a registry.
TARIFFS = {1: (29_000_00, 39_000_00), 2: (38_000_00, 52_000_00), 3: (56_000_00, 76_000_00)}


@dataclass(frozen=True)
class Cast:
    dispatcher: User
    curator: User
    clerk: User
    backoffice: User
    anna: User
    pavel: User | None
    clinic: Clinic


def care_demo_loaded() -> bool:
    return CareRequest.objects.filter(complaints=MARKER_COMPLAINTS).exists()


@transaction.atomic
def add_care_demo() -> bool:
    """Returns False, changing nothing, when the desk's demo is there already or the demo's
    dispatcher, clerk, back office or Anna are not."""
    if care_demo_loaded():
        return False
    cast = _cast()
    if cast is None:
        return False
    _anna_story(cast)
    _queue(cast)
    _registry_mode(cast)
    return True


def _cast() -> Cast | None:
    emails = ("desk@example.ru", "anna.sokolova@example.ru", "admin@example.ru", "pavel.orlov@example.ru")
    users = {u.email: u for u in User.objects.filter(email__in=emails, is_active=True)}
    clinic = Clinic.objects.filter(code=CLINIC_CODES[PRESNYA]).first()
    dispatcher, anna = users.get("desk@example.ru"), users.get("anna.sokolova@example.ru")
    backoffice = users.get("admin@example.ru")
    clerk = User.objects.filter(role=Role.CLINIC, clinic=clinic, is_active=True).order_by("pk").first()
    if clinic is None or dispatcher is None or anna is None or backoffice is None or clerk is None:
        return None
    policy = Policy.objects.filter(number=ANNA, insured__user=anna).first()
    week = clock.today() + dt.timedelta(days=7)
    if (
        policy is None
        or policy.status_on(clock.today()) != PolicyStatus.ACTIVE
        or policy.status_on(week) != PolicyStatus.ACTIVE
    ):
        # The demo's contracts are for 2026: loaded after their end, there is no desk to show.
        return None
    curator = ensure_staff_login(CURATOR_EMAIL)
    assert curator is not None
    return Cast(dispatcher, curator, clerk, backoffice, anna, users.get("pavel.orlov@example.ru"), clinic)


# ── Time ─────────────────────────────────────────────────────────────────────────────────────


def _ago(**delta: float) -> dt.datetime:
    return clock.now() - dt.timedelta(**delta)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=clock.local_zone())


def _backdate(request: CareRequest, *, created: dt.datetime, **fields: dt.datetime) -> None:
    CareRequest.objects.filter(pk=request.pk).update(created_at=created, **fields)
    request.refresh_from_db()


# ── Anna ─────────────────────────────────────────────────────────────────────────────────────


def _policy(number: str) -> Policy | None:
    policy = Policy.objects.select_related("insured", "program").filter(number=number).first()
    if policy is None or policy.status_on(clock.today()) != PolicyStatus.ACTIVE:
        return None
    return policy


def _outpatient_clinic(policy: Policy, prefer: Clinic, *, children: bool = False) -> Clinic:
    """The clerk's clinic when it is in the policy's program for outpatient care (and sees
    children, for a child), else the first one that is."""
    found = ProgramClinic.objects.filter(
        program_id=policy.program_id, kind=KindOfCare.OUTPATIENT, clinic__is_active=True
    ).order_by("clinic__code")
    if children:
        found = found.filter(clinic__code__in=[CLINIC_CODES[key] for key in CHILDREN_SEEN if key in CLINIC_CODES])
    if found.filter(clinic=prefer).exists():
        return prefer
    first = found.select_related("clinic").first()
    assert first is not None, policy.program
    return first.clinic


def _doctor(clinic: Clinic, specialty: str, fallback: str) -> str:
    doctor = (
        Doctor.objects.filter(clinic=clinic, is_active=True, specialty__name__icontains=specialty)
        .order_by("last_name", "pk")
        .first()
    )
    if doctor is None:
        return fallback
    return " ".join(part for part in (doctor.last_name, doctor.first_name, doctor.patronymic) if part)


def _anna_story(cast: Cast) -> None:
    anna_policy = _policy(ANNA)
    assert anna_policy is not None
    today = clock.today()

    # An approved request: the letter is received by the clinic, the visit is in two days.
    clinic = _outpatient_clinic(anna_policy, cast.clinic)
    request = requests.request_submit(
        user=cast.anna,
        policy=anna_policy,
        complaints=MARKER_COMPLAINTS,
        kind=KindOfCare.OUTPATIENT,
        clinic=clinic,
        desired_date=today + dt.timedelta(days=2),
        time_windows=[TimeWindow.MORNING],
        contact_channel=ContactChannel.CALL,
    )
    _backdate(request, created=_ago(hours=2, minutes=10))
    desk.request_take(request=request, dispatcher=cast.dispatcher)
    letter = desk_letters.letter_issue(
        request=request,
        dispatcher=cast.dispatcher,
        clinic=clinic,
        kind=LetterKind.CONSULTATION,
        scope="",
        icd10="M54.5",
        services=[
            ServiceLine("B01.023.001", "Приём (осмотр, консультация) врача-невролога первичный"),
            ServiceLine("B01.023.002", "Приём (осмотр, консультация) врача-невролога повторный"),
        ],
        sum_limit_kopecks=12_000_00,
    )
    clinic_services.letter_receive(letter=letter, clerk=cast.clerk)
    desk.visit_book(
        request=request,
        dispatcher=cast.dispatcher,
        clinic=clinic,
        starts_at=_at(today + dt.timedelta(days=2), 10, 30),
        specialist="Невролог",
        doctor=_doctor(clinic, "невролог", "Смирнова Ирина Олеговна"),
        note="Паспорт и полис; выписки и снимки, если есть. Подойдите в регистратуру за 15 минут до приёма.",
        letter=letter,
    )
    CareRequest.objects.filter(pk=request.pk).update(taken_at=_ago(hours=1, minutes=55))

    _daughters_visit(cast, today)
    _refused_and_escalated(cast, anna_policy, today)


def _daughters_visit(cast: Cast, today: dt.date) -> None:
    """Last week: a paediatrician under a letter; the visit happened, Anna has not rated it."""
    policy = _policy(ANNAS_DAUGHTER)
    if policy is None:
        return
    clinic = _outpatient_clinic(policy, cast.clinic, children=True)
    request = requests.request_submit(
        user=cast.anna,
        policy=policy,
        complaints="Дочь кашляет шестой день, вечером температура до 37,6. Нужен педиатр, лучше после школы.",
        kind=KindOfCare.OUTPATIENT,
        clinic=clinic,
        desired_date=today,
        time_windows=[TimeWindow.EVENING],
        contact_channel=ContactChannel.CALL,
    )
    desk.request_take(request=request, dispatcher=cast.dispatcher)
    letter = desk_letters.letter_issue(
        request=request,
        dispatcher=cast.dispatcher,
        clinic=clinic,
        kind=LetterKind.CONSULTATION,
        scope="",
        icd10="J20.9",
        services=[ServiceLine("B01.031.001", "Приём (осмотр, консультация) врача-педиатра первичный")],
    )
    visit = desk.visit_book(
        request=request,
        dispatcher=cast.dispatcher,
        clinic=clinic,
        starts_at=clock.now() + dt.timedelta(minutes=5),
        specialist="Педиатр",
        doctor=_doctor(clinic, "педиатр", "Корнилова Светлана Игоревна"),
        note="Полис ребёнка и свидетельство о рождении.",
        letter=letter,
    )
    # Then it all moves to last week: asked on Monday-ish, seen the next day at 17:00.
    asked = _at(today - dt.timedelta(days=6), 9, 40)
    seen = _at(today - dt.timedelta(days=5), 17, 0)
    _backdate(
        request,
        created=asked,
        taken_at=asked + dt.timedelta(minutes=12),
        answered_at=asked + dt.timedelta(minutes=48),
    )
    GuaranteeLetter.objects.filter(pk=letter.pk).update(
        valid_from=asked.date(), valid_to=month_later(asked.date()), issued_at=asked + dt.timedelta(minutes=47)
    )
    Visit.objects.filter(pk=visit.pk).update(starts_at=seen, created_at=asked + dt.timedelta(minutes=50))
    visit.refresh_from_db()
    letter.refresh_from_db()
    clinic_services.letter_receive(letter=letter, clerk=cast.clerk)
    clinic_services.letter_use(letter=letter, clerk=cast.clerk)
    GuaranteeLetter.objects.filter(pk=letter.pk).update(received_at=asked + dt.timedelta(hours=2))
    requests.visit_confirm(visit=visit, user=cast.anna)
    Visit.objects.filter(pk=visit.pk).update(confirmed_at=seen + dt.timedelta(hours=3))


def _refused_and_escalated(cast: Cast, policy: Policy, today: dt.date) -> None:
    request = requests.request_submit(
        user=cast.anna,
        policy=policy,
        complaints=(
            "Хронический гастрит, сейчас ничего не беспокоит. Хочу планово пройти гастроскопию и УЗИ "
            "брюшной полости — год не проверялась."
        ),
        kind=KindOfCare.OUTPATIENT,
        clinic=None,
        desired_date=today + dt.timedelta(days=7),
        contact_channel=ContactChannel.ACCOUNT,
    )
    desk.request_take(request=request, dispatcher=cast.dispatcher)
    desk.request_refuse(
        request=request,
        dispatcher=cast.dispatcher,
        reason=RefusalReason.CHRONIC,
        answer=(
            "Анна Викторовна, спасибо, что обратились. Программа ДМС оплачивает помощь при хронических "
            "заболеваниях в период обострения, а плановый контроль без жалоб в неё не входит. Если появятся "
            "боль, изжога или тяжесть после еды — оставьте новое обращение, и мы сразу запишем вас к "
            "гастроэнтерологу. Плановую гастроскопию можно пройти и по полису ОМС в поликлинике по месту "
            "прикрепления."
        ),
    )
    asked = _at(today - dt.timedelta(days=3), 11, 5)
    _backdate(
        request,
        created=asked,
        taken_at=asked + dt.timedelta(minutes=20),
        answered_at=asked + dt.timedelta(hours=1, minutes=15),
    )
    escalation = requests.escalation_raise(
        request=request,
        user=cast.anna,
        to=EscalationTo.CURATOR,
        text=(
            "Не согласна с отказом. Месяц назад гастроэнтеролог в клинике по программе рекомендовал "
            "контрольную гастроскопию через месяц из-за изжоги — это назначение врача, а не моё желание. "
            "Прошу пересмотреть."
        ),
    )
    Escalation.objects.filter(pk=escalation.pk).update(created_at=_at(today - dt.timedelta(days=1), 19, 20))


# ── The desk's queue ─────────────────────────────────────────────────────────────────────────


def _strangers(count: int, *, exclude: set[int]) -> list[Policy]:
    """Moscow employees on desk mode without an account: they call the desk."""
    found = (
        Policy.objects.select_related("insured", "program")
        .filter(number__startswith="001-", relation="employee", service_mode=ServiceMode.DESK, insured__user=None)
        .exclude(pk__in=exclude)
        .order_by("number")
    )
    today = clock.today()
    return [p for p in found if p.status_on(today) == PolicyStatus.ACTIVE][:count]


def _queue(cast: Cast) -> None:
    today = clock.today()
    husband = _policy(ANNAS_HUSBAND)
    if husband is not None:
        referral = SimpleUploadedFile("napravlenie-uzi.png", _png(), content_type="image/png")
        request = requests.request_submit(
            user=cast.anna,
            policy=husband,
            complaints=(
                "Для мужа: терапевт направил на УЗИ щитовидной железы и анализы на гормоны (ТТГ, Т4 свободный). "
                "Фото направления прикладываю."
            ),
            kind=KindOfCare.OUTPATIENT,
            clinic=None,
            desired_date=today + dt.timedelta(days=4),
            time_windows=[TimeWindow.MORNING, TimeWindow.DAY],
            contact_channel=ContactChannel.CALL,
            files=[referral],
        )
        _backdate(request, created=_ago(hours=3, minutes=40))

    pavel = _policy(PAVEL)
    if cast.pavel is not None and pavel is not None and pavel.insured.user_id == cast.pavel.pk:
        request = requests.request_submit(
            user=cast.pavel,
            policy=pavel,
            complaints="С утра температура 38,7, сильно болит горло, больно глотать. Нужен врач сегодня.",
            kind=KindOfCare.OUTPATIENT,
            clinic=None,
            desired_date=today,
            contact_channel=ContactChannel.CALL,
            urgency=Urgency.URGENT,
        )
        _backdate(request, created=_ago(minutes=7))
        son = _policy(PAVELS_SON)
        if son is not None and ProgramClinic.objects.filter(program_id=son.program_id, kind="home_care").exists():
            request = requests.request_submit(
                user=cast.pavel,
                policy=son,
                complaints="Сыну 7 лет: ночью поднялась температура 39, рвота два раза. Прошу врача на дом.",
                kind=KindOfCare.HOME_CARE,
                clinic=None,
                desired_date=today,
                contact_channel=ContactChannel.CALL,
                urgency=Urgency.URGENT,
            )
            _backdate(request, created=_ago(minutes=24))

    used = set(Policy.objects.filter(number__in=[ANNA, ANNAS_HUSBAND, ANNAS_DAUGHTER]).values_list("pk", flat=True))
    callers = _strangers(2, exclude=used)
    if callers:
        _call_with_pass(cast, callers[0], today)
    if len(callers) > 1:
        _letter_for_the_second_doctor(cast, callers[1], today)


def _call_with_pass(cast: Cast, policy: Policy, today: dt.date) -> None:
    """Taken in work during the call; the clinic has an access system: a pass is asked for."""
    place = (
        ProgramClinic.objects.filter(
            program_id=policy.program_id, kind=KindOfCare.OUTPATIENT, clinic__has_access_control=True
        )
        .select_related("clinic")
        .order_by("clinic__code")
        .first()
    )
    clinic = place.clinic if place is not None else None
    request = desk.request_create_for_caller(
        policy=policy,
        dispatcher=cast.dispatcher,
        complaints=(
            "Третий день головокружение и шум в ушах, давление 150/95. Хочет к кардиологу в ближайшие дни, "
            "удобно после 16:00."
        ),
        kind=KindOfCare.OUTPATIENT,
        desired_date=today + dt.timedelta(days=1),
        clinic=clinic,
        time_windows=[TimeWindow.EVENING],
    )
    _backdate(request, created=_ago(minutes=52), taken_at=_ago(minutes=52))
    if clinic is not None:
        desk.pass_request(request=request, clinic=clinic, dispatcher=cast.dispatcher)


def _letter_for_the_second_doctor(cast: Cast, policy: Policy, today: dt.date) -> None:
    """An MRI above the threshold: the letter waits for the curator's approval."""
    request = desk.request_create_for_caller(
        policy=policy,
        dispatcher=cast.dispatcher,
        complaints=(
            "Боли в шейном отделе позвоночника два месяца, немеют пальцы правой руки. Невролог назначил МРТ "
            "шейного отдела и головного мозга с контрастом."
        ),
        kind=KindOfCare.OUTPATIENT,
        desired_date=today + dt.timedelta(days=3),
    )
    _backdate(request, created=_ago(hours=4, minutes=15), taken_at=_ago(hours=4, minutes=5))
    place = (
        ProgramClinic.objects.filter(program_id=policy.program_id, kind=KindOfCare.OUTPATIENT, clinic__is_active=True)
        .select_related("clinic")
        .order_by("-clinic__price_category", "clinic__code")
        .first()
    )
    assert place is not None
    desk_letters.letter_issue(
        request=request,
        dispatcher=cast.dispatcher,
        clinic=place.clinic,
        kind=LetterKind.DIAGNOSTICS,
        scope="",
        icd10="M50.1",
        services=[
            ServiceLine("A05.03.002.001", "МРТ шейного отдела позвоночника с контрастированием"),
            ServiceLine("A05.23.009.001", "МРТ головного мозга с контрастированием"),
        ],
        sum_limit_kopecks=max(68_400_00, settings.DESK_LETTER_APPROVAL_KOPECKS + 10_000_00),
    )


# ── Registry mode ────────────────────────────────────────────────────────────────────────────


def _registry_mode(cast: Cast) -> None:
    for program in Program.objects.filter(tariff_registry_kopecks=None, contract__number__in=DEMO_CONTRACTS):
        desk_tariff, registry_tariff = TARIFFS.get(program.price_category, TARIFFS[2])
        program.tariff_desk_kopecks = program.tariff_desk_kopecks or desk_tariff
        program.tariff_registry_kopecks = max(registry_tariff, program.tariff_desk_kopecks)
        program.save(update_fields=["tariff_desk_kopecks", "tariff_registry_kopecks"])
    for contract in Contract.objects.filter(number__in=DEMO_CONTRACTS):
        if not contract.installments.exists():
            ContractInstallment.objects.bulk_create(
                ContractInstallment(contract=contract, due_on=_months_later(contract.starts_on, months))
                for months in (0, 3, 6, 9)
            )

    today = clock.today()
    candidates = (
        Policy.objects.select_related("insured", "program")
        .filter(number__startswith="001-", service_mode=ServiceMode.DESK, insured__user=None, relation="employee")
        .exclude(Q(care_requests__isnull=False) | Q(mode_changes__isnull=False))
        .order_by("-number")
        .distinct()
    )
    movers = [p for p in candidates if not modes.mode_change_refusal(policy=p, today=today)]
    paid_on = _paid_on(today)
    attached = next(
        (
            p
            for p in movers
            if p.status_on(paid_on) == PolicyStatus.ACTIVE
            and modes.eligible_clinics(policy=p).filter(pk=cast.clinic.pk).exists()
        ),
        None,
    )
    if attached is not None:
        change = modes.mode_change_request(policy=attached, clinic=cast.clinic, staff=cast.backoffice)
        change.requested_at = _at(max(paid_on - dt.timedelta(days=3), attached.starts_on), 11, 30)
        ServiceModeChange.objects.filter(pk=change.pk).update(requested_at=change.requested_at)
        modes.mode_change_match_payment(
            change=change, staff=cast.backoffice, paid_on=paid_on, reference=f"п/п № 4187 от {paid_on:%d.%m.%Y}"
        )
        attachments_send_due(today=today)
    waiting = next((p for p in movers if attached is None or p.pk != attached.pk), None)
    if waiting is not None:
        clinics = modes.eligible_clinics(policy=waiting)
        clinic = clinics.exclude(pk=cast.clinic.pk).first() or clinics.first()
        if clinic is not None:
            modes.mode_change_request(policy=waiting, clinic=clinic, staff=cast.backoffice)


def _paid_on(today: dt.date) -> dt.date:
    """The last working day before today whose next working day is not after today: the
    attachment letter is due to the clinic by today."""
    day = today - dt.timedelta(days=1)
    while not calendar.is_working_day(day) or calendar.next_working_day(day) > today:
        day -= dt.timedelta(days=1)
    return day


def _months_later(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    return day.replace(year=day.year + year, month=month + 1, day=min(day.day, 28))


# ── A photo of a referral ────────────────────────────────────────────────────────────────────


def _png(width: int = 96, height: int = 64) -> bytes:
    """A small grey image of a printed page: a valid PNG, so the upload's content check takes it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = []
    for y in range(height):
        line = 8 <= y < height - 8 and y % 6 in (0, 1)
        row = bytes(90 if line and 10 <= x < width - (30 if y % 12 == 0 else 10) else 238 for x in range(width))
        rows.append(b"\x00" + row)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )
