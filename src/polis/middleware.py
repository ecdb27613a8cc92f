from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from polis import clock


class LocalTimeMiddleware:
    """Times are stored in UTC and shown in the insured's zone: Moscow until people have zones
    of their own (then this is the one place to pick the person's)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with timezone.override(clock.local_zone()):
            return self.get_response(request)
