"""The clinic network: facilities, what kinds of care each gives, its price category."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
