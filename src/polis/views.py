from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from polis.accounts.models import Role

HOME_BY_ROLE = {
    Role.INSURED: "coverage:dashboard",
    Role.HR: "hr:people",
    Role.DESK: "desk:queue",
    Role.CLINIC: "clinic:home",
    Role.BACKOFFICE: "admin:index",
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role starts on its own console."""
    role = getattr(request.user, "role", Role.INSURED)
    return redirect(HOME_BY_ROLE.get(Role(role), "coverage:dashboard"))
