"""The clinic network: facilities, what kinds of care each gives, its price category."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from polis import clock


class KindOfCare(models.TextChoices):
    """Risks a program covers and clinics provide (the seeds' «виды помощи»)."""

    OUTPATIENT = "outpatient", _("Амбулаторно-поликлиническая помощь")
    DENTAL = "dental", _("Стоматология")
    EMERGENCY = "emergency", _("Скорая медицинская помощь")
    HOME_CARE = "home_care", _("Помощь на дому")
    INPATIENT = "inpatient", _("Стационарная помощь")
    TELEMEDICINE = "telemedicine", _("Телемедицина")
    CHECKUP = "checkup", _("Чекап")


class PriceCategory(models.IntegerChoices):
    FIRST = 1, _("1 категория")
    SECOND = 2, _("2 категория")
    THIRD = 3, _("3 категория")


class Clinic(models.Model):
    # The insurer's code for the clinic in its network: the key imports match rows by.
    code = models.CharField(_("код в сети"), max_length=40, unique=True, null=True, blank=True)
    name = models.CharField(_("название"), max_length=200)
    legal_name = models.CharField(_("юридическое название"), max_length=300, blank=True)
    inn = models.CharField(_("ИНН"), max_length=12, blank=True)
    kpp = models.CharField(_("КПП"), max_length=9, blank=True)
    city = models.CharField(_("город"), max_length=100, db_index=True)
    address = models.CharField(_("адрес"), max_length=300)
    metro = models.CharField(_("метро"), max_length=200, blank=True)
    # Six decimals of a degree are ~10 cm: enough for a map and for distances.
    latitude = models.DecimalField(_("широта"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("долгота"), max_digits=9, decimal_places=6, null=True, blank=True)
    phones = models.CharField(_("телефоны"), max_length=200, blank=True)
    website = models.URLField(_("сайт"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    opening_hours = models.CharField(_("часы работы"), max_length=200, blank=True)
    price_category = models.PositiveSmallIntegerField(
        _("ценовая категория"), choices=PriceCategory.choices, default=PriceCategory.FIRST
    )
    is_franchise = models.BooleanField(_("клиника с франшизой"), default=False)
    has_online_booking = models.BooleanField(_("онлайн-запись"), default=False)
    has_access_control = models.BooleanField(_("пропускная система"), default=False)
    is_active = models.BooleanField(_("работает с нами"), default=True)

    class Meta:
        verbose_name = _("клиника")
        verbose_name_plural = _("клиники")
        ordering = ["city", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.city})"

    @property
    def phone_list(self) -> list[str]:
        return [p.strip() for p in self.phones.split(",") if p.strip()]


class ClinicCare(models.Model):
    """A kind of care a clinic gives, whatever program sends people there."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="care", verbose_name=_("клиника"))
    kind = models.CharField(_("вид помощи"), max_length=20, choices=KindOfCare.choices)

    class Meta:
        verbose_name = _("вид помощи клиники")
        verbose_name_plural = _("виды помощи клиники")
        constraints = [models.UniqueConstraint(fields=["clinic", "kind"], name="clinic_care_unique")]

    def __str__(self) -> str:
        return self.get_kind_display()


class MetroStation(models.Model):
    """A metro station a person can measure distance from (reference data, not a clinic's)."""

    city = models.CharField(_("город"), max_length=100)
    name = models.CharField(_("станция"), max_length=100)
    line = models.CharField(_("линия"), max_length=100, blank=True)
    latitude = models.DecimalField(_("широта"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("долгота"), max_digits=9, decimal_places=6)

    class Meta:
        verbose_name = _("станция метро")
        verbose_name_plural = _("станции метро")
        ordering = ["city", "name"]
        constraints = [models.UniqueConstraint(fields=["city", "name"], name="metro_station_unique")]

    def __str__(self) -> str:
        return f"м. {self.name} ({self.city})"


class Specialty(models.Model):
    """A doctor's specialty; `kind` says which kind of care a visit to it counts as."""

    code = models.SlugField(_("код"), max_length=40, unique=True)
    name = models.CharField(_("специальность"), max_length=100)
    kind = models.CharField(_("вид помощи"), max_length=20, choices=KindOfCare.choices, default=KindOfCare.OUTPATIENT)

    class Meta:
        verbose_name = _("специальность")
        verbose_name_plural = _("специальности")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Doctor(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="doctors", verbose_name=_("клиника"))
    specialty = models.ForeignKey(
        Specialty, on_delete=models.PROTECT, related_name="doctors", verbose_name=_("специальность")
    )
    # The clinic's own id for the doctor: the key imports match rows by.
    external_id = models.CharField(_("код врача в клинике"), max_length=40, blank=True)
    last_name = models.CharField(_("фамилия"), max_length=100)
    first_name = models.CharField(_("имя"), max_length=100)
    patronymic = models.CharField(_("отчество"), max_length=100, blank=True)
    practising_since = models.PositiveSmallIntegerField(_("практикует с (год)"), null=True, blank=True)
    education = models.TextField(_("образование"), blank=True)
    qualification = models.CharField(_("категория, степень"), max_length=200, blank=True)
    is_active = models.BooleanField(_("принимает"), default=True)

    class Meta:
        verbose_name = _("врач")
        verbose_name_plural = _("врачи")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "external_id"], condition=~Q(external_id=""), name="doctor_external_id_per_clinic"
            )
        ]

    def __str__(self) -> str:
        return f"{self.full_name}, {self.specialty}"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    @property
    def experience_years(self) -> int | None:
        if self.practising_since is None:
            return None
        return max(clock.today().year - self.practising_since, 0)


class Slot(models.Model):
    """A time a doctor receives. Booked when an active Booking points at it."""

    doctor = models.ForeignKey(Doctor, on_delete=models.CASCADE, related_name="slots", verbose_name=_("врач"))
    # Denormalised from the doctor, so a clinic's schedule is one indexed filter.
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="slots", verbose_name=_("клиника"))
    starts_at = models.DateTimeField(_("начало"))
    ends_at = models.DateTimeField(_("конец"))
    is_blocked = models.BooleanField(_("закрыт клиникой"), default=False)

    class Meta:
        verbose_name = _("слот приёма")
        verbose_name_plural = _("слоты приёма")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["doctor", "starts_at"], name="slot_doctor_start_unique"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"),
        ]
        indexes = [models.Index(fields=["clinic", "starts_at"]), models.Index(fields=["doctor", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.doctor} {self.starts_at:%d.%m.%Y %H:%M}"


class BookingStatus(models.TextChoices):
    ACTIVE = "active", _("Запись действует")
    CANCELLED = "cancelled", _("Отменена")
    RESCHEDULED = "rescheduled", _("Перенесена")
    ATTENDED = "attended", _("Приём состоялся")
    MISSED = "missed", _("Неявка")


class Booking(models.Model):
    """An online booking of one slot for one insured person under one policy.

    At most one active booking per slot: a partial unique index, so two people pressing «Записаться»
    at the same moment get one booking and one IntegrityError, on SQLite and PostgreSQL alike.
    """

    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("слот"))
    policy = models.ForeignKey(
        "coverage.Policy", on_delete=models.PROTECT, related_name="bookings", verbose_name=_("полис")
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("кто записал")
    )
    status = models.CharField(_("статус"), max_length=20, choices=BookingStatus.choices, default=BookingStatus.ACTIVE)
    created_at = models.DateTimeField(_("создана"), default=clock.now)
    cancelled_at = models.DateTimeField(_("отменена"), null=True, blank=True)
    cancelled_by_clinic = models.BooleanField(_("отменена клиникой"), default=False)
    cancel_reason = models.CharField(_("причина отмены"), max_length=300, blank=True)
    rescheduled_to = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="rescheduled_from"
    )
    reminder_sent_at = models.DateTimeField(_("напоминание отправлено"), null=True, blank=True)

    class Meta:
        verbose_name = _("запись на приём")
        verbose_name_plural = _("записи на приём")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["slot"], condition=Q(status="active"), name="one_active_booking_per_slot")
        ]
        indexes = [models.Index(fields=["policy", "status"])]

    def __str__(self) -> str:
        return f"{self.slot} — {self.policy}"


class PriceListItem(models.Model):
    """A service of the clinic's price list agreed with the insurer (the basis for checking
    registry lines later)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="price_list", verbose_name=_("клиника"))
    code = models.CharField(_("код услуги клиники"), max_length=40)
    federal_code = models.CharField(_("код номенклатуры"), max_length=40, blank=True, help_text="A04.14.001")
    name = models.CharField(_("услуга"), max_length=500)
    service_category = models.CharField(_("категория"), max_length=20)
    price_kopecks = models.BigIntegerField(_("цена, коп."))
    valid_from = models.DateField(_("действует с"), null=True, blank=True)

    class Meta:
        verbose_name = _("услуга прейскуранта")
        verbose_name_plural = _("прейскурант")
        ordering = ["clinic", "code"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "code"], name="price_item_code_per_clinic"),
            models.CheckConstraint(condition=Q(price_kopecks__gte=0), name="price_item_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
