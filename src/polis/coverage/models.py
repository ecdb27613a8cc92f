"""Contracts, programs and their rules, insured persons and policies.

A program's rules are rows, not code: co-pay per service category (`CopayRule`), counters per
service group (`ProgramLimit`), kinds of care (`ProgramCare`) and the clinics for each
(`ProgramClinic`). Franchise settings live on the program, because the seeds' insurers differ
there (RESO: deposit; Alfa: consent; SOGAZ: bound card): a setting, never a constant.
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from polis import clock
from polis.network.models import Clinic, KindOfCare, PriceCategory


def name_key(*parts: str) -> str:
    """How names are compared when a person is matched: case, ё/е and spaces do not matter."""
    return " ".join(" ".join(p.split()) for p in parts if p).casefold().replace("ё", "е")


class ServiceMode(models.TextChoices):
    DESK = "desk", _("Через медицинский пульт")
    REGISTRY = "registry", _("Через регистратуру клиники")


class AccessMode(models.TextChoices):
    """How a person gets into a clinic of the program for one kind of care."""

    DESK = "desk", _("Через медицинский пульт")
    REGISTRY = "registry", _("Через регистратуру клиники")
    ONLINE = "online", _("Онлайн-запись")


class FranchiseActivation(models.TextChoices):
    NONE = "none", _("Без франшизы")
    CONSENT = "consent", _("Согласие в личном кабинете")
    DEPOSIT = "deposit", _("Неснижаемый авансовый платёж")
    CARD = "card", _("Привязка банковской карты")


class DeadlineKind(models.TextChoices):
    WORKING_DAYS = "working", _("рабочих дней")
    CALENDAR_DAYS = "calendar", _("календарных дней")


class NonPaymentConsequence(models.TextChoices):
    SUSPEND = "suspend", _("Доступ в клиники с франшизой приостанавливается до оплаты")
    EMERGENCY_ONLY = "emergency_only", _("Перевод на программу «только экстренная помощь»")


class ServiceCategory(models.TextChoices):
    """Groups of services a co-pay percentage or sum is set for."""

    CONSULTATION = "consultation", _("Приёмы врачей")
    DIAGNOSTICS = "diagnostics", _("Диагностика и анализы")
    DENTAL = "dental", _("Стоматология")
    PROCEDURES = "procedures", _("Лечебные процедуры")
    HOME_VISIT = "home_visit", _("Вызов врача на дом")
    EMERGENCY = "emergency", _("Скорая и неотложная помощь")
    INPATIENT = "inpatient", _("Стационар")
    TELEMEDICINE = "telemedicine", _("Телемедицина")


class LimitPeriod(models.TextChoices):
    POLICY_TERM = "policy_term", _("за срок полиса")
    CONTRACT = "contract", _("за срок договора")


class Policyholder(models.Model):
    class Kind(models.TextChoices):
        ORGANIZATION = "organization", _("Организация")
        PERSON = "person", _("Физическое лицо")

    kind = models.CharField(_("вид"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("наименование"), max_length=300)
    inn = models.CharField(_("ИНН"), max_length=12, blank=True)
    kpp = models.CharField(_("КПП"), max_length=9, blank=True)
    address = models.CharField(_("адрес"), max_length=300, blank=True)
    phone = models.CharField(_("телефон"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        verbose_name = _("страхователь")
        verbose_name_plural = _("страхователи")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contract(models.Model):
    number = models.CharField(_("номер договора"), max_length=40, unique=True)
    policyholder = models.ForeignKey(
        Policyholder, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("страхователь")
    )
    signed_on = models.DateField(_("дата заключения"))
    starts_on = models.DateField(_("начало"))
    ends_on = models.DateField(_("окончание"))
    admin_name = models.CharField(_("администратор договора"), max_length=200, blank=True)
    admin_phone = models.CharField(_("телефон администратора"), max_length=60, blank=True)
    admin_email = models.EmailField(_("e-mail администратора"), blank=True)
    admin_hours = models.CharField(_("часы работы администратора"), max_length=100, blank=True)
    administrators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="administered_contracts",
        verbose_name=_("пользователи HR-консоли"),
        limit_choices_to={"role": "hr"},
    )
    policy_print_note = models.TextField(
        _("текст для полисов этого клиента"),
        blank=True,
        help_text=_("Печатается на полисах застрахованных по договору, например правила пропуска."),
    )

    class Meta:
        verbose_name = _("договор")
        verbose_name_plural = _("договоры")
        ordering = ["-starts_on", "number"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="contract_term_order")
        ]

    def __str__(self) -> str:
        return f"№ {self.number} — {self.policyholder}"


class ContractInstallment(models.Model):
    """A date a contract's premium installment is due: an attachment letter runs until the next."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="installments")
    due_on = models.DateField(_("дата очередного взноса"))

    class Meta:
        verbose_name = _("очередной взнос по договору")
        verbose_name_plural = _("очередные взносы по договору")
        ordering = ["due_on"]
        constraints = [models.UniqueConstraint(fields=["contract", "due_on"], name="installment_unique")]

    def __str__(self) -> str:
        return f"{self.contract}: {self.due_on:%d.%m.%Y}"


class Program(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="programs", verbose_name=_("договор"))
    code = models.CharField(_("код"), max_length=40)
    name = models.CharField(_("название"), max_length=200)
    description = models.TextField(_("описание"), blank=True)
    service_mode = models.CharField(
        _("вид обслуживания по умолчанию"), max_length=20, choices=ServiceMode.choices, default=ServiceMode.DESK
    )
    price_category = models.PositiveSmallIntegerField(
        _("ценовая категория"), choices=PriceCategory.choices, default=PriceCategory.FIRST
    )
    # Franchise settings. How they are applied is the franchise issue's; here they are kept.
    franchise_activation = models.CharField(
        _("франшиза: способ активации"),
        max_length=20,
        choices=FranchiseActivation.choices,
        default=FranchiseActivation.NONE,
    )
    activation_delay_working_days = models.PositiveSmallIntegerField(
        _("франшиза: вступает в силу через, рабочих дней"), default=0
    )
    activation_delay_hours = models.PositiveSmallIntegerField(_("франшиза: вступает в силу через, часов"), default=0)
    deposit_per_person_kopecks = models.BigIntegerField(_("авансовый платёж на человека, коп."), default=0)
    deposit_minimum_kopecks = models.BigIntegerField(_("минимальный авансовый платёж, коп."), default=0)
    payment_deadline_days = models.PositiveSmallIntegerField(_("срок оплаты счёта"), default=0)
    payment_deadline_kind = models.CharField(
        _("срок оплаты считается в"), max_length=20, choices=DeadlineKind.choices, default=DeadlineKind.WORKING_DAYS
    )
    non_payment_consequence = models.CharField(
        _("при неоплате"), max_length=20, choices=NonPaymentConsequence.choices, blank=True
    )
    # Premium per person for the term, by service mode. Moving to registry mode mid-term costs
    # the difference, whatever is left of the term; no registry tariff: the mode is not offered.
    tariff_desk_kopecks = models.BigIntegerField(_("премия на человека, через пульт, коп."), default=0)
    tariff_registry_kopecks = models.BigIntegerField(
        _("премия на человека, через регистратуру, коп."), null=True, blank=True
    )

    class Meta:
        verbose_name = _("программа страхования")
        verbose_name_plural = _("программы страхования")
        ordering = ["contract", "name"]
        constraints = [models.UniqueConstraint(fields=["contract", "code"], name="program_code_per_contract")]

    def __str__(self) -> str:
        return self.name

    @property
    def has_franchise(self) -> bool:
        return self.franchise_activation != FranchiseActivation.NONE


class ProgramCare(models.Model):
    """A kind of care the program covers, with its conditions in plain words."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="care", verbose_name=_("программа"))
    kind = models.CharField(_("вид помощи"), max_length=20, choices=KindOfCare.choices)
    conditions = models.TextField(_("условия"), blank=True)

    class Meta:
        verbose_name = _("вид помощи программы")
        verbose_name_plural = _("виды помощи программы")
        constraints = [models.UniqueConstraint(fields=["program", "kind"], name="program_care_unique")]

    def __str__(self) -> str:
        return self.get_kind_display()


class ProgramClinic(models.Model):
    """A clinic of the program for one kind of care, and how people get in there."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="clinics", verbose_name=_("программа"))
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="programs", verbose_name=_("клиника"))
    kind = models.CharField(_("вид помощи"), max_length=20, choices=KindOfCare.choices)
    access_mode = models.CharField(
        _("порядок доступа"), max_length=20, choices=AccessMode.choices, default=AccessMode.DESK
    )

    class Meta:
        verbose_name = _("клиника программы")
        verbose_name_plural = _("клиники программы")
        constraints = [models.UniqueConstraint(fields=["program", "clinic", "kind"], name="program_clinic_kind_unique")]
        indexes = [models.Index(fields=["program", "kind"])]

    def __str__(self) -> str:
        return f"{self.clinic} — {self.get_kind_display()}"


class CopayRule(models.Model):
    """The insured's share for one service category: a percentage, or a fixed sum per visit.

    0 % is a rule too (e.g. emergency and inpatient care without co-pay).
    """

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="copay_rules", verbose_name=_("программа")
    )
    service_category = models.CharField(_("категория услуг"), max_length=20, choices=ServiceCategory.choices)
    percent = models.DecimalField(_("процент"), max_digits=5, decimal_places=2, null=True, blank=True)
    fixed_kopecks = models.BigIntegerField(_("фиксированная сумма за посещение, коп."), null=True, blank=True)

    class Meta:
        verbose_name = _("правило франшизы")
        verbose_name_plural = _("правила франшизы")
        constraints = [
            models.UniqueConstraint(fields=["program", "service_category"], name="copay_rule_unique"),
            models.CheckConstraint(
                condition=(Q(percent__isnull=False) & Q(fixed_kopecks__isnull=True))
                | (Q(percent__isnull=True) & Q(fixed_kopecks__isnull=False)),
                name="copay_rule_percent_xor_fixed",
            ),
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | (Q(percent__gte=0) & Q(percent__lte=100)),
                name="copay_rule_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(fixed_kopecks__isnull=True) | Q(fixed_kopecks__gte=0), name="copay_rule_fixed_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_service_category_display()}: {self.describe()}"

    def describe(self) -> str:
        from polis.money import format_rub

        if self.percent is not None:
            return f"{self.percent.normalize():f} %".replace(".", ",")
        return f"{format_rub(self.fixed_kopecks or 0)} за посещение"


class ProgramLimit(models.Model):
    """A counter: at most N services of a group per period (psychologist: 3 per contract)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="limits", verbose_name=_("программа"))
    service_group = models.CharField(_("код группы услуг"), max_length=40)
    name = models.CharField(_("группа услуг"), max_length=200)
    max_count = models.PositiveIntegerField(_("не более, раз"))
    period = models.CharField(_("период"), max_length=20, choices=LimitPeriod.choices, default=LimitPeriod.POLICY_TERM)

    class Meta:
        verbose_name = _("лимит программы")
        verbose_name_plural = _("лимиты программы")
        constraints = [models.UniqueConstraint(fields=["program", "service_group"], name="program_limit_unique")]

    def __str__(self) -> str:
        return f"{self.name}: {self.max_count} {self.get_period_display()}"


class Sex(models.TextChoices):
    MALE = "m", _("мужской")
    FEMALE = "f", _("женский")


class InsuredPerson(models.Model):
    """A covered human as the insurer's lists know them. One account may be linked to several
    such records (another contract created its own), each found by name, birth date and a
    policy number."""

    last_name = models.CharField(_("фамилия"), max_length=100)
    first_name = models.CharField(_("имя"), max_length=100)
    patronymic = models.CharField(_("отчество"), max_length=100, blank=True)
    birth_date = models.DateField(_("дата рождения"))
    sex = models.CharField(_("пол"), max_length=1, choices=Sex.choices)
    phone = models.CharField(_("телефон"), max_length=12, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    city = models.CharField(_("город"), max_length=100, blank=True)
    name_key = models.CharField(max_length=320, editable=False, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="insured_records",
        verbose_name=_("учётная запись"),
    )

    class Meta:
        verbose_name = _("застрахованный")
        verbose_name_plural = _("застрахованные")
        ordering = ["last_name", "first_name", "patronymic"]
        indexes = [models.Index(fields=["name_key", "birth_date"])]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_key = name_key(self.last_name, self.first_name, self.patronymic)
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    @property
    def short_name(self) -> str:
        initials = "".join(f"{p[0]}." for p in (self.first_name, self.patronymic) if p)
        return f"{self.last_name} {initials}"


class Relation(models.TextChoices):
    EMPLOYEE = "employee", _("Сотрудник")
    SELF = "self", _("Страхователь")
    SPOUSE = "spouse", _("Супруг(а)")
    CHILD = "child", _("Ребёнок")
    PARENT = "parent", _("Родитель")
    OTHER = "other", _("Родственник")


class TerminationReason(models.TextChoices):
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Отзыв согласия на обработку персональных данных")
    DETACHED = "detached", _("Открепление по заявке страхователя")
    COOLING_OFF = "cooling_off", _("Отказ в период охлаждения")
    OTHER = "other", _("Иное")


class PolicyStatus(models.TextChoices):
    PENDING = "pending", _("Не вступил в силу")
    ACTIVE = "active", _("Действует")
    EXPIRED = "expired", _("Срок истёк")
    TERMINATED = "terminated", _("Прекращён")


class PolicyQuerySet(models.QuerySet["Policy"]):
    def in_force_on(self, day: dt.date) -> "PolicyQuerySet":
        return self.filter(starts_on__lte=day, ends_on__gte=day).exclude(terminated_on__lte=day)


class Policy(models.Model):
    number = models.CharField(_("номер полиса"), max_length=40, unique=True)
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="policies", verbose_name=_("договор"))
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="policies", verbose_name=_("программа"))
    insured = models.ForeignKey(
        InsuredPerson, on_delete=models.PROTECT, related_name="policies", verbose_name=_("застрахованный")
    )
    # For a relative's policy, the insured adult who is its policyholder and sees it.
    holder = models.ForeignKey(
        InsuredPerson,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="relatives_policies",
        verbose_name=_("страхователь-родственник"),
    )
    relation = models.CharField(_("категория"), max_length=20, choices=Relation.choices, default=Relation.EMPLOYEE)
    personnel_number = models.CharField(_("табельный номер"), max_length=40, blank=True)
    issued_on = models.DateField(_("дата выдачи"))
    starts_on = models.DateField(_("начало"))
    ends_on = models.DateField(_("окончание"))
    service_mode = models.CharField(
        _("вид обслуживания"), max_length=20, choices=ServiceMode.choices, default=ServiceMode.DESK
    )
    registry_clinic = models.ForeignKey(
        Clinic,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attached_policies",
        verbose_name=_("клиника прикрепления"),
    )
    terminated_on = models.DateField(_("прекращён с"), null=True, blank=True)
    termination_reason = models.CharField(
        _("причина прекращения"), max_length=30, choices=TerminationReason.choices, blank=True
    )

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("полис")
        verbose_name_plural = _("полисы")
        ordering = ["-starts_on", "number"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="policy_term_order"),
            models.CheckConstraint(
                condition=Q(service_mode="desk") | Q(registry_clinic__isnull=False),
                name="policy_registry_mode_has_clinic",
            ),
        ]
        indexes = [models.Index(fields=["personnel_number"])]

    def __str__(self) -> str:
        return f"№ {self.number}"

    def status_on(self, day: dt.date) -> str:
        if self.terminated_on is not None and self.terminated_on <= day:
            return PolicyStatus.TERMINATED
        if day < self.starts_on:
            return PolicyStatus.PENDING
        if day > self.ends_on:
            return PolicyStatus.EXPIRED
        return PolicyStatus.ACTIVE

    @property
    def status(self) -> str:
        return self.status_on(clock.today())

    @property
    def status_label(self) -> str:
        return str(PolicyStatus(self.status).label)

    @property
    def is_relative(self) -> bool:
        return self.holder_id is not None


class LimitUsage(models.Model):
    """One use of a limited service, counted against the program's limit. Written by whatever
    learns of the service (a registry line, a telemedicine consultation, the back office)."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="limit_usages", verbose_name=_("полис"))
    limit = models.ForeignKey(ProgramLimit, on_delete=models.CASCADE, related_name="usages", verbose_name=_("лимит"))
    used_on = models.DateField(_("дата"))
    quantity = models.PositiveIntegerField(_("количество"), default=1)
    source = models.CharField(_("основание"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("использование лимита")
        verbose_name_plural = _("использование лимитов")
        indexes = [models.Index(fields=["policy", "limit"])]

    def __str__(self) -> str:
        return f"{self.limit.name}: {self.quantity}"
