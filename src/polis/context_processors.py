from django.conf import settings
from django.http import HttpRequest


def polis(request: HttpRequest) -> dict[str, object]:
    return {"insurer_name": settings.POLIS_INSURER_NAME}
