"""People who log in, their roles, consents, one-time codes, login attempts and API tokens."""

import uuid
from typing import ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils.translation import gettext_lazy as _

from polis import clock


class Role(models.TextChoices):
    INSURED = "insured", _("Застрахованный")
    HR = "hr", _("Администратор договора")
    DESK = "desk", _("Диспетчер медицинского пульта")
    CLINIC = "clinic", _("Сотрудник клиники")
    BACKOFFICE = "backoffice", _("Бэк-офис")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("role", Role.BACKOFFICE)
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail"), unique=True)
    # +7XXXXXXXXXX (polis.phone.normalize_phone); staff may have none.
    phone = models.CharField(_("мобильный телефон"), max_length=12, unique=True, null=True, blank=True)
    last_name = models.CharField(_("фамилия"), max_length=100, blank=True)
    first_name = models.CharField(_("имя"), max_length=100, blank=True)
    patronymic = models.CharField(_("отчество"), max_length=100, blank=True)
    role = models.CharField(_("роль"), max_length=20, choices=Role.choices, default=Role.INSURED)
    clinic = models.ForeignKey(
        "network.Clinic",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("клиника"),
        help_text=_("Для сотрудника клиники: видит только эту клинику."),
    )
    is_active = models.BooleanField(_("активен"), default=True)
    is_staff = models.BooleanField(_("доступ в админку"), default=False)
    date_joined = models.DateTimeField(_("зарегистрирован"), default=clock.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("пользователь")
        verbose_name_plural = _("пользователи")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="clinic") | models.Q(clinic__isnull=False),
                name="clinic_staff_has_clinic",
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    def get_short_name(self) -> str:
        return self.first_name or self.email


class ConsentKind(models.TextChoices):
    PERSONAL_DATA = "personal_data", _("Обработка персональных данных, включая сведения о здоровье")
    MARKETING = "marketing", _("Новости и предложения по e-mail и SMS")


class ConsentText(models.Model):
    """A published version of a consent's wording; each given consent points at the one read."""

    kind = models.CharField(_("вид"), max_length=20, choices=ConsentKind.choices)
    version = models.CharField(_("версия"), max_length=20)
    title = models.CharField(_("заголовок"), max_length=200)
    text = models.TextField(_("текст"))
    published_at = models.DateTimeField(_("опубликован"), default=clock.now)

    class Meta:
        verbose_name = _("текст согласия")
        verbose_name_plural = _("тексты согласий")
        constraints = [models.UniqueConstraint(fields=["kind", "version"], name="consent_text_version_unique")]
        get_latest_by = "published_at"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, ред. {self.version}"


class Consent(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents", verbose_name=_("пользователь"))
    kind = models.CharField(_("вид"), max_length=20, choices=ConsentKind.choices)
    text = models.ForeignKey(ConsentText, on_delete=models.PROTECT, verbose_name=_("редакция"))
    given_at = models.DateTimeField(_("дано"))
    withdrawn_at = models.DateTimeField(_("отозвано"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("IP-адрес"), null=True, blank=True)

    class Meta:
        verbose_name = _("согласие")
        verbose_name_plural = _("согласия")
        ordering = ["-given_at", "-pk"]
        constraints = [
            # At most one consent of a kind in force per person; withdrawn ones stay as history.
            models.UniqueConstraint(
                fields=["user", "kind"], condition=models.Q(withdrawn_at__isnull=True), name="one_live_consent_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()}"


class CodePurpose(models.TextChoices):
    REGISTRATION = "registration", _("Подтверждение телефона при регистрации")
    PASSWORD_RESET = "password_reset", _("Восстановление пароля")


class OneTimeCode(models.Model):
    """A code sent by SMS or e-mail. Only its hash is kept; it expires and allows few tries."""

    purpose = models.CharField(max_length=20, choices=CodePurpose.choices)
    destination = models.CharField(_("куда"), max_length=254, db_index=True)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=clock.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    # What confirming the code completes (a pending registration or a reset), kept server-side.
    payload = models.JSONField(default=dict, blank=True)
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        verbose_name = _("одноразовый код")
        verbose_name_plural = _("одноразовые коды")
        indexes = [models.Index(fields=["destination", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} → {self.destination}"


class LoginAttempt(models.Model):
    """Failed and successful logins, kept in the database so that lockouts work without Redis
    and across all web processes."""

    identifier = models.CharField(max_length=254, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    at = models.DateTimeField(default=clock.now, db_index=True)

    class Meta:
        verbose_name = _("попытка входа")
        verbose_name_plural = _("попытки входа")
        indexes = [models.Index(fields=["identifier", "at"])]

    def __str__(self) -> str:
        return f"{self.identifier} {'ok' if self.succeeded else 'fail'}"


class ApiToken(models.Model):
    """A bearer token for the mobile app. Only the SHA-256 of the key is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("пользователь"))
    key_hash = models.CharField(max_length=64, unique=True)
    name = models.CharField(_("устройство"), max_length=100, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("токен API")
        verbose_name_plural = _("токены API")

    def __str__(self) -> str:
        return f"{self.user} — {self.name or 'токен'}"
