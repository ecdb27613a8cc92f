from django.conf import settings
from django.http import HttpRequest


def polis(request: HttpRequest) -> dict[str, object]:
    context: dict[str, object] = {"insurer_name": settings.POLIS_INSURER_NAME}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from polis.notify.models import Notification

        # A callable: the template engine calls it only where the header shows it.
        context["unread_notifications"] = lambda: Notification.objects.filter(user=user, read_at__isnull=True).count()
    return context
