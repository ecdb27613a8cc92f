"""Every SMS and e-mail goes through the outbox: a row first, delivery by a background task.
In-app notifications are the person's list in the account."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from polis import clock


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


class OutboundMessage(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("ожидает отправки")
        SENT = "sent", _("отправлено")
        FAILED = "failed", _("ошибка")

    channel = models.CharField(_("канал"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("получатель"), max_length=254, db_index=True)
    subject = models.CharField(_("тема"), max_length=200, blank=True)
    body = models.TextField(_("текст"))
    status = models.CharField(_("статус"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("создано"), default=clock.now, db_index=True)
    sent_at = models.DateTimeField(_("отправлено"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("попыток"), default=0)
    error = models.TextField(_("ошибка"), blank=True)

    class Meta:
        verbose_name = _("исходящее сообщение")
        verbose_name_plural = _("исходящие сообщения")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}"


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("пользователь")
    )
    title = models.CharField(_("заголовок"), max_length=200)
    body = models.TextField(_("текст"), blank=True)
    link = models.CharField(_("ссылка"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("создано"), default=clock.now)
    read_at = models.DateTimeField(_("прочитано"), null=True, blank=True)

    class Meta:
        verbose_name = _("уведомление")
        verbose_name_plural = _("уведомления")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title
