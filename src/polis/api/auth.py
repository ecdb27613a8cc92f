"""Who is calling the API: the app with a bearer token, or a logged-in browser (so the docs
page's "Try it out" works for a person who has logged in on the site)."""

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from polis.accounts.models import User
from polis.accounts.services import api_token_user


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_user(key=token)
        if user is None:
            return None
        request.user = user
        return user


bearer = BearerToken()
# Tried in order: a token first, then the session cookie (which ninja checks for CSRF).
authenticated: list[Any] = [bearer, django_auth]


def request_user(request: HttpRequest) -> User:
    """The caller of an authenticated endpoint (the auth above has put them on the request)."""
    user = request.user
    assert isinstance(user, User)
    return user


MAX_PAGE = 100


def page_window(limit: int, offset: int) -> tuple[int, int]:
    """[start, end) of a list page: `limit` capped at MAX_PAGE, never a negative offset."""
    start = max(offset, 0)
    return start, start + min(max(limit, 1), MAX_PAGE)
