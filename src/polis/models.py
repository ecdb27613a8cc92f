"""Project-wide reference data: the business calendar's overrides."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BusinessDayOverride(models.Model):
    """A day the production calendar says differently from the `holidays` package: a working
    Saturday by decree (01.11.2025), a regional holiday, a new transfer. The back office adds a
    row when a decree comes out; polis.calendar reads rows before the package."""

    date = models.DateField(_("дата"), unique=True)
    is_working = models.BooleanField(_("рабочий день"))
    note = models.CharField(_("основание"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("исключение производственного календаря")
        verbose_name_plural = _("производственный календарь: исключения")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y}: {'рабочий' if self.is_working else 'выходной'}"
