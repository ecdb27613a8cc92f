"""The medical desk (ЦМП): how to reach it per city and when, requests for care, their triage,
guarantee letters to clinics, attachment letters for registry mode, visits, escalations and
clinic passes. The life cycles (request, letter, attachment, mode change, visit) are state
machines whose allowed steps are written once, in `care.states`; every step leaves a CareEvent
with who took it and when."""

import calendar
import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from polis import clock
from polis.network.models import KindOfCare


class RussianZone(models.TextChoices):
    KALININGRAD = "Europe/Kaliningrad", _("Калининград (МСК−1)")
    MOSCOW = "Europe/Moscow", _("Москва (МСК)")
    SAMARA = "Europe/Samara", _("Самара (МСК+1)")
    YEKATERINBURG = "Asia/Yekaterinburg", _("Екатеринбург (МСК+2)")
    OMSK = "Asia/Omsk", _("Омск (МСК+3)")
    NOVOSIBIRSK = "Asia/Novosibirsk", _("Новосибирск (МСК+4)")
    IRKUTSK = "Asia/Irkutsk", _("Иркутск (МСК+5)")
    YAKUTSK = "Asia/Yakutsk", _("Якутск (МСК+6)")
    VLADIVOSTOK = "Asia/Vladivostok", _("Владивосток (МСК+7)")
    MAGADAN = "Asia/Magadan", _("Магадан (МСК+8)")
    KAMCHATKA = "Asia/Kamchatka", _("Камчатка (МСК+9)")


class DeskContact(models.Model):
    """A phone of the desk or of a branch's curators, with its hours. An empty city is the
    federal number. Hours: round the clock, or from `opens_at` to `closes_at` on `weekdays`
    (1 = Monday … 7 = Sunday), and then only on working days of the production calendar when
    `working_days_only` (a branch's curators keep office hours); all in the city's `time_zone`."""

    city = models.CharField(_("город"), max_length=100, blank=True, db_index=True)
    title = models.CharField(_("служба"), max_length=200)
    phone = models.CharField(_("телефон"), max_length=40)
    email = models.EmailField(_("e-mail"), blank=True)
    hours = models.CharField(_("часы работы (текстом)"), max_length=100, default="круглосуточно")
    round_the_clock = models.BooleanField(_("круглосуточно"), default=True)
    weekdays = models.CharField(
        _("дни недели"), max_length=7, default="1234567", help_text=_("Цифры дней: 1 — понедельник … 7 — воскресенье.")
    )
    opens_at = models.TimeField(_("с"), null=True, blank=True)
    closes_at = models.TimeField(_("до"), null=True, blank=True)
    working_days_only = models.BooleanField(_("только в рабочие дни по производственному календарю"), default=False)
    time_zone = models.CharField(
        _("часовой пояс часов работы"), max_length=40, choices=RussianZone.choices, default=RussianZone.MOSCOW
    )
    order = models.PositiveSmallIntegerField(_("порядок"), default=0)

    class Meta:
        verbose_name = _("телефон медицинского пульта")
        verbose_name_plural = _("телефоны медицинского пульта")
        ordering = ["order", "city", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(round_the_clock=True) | (Q(opens_at__isnull=False) & Q(closes_at__isnull=False)),
                name="desk_contact_hours_set",
            )
        ]

    def __str__(self) -> str:
        return f"{self.city or 'Федеральный'}: {self.title} {self.phone}"


# ── Requests ─────────────────────────────────────────────────────────────────────────────────


class RequestStatus(models.TextChoices):
    NEW = "new", _("Отправлено")
    IN_WORK = "in_work", _("В работе у пульта")
    APPROVED = "approved", _("Согласовано")
    REFUSED = "refused", _("Не страховой случай")
    CANCELLED = "cancelled", _("Отменено")


class Urgency(models.TextChoices):
    URGENT = "urgent", _("Срочно")
    ROUTINE = "routine", _("Планово")


class ContactChannel(models.TextChoices):
    CALL = "call", _("Позвонить")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    ACCOUNT = "account", _("Сообщение в личном кабинете")


class TimeWindow(models.TextChoices):
    MORNING = "morning", _("утро, 8:00–12:00")
    DAY = "day", _("день, 12:00–16:00")
    EVENING = "evening", _("вечер, 16:00–21:00")


class RefusalReason(models.TextChoices):
    """Why a request is not an insured event (DOMAIN.md, «Medical desk»): the insured sees it."""

    EXCLUDED = "excluded", _("Услуга входит в перечень исключений программы")
    NOT_PRESCRIBED = "not_prescribed", _("Услуга не назначена врачом или желается по собственной инициативе")
    CHRONIC = "chronic", _("Хроническое заболевание вне обострения")
    CLINIC_OUTSIDE = "clinic_outside", _("Клиника вне программы, обращение не согласовано со страховщиком")
    ORDERS_BREACHED = "orders_breached", _("Нарушение предписаний врача")
    NOT_COVERED = "not_covered", _("Вид помощи не входит в программу страхования")
    NOT_IN_FORCE = "not_in_force", _("Полис не действует на желаемую дату")
    OTHER = "other", _("Иная причина (указана в ответе)")


class CareRequest(models.Model):
    """An insured person's request to the desk (обращение): for themselves or a relative."""

    number = models.CharField(_("номер"), max_length=20, unique=True)
    policy = models.ForeignKey(
        "coverage.Policy", on_delete=models.PROTECT, related_name="care_requests", verbose_name=_("полис")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_requests", verbose_name=_("кто подал")
    )
    complaints = models.TextField(_("жалобы"))
    kind = models.CharField(_("вид помощи"), max_length=20, choices=KindOfCare.choices)
    # None: «пусть пульт подберёт».
    clinic = models.ForeignKey(
        "network.Clinic",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="care_requests",
        verbose_name=_("желаемая клиника"),
    )
    desired_date = models.DateField(_("желаемая дата"))
    time_windows = models.JSONField(_("удобное время"), default=list, blank=True)
    contact_channel = models.CharField(
        _("как связаться"), max_length=10, choices=ContactChannel.choices, default=ContactChannel.CALL
    )
    contact_phone = models.CharField(_("телефон для связи"), max_length=12, blank=True)
    urgency = models.CharField(_("срочность"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    status = models.CharField(_("статус"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.NEW)
    created_at = models.DateTimeField(_("подано"), default=clock.now, db_index=True)
    dispatcher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="care_requests_taken",
        verbose_name=_("диспетчер"),
    )
    taken_at = models.DateTimeField(_("взято в работу"), null=True, blank=True)
    # The desk's first answer (approved or refused): what answer-time metrics measure.
    answered_at = models.DateTimeField(_("ответ пульта"), null=True, blank=True)
    refusal_reason = models.CharField(_("причина отказа"), max_length=20, choices=RefusalReason.choices, blank=True)
    answer = models.TextField(_("ответ застрахованному"), blank=True)
    closed_at = models.DateTimeField(_("закрыто"), null=True, blank=True)

    class Meta:
        verbose_name = _("обращение на пульт")
        verbose_name_plural = _("обращения на пульт")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "urgency", "created_at"]),
            models.Index(fields=["policy", "created_at"]),
            models.Index(fields=["answered_at"]),
        ]

    def __str__(self) -> str:
        return f"Обращение № {self.number}"


class CareRequestFile(models.Model):
    request = models.ForeignKey(CareRequest, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("файл"), upload_to="care/requests/%Y/%m/")
    name = models.CharField(_("имя файла"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("размер, байт"))

    class Meta:
        verbose_name = _("файл к обращению")
        verbose_name_plural = _("файлы к обращениям")

    def __str__(self) -> str:
        return self.name


# ── Guarantee letters ────────────────────────────────────────────────────────────────────────


class LetterKind(models.TextChoices):
    CONSULTATION = "consultation", _("Консультация")
    DIAGNOSTICS = "diagnostics", _("Диагностика")
    PLANNED_HOSPITAL = "planned_hospital", _("Плановая госпитализация")
    EMERGENCY_HOSPITAL = "emergency_hospital", _("Экстренная госпитализация")
    DENTAL = "dental", _("Стоматология")
    HOME_VISIT = "home_visit", _("Вызов врача на дом")


# The kind of care a clinic must give under the program for a letter of each kind.
LETTER_CARE = {
    LetterKind.CONSULTATION: KindOfCare.OUTPATIENT,
    LetterKind.DIAGNOSTICS: KindOfCare.OUTPATIENT,
    LetterKind.PLANNED_HOSPITAL: KindOfCare.INPATIENT,
    LetterKind.EMERGENCY_HOSPITAL: KindOfCare.INPATIENT,
    LetterKind.DENTAL: KindOfCare.DENTAL,
    LetterKind.HOME_VISIT: KindOfCare.HOME_CARE,
}


class LetterStatus(models.TextChoices):
    PENDING_APPROVAL = "pending_approval", _("На согласовании у врача")
    ISSUED = "issued", _("Выдано")
    PARTLY_APPROVED = "partly_approved", _("Согласовано частично")
    REFUSED = "refused", _("Отказано")
    EXPIRED = "expired", _("Срок истёк")
    REVOKED = "revoked", _("Отозвано")
    USED = "used", _("Использовано")


# A letter a clinic may treat by: issued, in full or in part.
LETTER_VALID = (LetterStatus.ISSUED, LetterStatus.PARTLY_APPROVED)


class GuaranteeLetter(models.Model):
    number = models.CharField(_("номер"), max_length=20, unique=True)
    request = models.ForeignKey(
        CareRequest, on_delete=models.PROTECT, related_name="letters", verbose_name=_("обращение")
    )
    policy = models.ForeignKey(
        "coverage.Policy", on_delete=models.PROTECT, related_name="guarantee_letters", verbose_name=_("полис")
    )
    clinic = models.ForeignKey(
        "network.Clinic", on_delete=models.PROTECT, related_name="guarantee_letters", verbose_name=_("клиника")
    )
    kind = models.CharField(_("вид помощи"), max_length=20, choices=LetterKind.choices)
    complaints = models.TextField(_("жалобы"), blank=True)
    icd10 = models.CharField(_("диагноз по МКБ-10"), max_length=10, blank=True)
    scope = models.TextField(_("объём помощи"))
    sum_limit_kopecks = models.BigIntegerField(_("лимит суммы, коп."), null=True, blank=True)
    valid_from = models.DateField(_("действует с"))
    valid_to = models.DateField(_("действует по"))
    copay_rule = models.CharField(_("франшиза"), max_length=200, blank=True)
    status = models.CharField(_("статус"), max_length=20, choices=LetterStatus.choices)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="letters_issued", verbose_name=_("выдал")
    )
    issued_at = models.DateTimeField(_("оформлено"), default=clock.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="letters_approved",
        verbose_name=_("согласовал врач"),
    )
    approved_at = models.DateTimeField(_("согласовано"), null=True, blank=True)
    received_at = models.DateTimeField(_("получено клиникой"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="letters_received",
        verbose_name=_("получил в клинике"),
    )
    closed_reason = models.TextField(_("причина отзыва или отказа"), blank=True)
    expiry_warned_at = models.DateTimeField(_("предупреждение об окончании"), null=True, blank=True)

    class Meta:
        verbose_name = _("гарантийное письмо")
        verbose_name_plural = _("гарантийные письма")
        ordering = ["-issued_at", "-pk"]
        permissions = [("approve_letter", _("Согласовывает гарантийные письма сверх порога (второй врач)"))]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gte=models.F("valid_from")), name="letter_validity_order"),
            models.CheckConstraint(
                condition=Q(sum_limit_kopecks__isnull=True) | Q(sum_limit_kopecks__gt=0), name="letter_limit_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["clinic", "status", "valid_to"]),
            models.Index(fields=["policy", "status"]),
            models.Index(fields=["status", "valid_to"]),
        ]

    def __str__(self) -> str:
        return f"Гарантийное письмо № {self.number}"

    @property
    def is_valid(self) -> bool:
        return self.status in LETTER_VALID


class LetterService(models.Model):
    """An authorised service of a letter (code, name, quantity), when it lists services rather
    than (or besides) a scope in words."""

    letter = models.ForeignKey(GuaranteeLetter, on_delete=models.CASCADE, related_name="services")
    code = models.CharField(_("код услуги"), max_length=40)
    name = models.CharField(_("услуга"), max_length=300)
    quantity = models.PositiveIntegerField(_("количество"), default=1)

    class Meta:
        verbose_name = _("услуга гарантийного письма")
        verbose_name_plural = _("услуги гарантийного письма")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.code} {self.name} × {self.quantity}"


# ── Visits ───────────────────────────────────────────────────────────────────────────────────


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("Запланирован")
    HAPPENED = "happened", _("Состоялся")
    NOT_HAPPENED = "not_happened", _("Не состоялся")
    CANCELLED = "cancelled", _("Отменён")


class Visit(models.Model):
    """A visit the desk booked for a request: what the insured is told, then confirms and rates."""

    request = models.ForeignKey(CareRequest, on_delete=models.PROTECT, related_name="visits")
    letter = models.ForeignKey(GuaranteeLetter, on_delete=models.PROTECT, null=True, blank=True, related_name="visits")
    policy = models.ForeignKey("coverage.Policy", on_delete=models.PROTECT, related_name="care_visits")
    clinic = models.ForeignKey("network.Clinic", on_delete=models.PROTECT, related_name="care_visits")
    kind = models.CharField(_("вид помощи"), max_length=20, choices=KindOfCare.choices)
    specialist = models.CharField(_("специалист"), max_length=200)
    doctor = models.CharField(_("врач"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("дата и время"))
    address = models.CharField(_("адрес"), max_length=300)
    note = models.TextField(_("что взять с собой"), blank=True)
    status = models.CharField(_("статус"), max_length=20, choices=VisitStatus.choices, default=VisitStatus.PLANNED)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits_booked")
    created_at = models.DateTimeField(default=clock.now)
    confirmed_at = models.DateTimeField(_("отмечено застрахованным"), null=True, blank=True)
    not_happened_reason = models.TextField(_("почему не состоялся"), blank=True)
    doctor_rating = models.PositiveSmallIntegerField(_("оценка врача"), null=True, blank=True)
    desk_rating = models.PositiveSmallIntegerField(_("оценка работы пульта"), null=True, blank=True)
    rating_comment = models.TextField(_("отзыв"), blank=True)
    rated_at = models.DateTimeField(_("оценено"), null=True, blank=True)

    class Meta:
        verbose_name = _("визит")
        verbose_name_plural = _("визиты")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(doctor_rating__isnull=True) | Q(doctor_rating__gte=1, doctor_rating__lte=5),
                name="visit_doctor_rating_1_5",
            ),
            models.CheckConstraint(
                condition=Q(desk_rating__isnull=True) | Q(desk_rating__gte=1, desk_rating__lte=5),
                name="visit_desk_rating_1_5",
            ),
        ]
        indexes = [models.Index(fields=["policy", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.clinic} {self.starts_at:%d.%m.%Y %H:%M}"


# ── Escalations and passes ───────────────────────────────────────────────────────────────────


class EscalationTo(models.TextChoices):
    CURATOR = "curator", _("Врачу-куратору")
    SENIOR = "senior", _("Старшему смены")


class EscalationStatus(models.TextChoices):
    OPEN = "open", _("На рассмотрении")
    ANSWERED = "answered", _("Ответ дан")


class Escalation(models.Model):
    """The insured is not satisfied with the desk's answer and asks a curator or the shift's
    senior. The answer may reopen the request (a refusal overturned)."""

    request = models.ForeignKey(CareRequest, on_delete=models.PROTECT, related_name="escalations")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    to = models.CharField(_("кому"), max_length=10, choices=EscalationTo.choices, default=EscalationTo.CURATOR)
    text = models.TextField(_("с чем не согласны"))
    status = models.CharField(
        _("статус"), max_length=10, choices=EscalationStatus.choices, default=EscalationStatus.OPEN
    )
    created_at = models.DateTimeField(default=clock.now, db_index=True)
    answer = models.TextField(_("ответ"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    reopened = models.BooleanField(_("обращение возвращено в работу"), default=False)

    class Meta:
        verbose_name = _("жалоба на ответ пульта")
        verbose_name_plural = _("жалобы на ответы пульта")
        ordering = ["created_at", "pk"]
        permissions = [("handle_escalation", _("Отвечает на жалобы на пульт (врач-куратор, старший смены)"))]
        constraints = [
            models.UniqueConstraint(
                fields=["request"], condition=Q(status="open"), name="one_open_escalation_per_request"
            )
        ]

    def __str__(self) -> str:
        return f"Жалоба по обращению {self.request.number}"


class PassStatus(models.TextChoices):
    REQUESTED = "requested", _("Ждём фото и данные")
    SUBMITTED = "submitted", _("Данные переданы")


class ClinicPass(models.Model):
    """A pass into a clinic with an access system: the desk asks, the insured sends a photo and
    the document's data, the clinic receives them with the letter."""

    request = models.ForeignKey(CareRequest, on_delete=models.PROTECT, related_name="passes")
    clinic = models.ForeignKey("network.Clinic", on_delete=models.PROTECT, related_name="passes")
    status = models.CharField(_("статус"), max_length=10, choices=PassStatus.choices, default=PassStatus.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=clock.now)
    photo = models.FileField(_("фото"), upload_to="care/passes/%Y/%m/", blank=True)
    photo_content_type = models.CharField(max_length=100, blank=True)
    document = models.CharField(_("документ, удостоверяющий личность"), max_length=100, blank=True)
    car_number = models.CharField(_("номер автомобиля"), max_length=20, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("пропуск в клинику")
        verbose_name_plural = _("пропуска в клиники")
        constraints = [models.UniqueConstraint(fields=["request", "clinic"], name="one_pass_per_request_clinic")]

    def __str__(self) -> str:
        return f"Пропуск: {self.clinic}"


# ── Service modes: registry mode and its attachment letter ───────────────────────────────────


class ModeChangeStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("Ожидает оплаты доплаты")
    ATTACHED = "attached", _("Прикреплён")
    CANCELLED = "cancelled", _("Отменено")


class ServiceModeChange(models.Model):
    """A person on a policy moved from the desk to one clinic's registry mid-term: the extra
    premium (the tariff difference, whatever the remaining term) and, once its payment is
    matched to the policy, the attachment."""

    policy = models.ForeignKey("coverage.Policy", on_delete=models.PROTECT, related_name="mode_changes")
    clinic = models.ForeignKey("network.Clinic", on_delete=models.PROTECT, related_name="mode_changes")
    extra_premium_kopecks = models.BigIntegerField(_("доплата премии, коп."))
    status = models.CharField(
        _("статус"), max_length=20, choices=ModeChangeStatus.choices, default=ModeChangeStatus.AWAITING_PAYMENT
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=clock.now)
    payment_reference = models.CharField(_("платёжный документ"), max_length=100, blank=True)
    paid_on = models.DateField(_("оплата сопоставлена с полисом"), null=True, blank=True)
    matched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("переход на обслуживание через регистратуру")
        verbose_name_plural = _("переходы на обслуживание через регистратуру")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy"], condition=~Q(status="cancelled"), name="one_mode_change_per_policy"
            )
        ]

    def __str__(self) -> str:
        return f"{self.policy} → {self.clinic}"


class AttachmentStatus(models.TextChoices):
    GENERATED = "generated", _("Сформировано")
    SENT = "sent", _("Отправлено в клинику")
    EXPIRED = "expired", _("Срок истёк")


class AttachmentLetter(models.Model):
    """Письмо на прикрепление: generated the day the premium is matched, sent the next working
    day, valid until the next installment date or the policy's end."""

    number = models.CharField(_("номер"), max_length=20, unique=True)
    policy = models.ForeignKey("coverage.Policy", on_delete=models.PROTECT, related_name="attachment_letters")
    clinic = models.ForeignKey("network.Clinic", on_delete=models.PROTECT, related_name="attachment_letters")
    change = models.ForeignKey(
        ServiceModeChange, on_delete=models.PROTECT, null=True, blank=True, related_name="attachment_letters"
    )
    generated_on = models.DateField(_("сформировано"))
    send_on = models.DateField(_("отправить"))
    sent_at = models.DateTimeField(_("отправлено"), null=True, blank=True)
    valid_from = models.DateField(_("действует с"))
    valid_to = models.DateField(_("действует по"))
    status = models.CharField(
        _("статус"), max_length=10, choices=AttachmentStatus.choices, default=AttachmentStatus.GENERATED
    )
    received_at = models.DateTimeField(_("получено клиникой"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("письмо на прикрепление")
        verbose_name_plural = _("письма на прикрепление")
        ordering = ["-generated_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gte=models.F("valid_from")), name="attachment_validity_order"),
        ]
        indexes = [models.Index(fields=["clinic", "status"]), models.Index(fields=["status", "send_on"])]

    def __str__(self) -> str:
        return f"Письмо на прикрепление № {self.number}"


# ── The record of every step ─────────────────────────────────────────────────────────────────


class CareEvent(models.Model):
    """One step of a request, letter, attachment or mode change: who, when, from what to what."""

    request = models.ForeignKey(CareRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="events")
    letter = models.ForeignKey(GuaranteeLetter, on_delete=models.CASCADE, null=True, blank=True, related_name="events")
    attachment = models.ForeignKey(
        AttachmentLetter, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    mode_change = models.ForeignKey(
        ServiceModeChange, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    action = models.CharField(_("действие"), max_length=40)
    from_status = models.CharField(_("было"), max_length=20, blank=True)
    to_status = models.CharField(_("стало"), max_length=20, blank=True)
    # None: the system (a daily task).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=clock.now)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("шаг обработки")
        verbose_name_plural = _("шаги обработки")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M} {self.action}"


def month_later(day: dt.date) -> dt.date:
    """The last day of a one-month validity starting on `day`: the day before the same date next
    month, or that month's last day when it has no such date (01.03 → 31.03, 15.03 → 14.04,
    31.01 → 28.02 or 29.02)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    last = calendar.monthrange(year, month)[1]
    if day.day > last:
        return dt.date(year, month, last)
    return dt.date(year, month, day.day) - dt.timedelta(days=1)
