"""The medical desk (ЦМП). For now: how to reach it, per city. Requests, triage and guarantee
letters come with the medical desk issue and live here too."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeskContact(models.Model):
    """A phone of the desk or of a branch's curators. An empty city is the federal number."""

    city = models.CharField(_("город"), max_length=100, blank=True, db_index=True)
    title = models.CharField(_("служба"), max_length=200)
    phone = models.CharField(_("телефон"), max_length=40)
    email = models.EmailField(_("e-mail"), blank=True)
    hours = models.CharField(_("часы работы"), max_length=100, default="круглосуточно")
    round_the_clock = models.BooleanField(_("круглосуточно"), default=True)
    order = models.PositiveSmallIntegerField(_("порядок"), default=0)

    class Meta:
        verbose_name = _("телефон медицинского пульта")
        verbose_name_plural = _("телефоны медицинского пульта")
        ordering = ["order", "city", "title"]

    def __str__(self) -> str:
        return f"{self.city or 'Федеральный'}: {self.title} {self.phone}"
