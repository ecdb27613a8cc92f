"""Role gates for the consoles. What a role may see inside its console is the selectors' job."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from polis.accounts.models import User

View = Callable[..., HttpResponse]


def role_required(*roles: str) -> Callable[[View], View]:
    """Anonymous → the login page (and back here afterwards); a logged-in person of another
    role → 403, because the console is not theirs at all (unlike someone else's object → 404)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if getattr(request.user, "role", None) not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def viewer(request: HttpRequest) -> User:
    """The logged-in user of a view behind role_required, typed for the selectors."""
    user = request.user
    assert isinstance(user, User)
    return user
