"""The insured's writes to the medical desk: a request (for themselves or a relative), its
cancellation, an escalation of the desk's answer, a clinic pass's data, and a visit's outcome
and rating. Each checks that the object is the viewer's (own or a relative's policy they hold:
anything else is not found), then the rule, and refuses with a CareError in Russian.

Status steps go through care.states.advance (a conditional UPDATE with its CareEvent), so a
double click or a race with the desk moves a request or a visit once."""

import datetime as dt
import uuid
from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from polis import clock
from polis.accounts.models import User
from polis.care import numbers, states
from polis.care.insured_selectors import policy_visible
from polis.care.models import (
    CareRequest,
    CareRequestFile,
    ClinicPass,
    ContactChannel,
    Escalation,
    EscalationTo,
    PassStatus,
    RequestStatus,
    TimeWindow,
    Urgency,
    Visit,
    VisitStatus,
)
from polis.care.states import CareError
from polis.coverage.models import Policy, PolicyStatus, ProgramCare, ProgramClinic
from polis.network.models import Clinic, KindOfCare
from polis.notify.services import email_send, notification_create, sms_send
from polis.phone import InvalidPhone, normalize_phone
from polis.uploads import UploadError, files_check

MAX_TEXT = 4000
MAX_DOCUMENT = 100
MAX_CAR_NUMBER = 20
ALREADY_ESCALATED = gettext_lazy("По обращению уже есть жалоба на рассмотрении: дождитесь ответа.")


def _check_visible(*, user: User, policy_id: int) -> None:
    # The pages and the API find the object through the viewer's selectors first; this is the
    # last line for a caller that did not.
    if not policy_visible(user=user, policy_id=policy_id):
        raise Http404(_("Не найдено"))


def _year_ahead(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


# ── A request ────────────────────────────────────────────────────────────────────────────────


def _check_request(*, policy: Policy, complaints: str, kind: str, clinic: Clinic | None, desired_date: dt.date) -> None:
    if not complaints:
        raise CareError(_("Опишите жалобы: что беспокоит и с какого времени."), field="complaints")
    if len(complaints) > MAX_TEXT:
        raise CareError(_("Описание длиннее %(n)s знаков.") % {"n": MAX_TEXT}, field="complaints")
    if kind not in KindOfCare.values:
        raise CareError(_("Выберите вид помощи."), field="kind")
    today = clock.today()
    if desired_date < today:
        raise CareError(_("Желаемая дата уже прошла: выберите сегодняшнюю или более позднюю."), field="desired_date")
    if desired_date > _year_ahead(today):
        raise CareError(
            _("Обращение принимается не больше чем на год вперёд: до %(d)s.")
            % {"d": _year_ahead(today).strftime("%d.%m.%Y")},
            field="desired_date",
        )
    if policy.status_on(desired_date) != PolicyStatus.ACTIVE:
        raise CareError(
            _("Полис № %(n)s не действует %(d)s: срок полиса %(from)s–%(to)s.")
            % {
                "n": policy.number,
                "d": desired_date.strftime("%d.%m.%Y"),
                "from": policy.starts_on.strftime("%d.%m.%Y"),
                "to": (
                    policy.terminated_on - dt.timedelta(days=1) if policy.terminated_on else policy.ends_on
                ).strftime("%d.%m.%Y"),
            },
            field="desired_date",
        )
    label = KindOfCare(kind).label
    if not ProgramCare.objects.filter(program_id=policy.program_id, kind=kind).exists():
        raise CareError(
            _("«%(kind)s» не входит в программу полиса № %(n)s.") % {"kind": label, "n": policy.number}, field="kind"
        )
    if (
        clinic is not None
        and not ProgramClinic.objects.filter(program_id=policy.program_id, clinic=clinic, kind=kind).exists()
    ):
        words = _("Клиника «%(clinic)s» не входит в программу полиса для вида помощи «%(kind)s».")
        choose = _("Выберите другую или доверьте выбор пульту.")
        raise CareError(f"{words % {'clinic': clinic.name, 'kind': label}} {choose}", field="clinic")


def _contact_phone(*, user: User, channel: str, phone: str) -> str:
    if phone.strip():
        try:
            return normalize_phone(phone)
        except InvalidPhone:
            raise CareError(_("Введите мобильный номер, например +7 912 345-67-89."), field="contact_phone") from None
    if channel in (ContactChannel.CALL, ContactChannel.SMS):
        if not user.phone:
            raise CareError(_("Укажите телефон, по которому пульт вам позвонит или напишет."), field="contact_phone")
        return user.phone
    return ""


def request_submit(
    *,
    user: User,
    policy: Policy,
    complaints: str,
    kind: str,
    clinic: Clinic | None,
    desired_date: dt.date,
    time_windows: Sequence[str] = (),
    contact_channel: str = ContactChannel.CALL,
    contact_phone: str = "",
    urgency: str = Urgency.ROUTINE,
    files: Sequence[UploadedFile] = (),
) -> CareRequest:
    """A request to the desk under one of the viewer's policies (own or a relative's they hold).
    The person is told it was received: in the account, by SMS and by e-mail where known."""
    _check_visible(user=user, policy_id=policy.pk)
    complaints = (complaints or "").strip()
    _check_request(policy=policy, complaints=complaints, kind=kind, clinic=clinic, desired_date=desired_date)
    windows = [w for w in TimeWindow.values if w in set(time_windows)]
    if len(windows) != len(set(time_windows)):
        raise CareError(_("Выберите удобное время из предложенного."), field="time_windows")
    if contact_channel not in ContactChannel.values:
        raise CareError(_("Выберите, как с вами связаться."), field="contact_channel")
    if contact_channel == ContactChannel.EMAIL and not user.email:
        raise CareError(_("В профиле нет e-mail: выберите другой способ связи."), field="contact_channel")
    phone = _contact_phone(user=user, channel=contact_channel, phone=contact_phone)
    if urgency not in Urgency.values:
        raise CareError(_("Выберите срочность."), field="urgency")
    try:
        checked = files_check(files)
    except UploadError as refused:
        raise CareError(refused.message, field=refused.field) from None
    with transaction.atomic():
        request = CareRequest.objects.create(
            number=numbers.placeholder(),
            policy=policy,
            created_by=user,
            complaints=complaints,
            kind=kind,
            clinic=clinic,
            desired_date=desired_date,
            time_windows=windows,
            contact_channel=contact_channel,
            contact_phone=phone,
            urgency=urgency,
            created_at=clock.now(),
        )
        numbers.assign_number(request, numbers.REQUEST)
        for item in checked:
            stored = CareRequestFile(request=request, name=item.name, content_type=item.content_type, size=item.size)
            # Stored under a random name with the extension of what it is, never the sender's.
            stored.file.save(f"{uuid.uuid4().hex}{item.extension}", item.upload, save=False)
            stored.save()
        states.record(request, action="created", actor=user, to_status=RequestStatus.NEW)
        _tell_received(request, user=user)
    return request


def _tell_received(request: CareRequest, *, user: User) -> None:
    title = _("Обращение № %(n)s принято") % {"n": request.number}
    who = request.policy.insured.short_name
    body = _("%(who)s: %(kind)s, желаемая дата %(d)s. Диспетчер пульта свяжется с вами.") % {
        "who": who,
        "kind": KindOfCare(request.kind).label.lower(),
        "d": request.desired_date.strftime("%d.%m.%Y"),
    }
    if request.urgency == Urgency.URGENT:
        body += " " + _("Если состояние ухудшается, звоните 103 или 112.")
    notification_create(user=user, title=title, body=body, link=reverse("care_my:detail", args=[request.pk]))
    phone = request.contact_phone or user.phone
    if phone:
        sms_send(phone=phone, text=f"{title}. {body}")
    if user.email:
        email_send(to=user.email, subject=title, text=body)


def request_cancel(*, request: CareRequest, user: User) -> CareRequest:
    """The insured takes a request back while the desk has not answered it."""
    _check_visible(user=user, policy_id=request.policy_id)
    states.advance(request, "cancel", actor=user, closed_at=clock.now())
    return request


# ── Escalation ───────────────────────────────────────────────────────────────────────────────


def escalation_raise(*, request: CareRequest, user: User, to: str, text: str) -> Escalation:
    """The insured disagrees with the desk's answer and asks a curator or the shift's senior.
    Only once the desk has answered; one escalation on review at a time."""
    _check_visible(user=user, policy_id=request.policy_id)
    if request.status not in (RequestStatus.APPROVED, RequestStatus.REFUSED):
        raise CareError(_("Пожаловаться на ответ можно, когда пульт ответит на обращение."))
    if to not in EscalationTo.values:
        raise CareError(_("Выберите, кому направить жалобу."), field="to")
    text = (text or "").strip()
    if not text:
        raise CareError(_("Напишите, с чем вы не согласны."), field="text")
    if len(text) > MAX_TEXT:
        raise CareError(_("Текст длиннее %(n)s знаков.") % {"n": MAX_TEXT}, field="text")
    try:
        with transaction.atomic():
            escalation = Escalation.objects.create(
                request=request, raised_by=user, to=to, text=text, created_at=clock.now()
            )
            states.record(request, action="escalated", actor=user, note=str(EscalationTo(to).label))
    except IntegrityError:
        # Another tab's escalation committed first: the partial unique index keeps one open.
        raise CareError(str(ALREADY_ESCALATED)) from None
    return escalation


# ── A clinic pass ────────────────────────────────────────────────────────────────────────────


def pass_submit(
    *, clinic_pass: ClinicPass, user: User, photo: UploadedFile | None, document: str, car_number: str = ""
) -> ClinicPass:
    """The photo (an image, checked by its bytes) and the identity document for a pass the desk
    asked for; once."""
    request = clinic_pass.request
    _check_visible(user=user, policy_id=request.policy_id)
    if clinic_pass.status != PassStatus.REQUESTED:
        raise CareError(_("Данные для пропуска уже переданы в клинику."))
    if photo is None:
        raise CareError(_("Приложите фотографию для пропуска."), field="photo")
    try:
        (checked,) = files_check([photo], images_only=True, max_files=1, field="photo")
    except UploadError as refused:
        raise CareError(refused.message, field=refused.field) from None
    document = " ".join((document or "").split())
    if not document:
        raise CareError(_("Укажите документ, удостоверяющий личность: вид, серию и номер."), field="document")
    if len(document) > MAX_DOCUMENT:
        raise CareError(_("Не длиннее %(n)s знаков.") % {"n": MAX_DOCUMENT}, field="document")
    car = "".join((car_number or "").split()).upper()
    if len(car) > MAX_CAR_NUMBER:
        raise CareError(_("Номер автомобиля не длиннее %(n)s знаков.") % {"n": MAX_CAR_NUMBER}, field="car_number")
    now = clock.now()
    with transaction.atomic():
        clinic_pass.photo.save(f"{uuid.uuid4().hex}{checked.extension}", checked.upload, save=False)
        updated = ClinicPass.objects.filter(pk=clinic_pass.pk, status=PassStatus.REQUESTED).update(
            status=PassStatus.SUBMITTED,
            photo=clinic_pass.photo.name,
            photo_content_type=checked.content_type,
            document=document,
            car_number=car,
            submitted_at=now,
        )
        if not updated:
            clinic_pass.photo.delete(save=False)
            raise CareError(_("Данные для пропуска уже переданы в клинику."))
        states.record(request, action="pass_submitted", actor=user, note=clinic_pass.clinic.name)
    clinic_pass.status = PassStatus.SUBMITTED
    clinic_pass.photo_content_type = checked.content_type
    clinic_pass.document = document
    clinic_pass.car_number = car
    clinic_pass.submitted_at = now
    return clinic_pass


# ── Visits ───────────────────────────────────────────────────────────────────────────────────


def _check_visit_time(visit: Visit) -> None:
    if visit.starts_at > clock.now():
        raise CareError(
            _("Визит ещё не наступил: отметить его можно после %(when)s.")
            % {"when": visit.starts_at.astimezone(clock.local_zone()).strftime("%d.%m.%Y %H:%M")}
        )


def visit_confirm(*, visit: Visit, user: User) -> Visit:
    """The insured says the visit happened (also after reporting it missed by mistake)."""
    _check_visible(user=user, policy_id=visit.policy_id)
    _check_visit_time(visit)
    states.advance(visit, "confirm", actor=user, confirmed_at=clock.now(), not_happened_reason="")
    return visit


def visit_report_missed(*, visit: Visit, user: User, reason: str) -> Visit:
    _check_visible(user=user, policy_id=visit.policy_id)
    reason = (reason or "").strip()
    if not reason:
        raise CareError(_("Напишите, почему визит не состоялся."), field="reason")
    if len(reason) > MAX_TEXT:
        raise CareError(_("Текст длиннее %(n)s знаков.") % {"n": MAX_TEXT}, field="reason")
    _check_visit_time(visit)
    states.advance(
        visit, "report_missed", actor=user, note=reason, confirmed_at=clock.now(), not_happened_reason=reason
    )
    return visit


def _check_rating(value: int | None, field: str) -> int:
    if value is None or isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise CareError(_("Поставьте оценку от 1 до 5."), field=field)
    return value


def visit_rate(
    *, visit: Visit, user: User, doctor_rating: int | None, desk_rating: int | None, comment: str = ""
) -> Visit:
    """The doctor and the desk's work, 1–5 each, for a visit that happened; once."""
    _check_visible(user=user, policy_id=visit.policy_id)
    if visit.status != VisitStatus.HAPPENED:
        raise CareError(_("Оценить можно только состоявшийся визит: сначала отметьте, что он состоялся."))
    if visit.rated_at is not None:
        raise CareError(_("Визит уже оценён: оценку можно поставить один раз."))
    doctor = _check_rating(doctor_rating, "doctor_rating")
    desk = _check_rating(desk_rating, "desk_rating")
    comment = (comment or "").strip()
    if len(comment) > MAX_TEXT:
        raise CareError(_("Отзыв длиннее %(n)s знаков.") % {"n": MAX_TEXT}, field="comment")
    now = clock.now()
    with transaction.atomic():
        updated = Visit.objects.filter(pk=visit.pk, status=VisitStatus.HAPPENED, rated_at__isnull=True).update(
            doctor_rating=doctor, desk_rating=desk, rating_comment=comment, rated_at=now
        )
        if not updated:
            raise CareError(_("Визит уже оценён: оценку можно поставить один раз."))
        states.record(visit, action="rated", actor=user, note=f"{doctor}/{desk}")
    visit.doctor_rating, visit.desk_rating, visit.rating_comment, visit.rated_at = doctor, desk, comment, now
    return visit
