"""The insured person's clinic directory: the list and the map, and one clinic's page."""

from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from polis.accounts.models import Role
from polis.accounts.permissions import role_required, viewer
from polis.coverage.models import AccessMode
from polis.coverage.selectors import ru_plural
from polis.network import directory
from polis.network.models import KindOfCare

# The GET parameters that say where distances are measured from; links to a clinic carry them.
ORIGIN_PARAMS = ("lat", "lon", "src", "metro_id")


class DirectoryFilterForm(forms.Form):
    """The filter bar. A field that does not validate filters nothing and shows its error."""

    policy = forms.IntegerField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Вид помощи"), required=False, choices=[("", _("Любой")), *KindOfCare.choices])
    city = forms.CharField(label=_("Город"), required=False, max_length=100)
    metro = forms.CharField(label=_("Метро"), required=False, max_length=100)
    franchise = forms.BooleanField(label=_("Только с франшизой"), required=False)
    access = forms.ChoiceField(
        label=_("Как записаться"), required=False, choices=[("", _("Любым способом")), *AccessMode.choices]
    )
    q = forms.CharField(label=_("Название или адрес"), required=False, max_length=200)
    metro_id = forms.IntegerField(label=_("Считать расстояние от метро"), required=False, min_value=1)
    lat = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    lon = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    src = forms.ChoiceField(
        required=False, choices=[("", ""), ("geo", "geo"), ("map", "map")], widget=forms.HiddenInput
    )
    view = forms.ChoiceField(required=False, choices=[("list", "list"), ("map", "map")], widget=forms.HiddenInput)

    def value(self, name: str) -> Any:
        if not self.is_bound:
            return None
        return self.cleaned_data.get(name) if name in getattr(self, "cleaned_data", {}) else None

    def to_filters(self) -> directory.DirectoryFilters:
        return directory.DirectoryFilters(
            kind=self.value("kind") or "",
            city=(self.value("city") or "").strip(),
            metro=(self.value("metro") or "").strip(),
            franchise=bool(self.value("franchise")),
            access=self.value("access") or "",
            query=(self.value("q") or "").strip(),
        )


def _origin(form: DirectoryFilterForm) -> tuple[directory.Origin | None, str]:
    try:
        origin = directory.origin_from(
            lat=form.value("lat"),
            lon=form.value("lon"),
            metro_id=form.value("metro_id"),
            source=form.value("src") or "",
        )
    except directory.OriginError as error:
        return None, error.message
    return origin, ""


def _origin_query(origin: directory.Origin | None) -> str:
    if origin is None:
        return ""
    params = QueryDict(mutable=True)
    if origin.station_id:
        params["metro_id"] = str(origin.station_id)
    else:
        params.update({"lat": str(origin.latitude), "lon": str(origin.longitude), "src": origin.source})
    return params.urlencode()


def _with(query: QueryDict, **changes: str) -> str:
    changed = query.copy()
    for name, value in changes.items():
        changed[name] = value
    return changed.urlencode()


def _count_label(n: int) -> str:
    return f"{n} {ru_plural(n, gettext('клиника'), gettext('клиники'), gettext('клиник'))}"


def _map_settings() -> dict[str, str]:
    return {"tiles": settings.POLIS_MAP_TILES_URL, "attribution": settings.POLIS_MAP_ATTRIBUTION}


@role_required(Role.INSURED)
def clinic_list(request: HttpRequest) -> HttpResponse:
    me = viewer(request)
    form = DirectoryFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    policies = list(directory.directory_policies(user=me))
    policy_id = form.value("policy")
    if policy_id is None:
        default = directory.default_policy(policies)
        if default is None:
            return render(request, "network/directory/list.html", {"policies": [], "form": form})
        policy_id = default.pk
    origin, origin_error = _origin(form)
    view_mode = form.value("view") or "list"
    result = directory.clinic_directory(
        user=me,
        policy_id=policy_id,
        filters=form.to_filters(),
        origin=origin.point if origin else None,
        page=request.GET.get("page"),
        with_markers=view_mode == "map",
    )
    query = request.GET.copy()
    query.pop("page", None)
    query["policy"] = str(result.policy.pk)
    without_origin = query.copy()
    for name in ORIGIN_PARAMS:
        without_origin.pop(name, None)
    return render(
        request,
        "network/directory/list.html",
        {
            "form": form,
            "policies": policies,
            "policy": result.policy,
            "directory": result,
            "page_obj": result.page,
            "origin": origin,
            "origin_error": origin_error,
            "origin_query": _origin_query(origin),
            "stations": list(directory.metro_stations(cities=result.cities)),
            "view_mode": view_mode,
            "query_string": query.urlencode(),
            "list_query": _with(query, view="list"),
            "map_query": _with(query, view="map"),
            "reset_origin_query": without_origin.urlencode(),
            "count_label": _count_label(result.count),
            "map": _map_settings(),
            "kinds": KindOfCare.choices,
            "access_modes": AccessMode.choices,
        },
    )


@role_required(Role.INSURED)
def clinic_detail(request: HttpRequest, policy_id: int, clinic_id: int) -> HttpResponse:
    me = viewer(request)
    form = DirectoryFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    # A broken point in a link only loses the distance; the page itself is still shown.
    origin, _error = _origin(form)
    detail = directory.clinic_for_user(
        user=me, policy_id=policy_id, clinic_id=clinic_id, origin=origin.point if origin else None
    )
    clinic = detail.clinic
    marker = None
    if clinic.latitude is not None and clinic.longitude is not None:
        marker = [{"id": clinic.pk, "name": clinic.name, "address": clinic.address,
                   "lat": float(clinic.latitude), "lon": float(clinic.longitude), "url": ""}]  # fmt: skip
    back = QueryDict(mutable=True)
    back["policy"] = str(detail.policy.pk)
    origin_query = _origin_query(origin)
    return render(
        request,
        "network/directory/detail.html",
        {
            "detail": detail,
            "clinic": clinic,
            "policy": detail.policy,
            "access": detail.access,
            "origin": origin,
            "origin_point": _point(origin),
            "marker": marker,
            "map": _map_settings(),
            "back_query": back.urlencode() + ("&" + origin_query if origin_query else ""),
        },
    )


def _point(origin: directory.Origin | None) -> dict[str, float] | None:
    if origin is None:
        return None
    return {"lat": float(origin.latitude), "lon": float(origin.longitude)}
