"""The franchise as the insured lives it: activation (consent, deposit or bound card), the
notices to registry-mode clinics, and applications for a deposit refund."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from polis import clock


class FranchiseActivation(models.Model):
    """The person on `policy` asked for their franchise to work. It takes effect at `effective_at`
    (computed once, by the program's rule and the business calendar); before that it is pending,
    after it active. Status is derived from the time, never stored."""

    policy = models.ForeignKey(
        "coverage.Policy", on_delete=models.PROTECT, related_name="franchise_activations", verbose_name=_("полис")
    )
    method = models.CharField(_("способ"), max_length=20)  # coverage.FranchiseActivation value
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("кто активировал")
    )
    requested_at = models.DateTimeField(_("запрошена"), default=clock.now)
    effective_at = models.DateTimeField(_("действует с"))
    terms_version = models.CharField(_("редакция порядка обслуживания с франшизой"), max_length=20, blank=True)
    payment = models.ForeignKey(
        "payments.Payment", on_delete=models.PROTECT, null=True, blank=True, related_name="activations"
    )
    card = models.ForeignKey(
        "payments.SavedCard", on_delete=models.PROTECT, null=True, blank=True, related_name="activations"
    )
    ended_at = models.DateTimeField(_("прекращена"), null=True, blank=True)
    end_reason = models.CharField(_("причина прекращения"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("активация франшизы")
        verbose_name_plural = _("активации франшизы")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy"], condition=Q(ended_at__isnull=True), name="one_live_activation_per_policy"
            )
        ]

    def __str__(self) -> str:
        return f"{self.policy}: {self.method}"


class ClinicNotice(models.Model):
    """An activation letter to a clinic the person reaches through its registry. The clinic has
    until `due_on` (5 working days) to process it; meanwhile the person books through the desk."""

    activation = models.ForeignKey(FranchiseActivation, on_delete=models.CASCADE, related_name="clinic_notices")
    clinic = models.ForeignKey("network.Clinic", on_delete=models.PROTECT, related_name="franchise_notices")
    sent_at = models.DateTimeField(_("отправлено"), default=clock.now)
    due_on = models.DateField(_("обработать до"))
    confirmed_at = models.DateTimeField(_("подтверждено клиникой"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("письмо клинике об активации")
        verbose_name_plural = _("письма клиникам об активации")
        ordering = ["-sent_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["activation", "clinic"], name="one_notice_per_clinic")]

    def __str__(self) -> str:
        return f"{self.clinic}: {self.activation}"


class RefundApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Подано")
    REFUSED = "refused", _("Отказано")
    PAID = "paid", _("Деньги возвращены")


class RefundApplication(models.Model):
    """An application for the deposit back when the person is detached or the term ends without
    renewal; paid only when no co-pay is owed."""

    policy = models.ForeignKey("coverage.Policy", on_delete=models.PROTECT, related_name="refund_applications")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("подано"), default=clock.now)
    amount_kopecks = models.BigIntegerField(_("сумма, коп."))
    status = models.CharField(
        _("статус"), max_length=10, choices=RefundApplicationStatus.choices, default=RefundApplicationStatus.SUBMITTED
    )
    answer = models.TextField(_("ответ"), blank=True)
    refunds = models.ManyToManyField("payments.Refund", blank=True, related_name="applications")
    # Claimed (conditional UPDATE) by whoever starts the refunds, so that two of them never do.
    refunds_started_at = models.DateTimeField(_("возврат запущен"), null=True, blank=True)

    class Meta:
        verbose_name = _("заявление на возврат аванса")
        verbose_name_plural = _("заявления на возврат аванса")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy"], condition=Q(status="submitted"), name="one_open_refund_application"
            )
        ]

    def __str__(self) -> str:
        return f"{self.policy}: {self.get_status_display()}"


# ── Issue 5: clinic invoice registries → co-pay invoices → debts ─────────────────────────────


class RegistryStatus(models.TextChoices):
    QUEUED = "queued", _("В очереди")
    PROCESSING = "processing", _("Обрабатывается")
    DONE = "done", _("Обработан")
    FAILED = "failed", _("Не обработан")
    REPLACED = "replaced", _("Заменён исправленным")


class Registry(models.Model):
    """A clinic's invoice registry (реестр счетов) for one month. A file is taken once per clinic
    (`file_sha256`); a different file for the same clinic and month is a corrected version that
    replaces the previous one (`replaces`), and `changes` says what it changed."""

    clinic = models.ForeignKey(
        "network.Clinic", on_delete=models.PROTECT, related_name="registries", verbose_name=_("клиника")
    )
    period = models.DateField(_("период (первое число месяца)"))
    number = models.CharField(_("номер реестра"), max_length=40, blank=True)
    version = models.PositiveSmallIntegerField(_("версия"), default=1)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by", verbose_name=_("заменяет")
    )
    file_name = models.CharField(_("файл"), max_length=255)
    file_sha256 = models.CharField(max_length=64)
    job = models.OneToOneField(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="registry", verbose_name=_("задание")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("загрузил")
    )
    uploaded_at = models.DateTimeField(_("загружен"), default=clock.now)
    status = models.CharField(_("статус"), max_length=12, choices=RegistryStatus.choices, default=RegistryStatus.QUEUED)
    lines_total = models.PositiveIntegerField(_("строк"), default=0)
    lines_accepted = models.PositiveIntegerField(_("принято строк"), default=0)
    lines_rejected = models.PositiveIntegerField(_("отклонено строк"), default=0)
    accepted_kopecks = models.BigIntegerField(_("принято, коп."), default=0)
    rejected_kopecks = models.BigIntegerField(_("отклонено, коп."), default=0)
    copay_kopecks = models.BigIntegerField(_("франшиза, коп."), default=0)
    invoices_count = models.PositiveIntegerField(_("счетов"), default=0)
    # For a corrected version: {"added": [...], "removed": [...], "changed": [...]} line numbers
    # (first 200 of each) and their counts.
    changes = models.JSONField(_("изменения"), default=dict, blank=True)
    checked_at = models.DateTimeField(_("проверен"), null=True, blank=True)
    accrued_at = models.DateTimeField(_("франшиза начислена"), null=True, blank=True)
    error = models.TextField(_("ошибка"), blank=True)

    class Meta:
        verbose_name = _("реестр счетов")
        verbose_name_plural = _("реестры счетов")
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "file_sha256"], name="registry_file_once_per_clinic"),
            models.UniqueConstraint(fields=["clinic", "period", "version"], name="registry_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.clinic}: {self.period:%m.%Y} (в. {self.version})"


class LineStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Принята")
    REJECTED = "rejected", _("Отклонена")


class RejectReason(models.TextChoices):
    """Why a line was rejected: the code goes into the report, the label is what the clerk reads."""

    BAD_VALUE = "bad_value", _("Поле не заполнено или не распознано")
    BAD_QUANTITY = "bad_quantity", _("Количество должно быть целым числом больше нуля")
    DUPLICATE_NUMBER = "duplicate_number", _("Номер строки повторяется в реестре")
    OUTSIDE_PERIOD = "outside_period", _("Дата услуги вне периода реестра")
    FUTURE_DATE = "future_date", _("Дата услуги ещё не наступила")
    UNKNOWN_POLICY = "unknown_policy", _("Полис не найден")
    PERSON_MISMATCH = "person_mismatch", _("ФИО или дата рождения не совпадают с полисом")
    NOT_INSURED = "not_insured", _("Человек не был застрахован на дату услуги")
    SERVICE_UNKNOWN = "service_unknown", _("Услуги нет в согласованном с клиникой прейскуранте")
    SERVICE_NOT_COVERED = "service_not_covered", _("Вид помощи не входит в программу застрахованного")
    CLINIC_NOT_IN_PROGRAM = "clinic_not_in_program", _("Клиника не входит в программу по этому виду помощи")
    FRANCHISE_NOT_ACTIVE = "franchise_not_active", _("Франшиза не была активирована на дату услуги")
    PRICE_MISMATCH = "price_mismatch", _("Цена не совпадает с прейскурантом")
    SUM_MISMATCH = "sum_mismatch", _("Сумма не равна количеству × цене")
    DUPLICATE_LINE = "duplicate_line", _("Строка повторяет другую строку этого реестра")
    ALREADY_BILLED = "already_billed", _("Эта услуга уже выставлена в другом реестре")


class RegistryLine(models.Model):
    """One service line of a registry, written once with its decision and co-pay (never updated
    by the pipeline). The lines of a person's invoice are the accepted lines of the invoice's
    registry under the invoice's policy: no separate invoice-line table.

    Foreign keys carry no database constraint (the pipeline inserts them from joins against the
    very rows they point to; a constraint trigger per row would triple the cost of a big registry)."""

    registry = models.ForeignKey(
        Registry, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="lines"
    )
    # The data row of the file (1 = the first row under the header): unique, whatever the clinic
    # wrote in its own numbering column, which is `line_no` (the row when it has none).
    row = models.PositiveIntegerField(_("строка файла"))
    line_no = models.PositiveIntegerField(_("№ строки"))
    status = models.CharField(_("решение"), max_length=10, choices=LineStatus.choices)
    reason = models.CharField(_("код причины"), max_length=24, choices=RejectReason.choices, blank=True)
    reason_detail = models.CharField(_("пояснение"), max_length=300, blank=True)
    policy = models.ForeignKey(
        "coverage.Policy",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="registry_lines",
    )
    # As the clinic wrote them (kept for the report even when they do not parse).
    policy_number = models.CharField(_("номер полиса"), max_length=40, blank=True)
    person_name = models.CharField(_("застрахованный"), max_length=300, blank=True)
    birth_date = models.DateField(_("дата рождения"), null=True, blank=True)
    service_date = models.DateField(_("дата услуги"), null=True, blank=True)
    service_code = models.CharField(_("код услуги"), max_length=40, blank=True)
    service_name = models.CharField(_("услуга"), max_length=500, blank=True)
    category = models.CharField(_("категория услуг"), max_length=20, blank=True)
    quantity = models.IntegerField(_("количество"), null=True, blank=True)
    price_kopecks = models.BigIntegerField(_("цена, коп."), null=True, blank=True)
    sum_kopecks = models.BigIntegerField(_("сумма, коп."), null=True, blank=True)
    copay_kopecks = models.BigIntegerField(_("франшиза, коп."), default=0)
    copay_rule = models.CharField(_("правило франшизы"), max_length=40, blank=True)
    letter_number = models.CharField(_("гарантийное письмо"), max_length=40, blank=True)
    doctor = models.CharField(_("врач"), max_length=200, blank=True)
    icd10 = models.CharField(_("МКБ-10"), max_length=20, blank=True)
    tooth = models.CharField(_("зуб"), max_length=10, blank=True)
    # The raw cells of a rejected line whose values did not parse, for the report.
    raw = models.JSONField(_("исходные значения"), null=True, blank=True)
    # On PostgreSQL the table is partitioned by this column (migration 0005): 0 is the shared
    # partition; a big registry is written into a partition of its own whose key is its id
    # (registries.pipeline). The database's keys include it: (id, part) and (registry, row, part).
    part = models.BigIntegerField(_("раздел таблицы"), default=0, db_default=0, editable=False)

    class Meta:
        verbose_name = _("строка реестра")
        verbose_name_plural = _("строки реестра")
        ordering = ["registry", "row"]
        constraints = [
            models.UniqueConstraint(fields=["registry", "row"], name="registry_line_row_unique"),
            models.CheckConstraint(
                condition=Q(copay_kopecks__gte=0)
                & (Q(status="accepted", copay_kopecks__lte=models.F("sum_kopecks")) | Q(copay_kopecks=0)),
                name="registry_line_copay_within_cost",
            ),
        ]
        indexes = [models.Index(fields=["policy", "registry"], name="registry_line_policy")]

    def __str__(self) -> str:
        return f"{self.registry_id}/{self.row}"

    @property
    def is_accepted(self) -> bool:
        return self.status == LineStatus.ACCEPTED


class InvoiceStatus(models.TextChoices):
    """Stored statuses. «Просрочен» and «Оспаривается» are derived (invoices.status_of)."""

    NEW = "new", _("Новый")
    PAID = "paid", _("Оплачен")
    CANCELLED = "cancelled", _("Отменён")


class CopayInvoice(models.Model):
    """The co-pay bill of one insured person (employee or relative) for one registry.

    copay   = sum of the co-pays of the person's accepted lines in the registry;
    total   = copay + adjustment (adjustment ≤ 0, from upheld disputes);
    due     = max(0, total − deposit part − credit) — what the person pays;
    paid    = what has come in by card for it.
    The deposit part is offset from the deposit held above the program's non-reducible minimum;
    the credit is what the person already paid for the same services under the registry version
    this one replaced."""

    # Unique by a constraint below rather than unique=True, which on PostgreSQL adds a second
    # index for LIKE searches that nothing makes and every accrual would keep up.
    number = models.CharField(_("номер счёта"), max_length=40)
    # Written by accrual's one COPY, from the check's own figures (tens of
    # thousands per registry): no per-row constraint trigger, whose key-share lock on every
    # policy cost more than the insert. Indexed by the constraints below, which begin with them.
    registry = models.ForeignKey(
        Registry,
        on_delete=models.PROTECT,
        db_constraint=False,
        db_index=False,
        related_name="invoices",
        verbose_name=_("реестр"),
    )
    policy = models.ForeignKey(
        "coverage.Policy",
        on_delete=models.PROTECT,
        db_constraint=False,
        db_index=False,
        related_name="copay_invoices",
        verbose_name=_("полис"),
    )
    issued_on = models.DateField(_("дата формирования"))
    due_on = models.DateField(_("оплатить до"))
    lines_count = models.PositiveIntegerField(_("услуг"), default=0)
    cost_kopecks = models.BigIntegerField(_("стоимость услуг, коп."), default=0)
    copay_kopecks = models.BigIntegerField(_("сумма франшизы, коп."), default=0)
    adjustment_kopecks = models.BigIntegerField(_("исправления, коп."), default=0)
    deposit_kopecks = models.BigIntegerField(_("зачтено из авансового платежа, коп."), default=0)
    credit_kopecks = models.BigIntegerField(_("оплачено по прежней версии реестра, коп."), default=0)
    due_kopecks = models.BigIntegerField(_("итого к оплате, коп."), default=0)
    paid_kopecks = models.BigIntegerField(_("оплачено, коп."), default=0)
    status = models.CharField(_("статус"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.NEW)
    paid_at = models.DateTimeField(_("оплачен"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("отменён"), null=True, blank=True)
    cancel_reason = models.CharField(_("причина отмены"), max_length=300, blank=True)
    notified_at = models.DateTimeField(_("застрахованный извещён"), null=True, blank=True)

    class Meta:
        verbose_name = _("счёт на оплату франшизы")
        verbose_name_plural = _("счета на оплату франшизы")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["registry", "policy"], name="one_invoice_per_person_and_registry"),
            models.UniqueConstraint(fields=["number"], name="invoice_number_unique"),
            models.CheckConstraint(
                condition=Q(copay_kopecks__gte=0)
                & Q(adjustment_kopecks__lte=0)
                & Q(deposit_kopecks__gte=0)
                & Q(credit_kopecks__gte=0)
                & Q(due_kopecks__gte=0)
                & Q(paid_kopecks__gte=0),
                name="invoice_amounts_sane",
            ),
        ]
        indexes = [models.Index(fields=["policy", "status"], name="invoice_policy_status")]

    def __str__(self) -> str:
        return f"Счёт № {self.number}"

    @property
    def total_kopecks(self) -> int:
        return self.copay_kopecks + self.adjustment_kopecks

    def recompute_due(self) -> None:
        """due = max(0, copay + adjustment − deposit − credit): the one place the rule is written."""
        self.due_kopecks = max(
            0, self.copay_kopecks + self.adjustment_kopecks - self.deposit_kopecks - self.credit_kopecks
        )

    @property
    def outstanding_kopecks(self) -> int:
        if self.status == InvoiceStatus.CANCELLED:
            return 0
        return max(0, self.due_kopecks - self.paid_kopecks)


class DisputeKind(models.TextChoices):
    NOT_PROVIDED = "not_provided", _("Услуга не оказывалась")
    QUANTITY = "quantity", _("Оказана в ином количестве")
    QUALITY = "quality", _("Оказана ненадлежащего качества")
    OTHER_SERVICE = "other_service", _("Оказана другая услуга")


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("На рассмотрении")
    REJECTED = "rejected", _("Отклонено")
    UPHELD = "upheld", _("Удовлетворено, счёт исправлен")


class Dispute(models.Model):
    """«Несогласие с услугой» on one registry line, reviewed within 15 calendar days."""

    # No database constraint: PostgreSQL keys a partitioned table's lines by (id, part).
    line = models.ForeignKey(
        RegistryLine, on_delete=models.PROTECT, db_constraint=False, related_name="disputes", verbose_name=_("услуга")
    )
    policy = models.ForeignKey(
        "coverage.Policy", on_delete=models.PROTECT, related_name="disputes", verbose_name=_("полис")
    )
    invoice = models.ForeignKey(
        CopayInvoice, on_delete=models.PROTECT, null=True, blank=True, related_name="disputes", verbose_name=_("счёт")
    )
    kind = models.CharField(_("с чем не согласен"), max_length=20, choices=DisputeKind.choices)
    comment = models.TextField(_("комментарий"))
    quantity_claimed = models.PositiveIntegerField(_("сколько было на самом деле"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("кто подал")
    )
    submitted_at = models.DateTimeField(_("подано"), default=clock.now)
    answer_due_on = models.DateField(_("ответить до"))
    status = models.CharField(_("статус"), max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    answer = models.TextField(_("ответ"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("рассмотрено"), null=True, blank=True)
    # Upheld: the line's co-pay after the correction (0 when the service was not provided).
    corrected_copay_kopecks = models.BigIntegerField(_("франшиза после исправления, коп."), null=True, blank=True)

    class Meta:
        verbose_name = _("несогласие с услугой")
        verbose_name_plural = _("несогласия с услугами")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["line"], condition=Q(status="open"), name="one_open_dispute_per_line"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.line}"


class DisputeFile(models.Model):
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("файл"), upload_to="disputes/%Y/%m/")
    name = models.CharField(_("имя файла"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("размер, байт"))

    class Meta:
        verbose_name = _("файл к несогласию")
        verbose_name_plural = _("файлы к несогласиям")

    def __str__(self) -> str:
        return self.name


class InvoiceAdjustment(models.Model):
    """A correction of an invoice after an upheld dispute: the co-pay it took off, and where the
    money already paid for it went (refunded to the card or credited to the deposit)."""

    invoice = models.ForeignKey(CopayInvoice, on_delete=models.PROTECT, related_name="adjustments")
    dispute = models.OneToOneField(Dispute, on_delete=models.PROTECT, null=True, blank=True, related_name="adjustment")
    amount_kopecks = models.BigIntegerField(_("изменение франшизы, коп."))  # ≤ 0
    refunded_kopecks = models.BigIntegerField(_("возвращено на карту, коп."), default=0)
    credited_kopecks = models.BigIntegerField(_("зачтено в авансовый платёж, коп."), default=0)
    refund = models.ForeignKey(
        "payments.Refund", on_delete=models.PROTECT, null=True, blank=True, related_name="invoice_adjustments"
    )
    reason = models.CharField(_("основание"), max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("исправлено"), default=clock.now)

    class Meta:
        verbose_name = _("исправление счёта")
        verbose_name_plural = _("исправления счетов")
        ordering = ["created_at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount_kopecks__lte=0), name="adjustment_not_positive")]

    def __str__(self) -> str:
        return f"{self.invoice}: {self.amount_kopecks}"


class DebtReminder(models.Model):
    """A reminder about an unpaid invoice, sent once per kind ("before_3", "due", "after_7" …)."""

    invoice = models.ForeignKey(CopayInvoice, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("вид"), max_length=20)
    sent_at = models.DateTimeField(_("отправлено"), default=clock.now)

    class Meta:
        verbose_name = _("напоминание о долге")
        verbose_name_plural = _("напоминания о долге")
        constraints = [models.UniqueConstraint(fields=["invoice", "kind"], name="debt_reminder_once")]

    def __str__(self) -> str:
        return f"{self.invoice}: {self.kind}"


class DebtReport(models.Model):
    """The monthly debt report sent to a contract's administrators: amounts only (323-FZ art. 13)."""

    contract = models.ForeignKey("coverage.Contract", on_delete=models.PROTECT, related_name="debt_reports")
    month = models.DateField(_("месяц (первое число)"))
    created_at = models.DateTimeField(_("сформирован"), default=clock.now)
    sent_at = models.DateTimeField(_("отправлен"), null=True, blank=True)
    people = models.PositiveIntegerField(_("должников"), default=0)
    total_kopecks = models.BigIntegerField(_("долг, коп."), default=0)

    class Meta:
        verbose_name = _("отчёт о задолженности")
        verbose_name_plural = _("отчёты о задолженности")
        ordering = ["-month", "contract"]
        constraints = [models.UniqueConstraint(fields=["contract", "month"], name="debt_report_once_a_month")]

    def __str__(self) -> str:
        return f"{self.contract}: {self.month:%m.%Y}"
