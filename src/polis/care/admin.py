from django.contrib import admin

from polis.care.models import DeskContact


@admin.register(DeskContact)
class DeskContactAdmin(admin.ModelAdmin):
    list_display = ("title", "city", "phone", "email", "hours", "round_the_clock", "order")
    list_editable = ("order",)
    list_filter = ("round_the_clock", "city")
    search_fields = ("title", "city", "phone")
