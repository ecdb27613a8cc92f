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
