"""Back office for the production calendar's overrides. Saving and deleting go through
polis.calendar so that the calendar sees the change at once."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from polis import calendar
from polis.models import BusinessDayOverride


class YearFilter(admin.SimpleListFilter):
    title = _("год")
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        years = BusinessDayOverride.objects.dates("date", "year", order="DESC")
        return [(str(d.year), str(d.year)) for d in years]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(date__year=int(value))
        return queryset


@admin.register(BusinessDayOverride)
class BusinessDayOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "weekday", "is_working", "by_package", "note")
    list_filter = (YearFilter, "is_working")
    search_fields = ("note",)
    ordering = ("date",)
    list_per_page = 50

    @admin.display(description=_("день недели"))
    def weekday(self, obj: BusinessDayOverride) -> str:
        return date_format(obj.date, "l")

    @admin.display(description=_("без исключения"))
    def by_package(self, obj: BusinessDayOverride) -> str:
        # What the day would be without this row, so a redundant or mistyped override shows.
        return str(_("рабочий") if calendar.default_is_working(obj.date) else _("выходной"))

    def get_readonly_fields(self, request: HttpRequest, obj: BusinessDayOverride | None = None) -> tuple[str, ...]:
        # The date is the row's identity for the calendar: another date is another override.
        return ("date",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: BusinessDayOverride, form: Any, change: bool) -> None:
        saved = calendar.override_set(date=obj.date, is_working=obj.is_working, note=obj.note)
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: BusinessDayOverride) -> None:
        calendar.override_delete(override=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for override in queryset:
            calendar.override_delete(override=override)
