"""The clinic console: the clerk's own clinic, the programs it serves, its attached patients."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from polis.accounts.models import Role, User
from polis.accounts.permissions import role_required
from polis.network import selectors

PATIENTS_PER_PAGE = 50


def _viewer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@role_required(Role.CLINIC)
def home(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    return render(
        request,
        "network/home.html",
        {
            "clinic": selectors.clinic_of(viewer=viewer),
            "programs": selectors.clinic_programs(viewer=viewer),
            "attached_count": selectors.clinic_attached_policies(viewer=viewer).count(),
        },
    )


@role_required(Role.CLINIC)
def patients(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    query = request.GET.get("q", "").strip()[:200]
    policies = selectors.clinic_attached_policies(viewer=viewer, query=query)
    page = Paginator(policies, PATIENTS_PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "network/patients.html",
        {
            "clinic": selectors.clinic_of(viewer=viewer),
            "page_obj": page,
            "q": query,
            "query_string": params.urlencode(),
        },
    )
