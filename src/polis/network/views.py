"""The clinic console: the clerk's own clinic, the programs it serves, its attached patients."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from polis.accounts.models import Role
from polis.accounts.permissions import role_required, viewer
from polis.network import selectors

PATIENTS_PER_PAGE = 50


@role_required(Role.CLINIC)
def home(request: HttpRequest) -> HttpResponse:
    me = viewer(request)
    return render(
        request,
        "network/home.html",
        {
            "clinic": selectors.clinic_of(viewer=me),
            "programs": selectors.clinic_programs(viewer=me),
            "attached_count": selectors.clinic_attached_policies(viewer=me).count(),
        },
    )


@role_required(Role.CLINIC)
def patients(request: HttpRequest) -> HttpResponse:
    me = viewer(request)
    query = request.GET.get("q", "").strip()[:200]
    policies = selectors.clinic_attached_policies(viewer=me, query=query)
    page = Paginator(policies, PATIENTS_PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "network/patients.html",
        {
            "clinic": selectors.clinic_of(viewer=me),
            "page_obj": page,
            "q": query,
            "query_string": params.urlencode(),
        },
    )
