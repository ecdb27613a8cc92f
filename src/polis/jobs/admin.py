from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse

from polis.jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("pk", "title", "kind", "status", "done", "total", "created_by", "created_at", "finished_at")
    list_filter = ("kind", "status")
    search_fields = ("title", "input_name", "input_sha256")
    list_select_related = ("created_by",)
    # Jobs are facts of what happened: read here; rejected rows (thousands, paged) on the job's own page.
    readonly_fields = [f.name for f in Job._meta.fields]

    def view_on_site(self, obj: Job) -> str:
        return reverse("jobs:detail", args=[obj.pk])

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
