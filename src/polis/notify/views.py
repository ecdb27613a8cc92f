"""A person's own notifications, whatever their role: unread first, then the newest."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import BooleanField, Case, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from polis import clock
from polis.accounts.models import User
from polis.notify.models import Notification
from polis.notify.services import notifications_mark_read

PER_PAGE = 25


def _own(request: HttpRequest) -> QuerySet[Notification]:
    user = request.user
    assert isinstance(user, User)  # behind login_required
    return Notification.objects.filter(user=user)


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = _own(request).annotate(
        unread=Case(When(read_at__isnull=True, then=Value(True)), default=Value(False), output_field=BooleanField())
    )
    page = Paginator(notifications.order_by("-unread", "-created_at", "-pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notify/list.html",
        {
            "page_obj": page,
            "unread_count": _own(request).filter(read_at__isnull=True).count(),
            # Shown in the insurer's zone (Moscow) until people have zones of their own.
            "zone": clock.local_zone(),
        },
    )


@require_POST
@login_required
def mark_all_read(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    notifications_mark_read(user=request.user)
    return redirect("notify:list")


@require_POST
@login_required
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one read and follow its link, if the link stays on this site."""
    notification = get_object_or_404(_own(request), pk=pk)
    assert isinstance(request.user, User)
    notifications_mark_read(user=request.user, notification_id=notification.pk)
    link = notification.link
    if link and url_has_allowed_host_and_scheme(
        link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(link)
    return redirect("notify:list")
