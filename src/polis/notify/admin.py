from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from polis.notify.models import Notification, OutboundMessage


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    """The outbox is a journal of what was sent: read, never edited. The body is on the detail
    page only, not in the list: SMS bodies carry one-time codes."""

    list_display = ("created_at", "channel", "recipient", "subject", "status", "attempts", "sent_at")
    list_filter = ("channel", "status")
    search_fields = ("recipient", "subject")
    date_hierarchy = "created_at"
    fields = ("channel", "recipient", "subject", "body", "status", "created_at", "sent_at", "attempts", "error")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "title", "read_at")
    list_filter = (("read_at", admin.EmptyFieldListFilter),)
    list_select_related = ("user",)
    search_fields = ("user__email", "user__phone", "title")
    autocomplete_fields = ("user",)
    date_hierarchy = "created_at"
