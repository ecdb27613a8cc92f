"""The clinic directory for the mobile app: the same selectors as the web pages, so the same
scoping, filters, order and access rules."""

from decimal import Decimal
from http import HTTPStatus

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from polis.accounts.models import Role, User
from polis.api.errors import ApiError
from polis.coverage.models import AccessMode
from polis.network import directory
from polis.network.access import ClinicAccess
from polis.network.models import Clinic, KindOfCare

clinics_router = Router()

KINDS = {k.value for k in KindOfCare}
ACCESS_MODES = {m.value for m in AccessMode}


class KindAccessOut(Schema):
    kind: str
    kind_label: str
    mode: str
    mode_label: str
    phone: str
    online_allowed: bool
    reason: str


class ClinicOut(Schema):
    id: int
    name: str
    city: str
    address: str
    metro: str
    phones: list[str]
    opening_hours: str
    latitude: Decimal | None
    longitude: Decimal | None
    is_franchise: bool
    distance_km: float | None
    online_allowed: bool
    summary: str
    kinds: list[KindAccessOut]


class ClinicDetailOut(ClinicOut):
    legal_name: str
    website: str
    email: str
    has_access_control: bool
    policy_id: int


class OriginOut(Schema):
    latitude: Decimal
    longitude: Decimal
    source: str
    label: str


class ClinicPageOut(Schema):
    policy_id: int
    count: int
    page: int
    pages: int
    per_page: int
    cities: list[str]
    origin: OriginOut | None
    items: list[ClinicOut]


class MetroStationOut(Schema):
    id: int
    city: str
    name: str
    line: str
    latitude: Decimal
    longitude: Decimal


class DirectoryQuery(Schema):
    policy_id: int | None = None
    kind: str = ""
    city: str = ""
    metro: str = ""
    franchise: bool = False
    access: str = ""
    q: str = ""
    lat: str = ""
    lon: str = ""
    metro_id: int | None = None
    page: int = Field(1, ge=1)


def _insured(request: HttpRequest) -> User:
    """The directory is the insured person's; staff have their consoles (403, not 404)."""
    user = request.user
    assert isinstance(user, User)
    if user.role != Role.INSURED:
        raise ApiError("Раздел доступен только застрахованным", code="forbidden", status=HTTPStatus.FORBIDDEN)
    return user


def _origin(lat: str, lon: str, metro_id: int | None) -> directory.Origin | None:
    try:
        return directory.origin_from(lat=lat, lon=lon, metro_id=metro_id, source="geo")
    except directory.OriginError as error:
        raise ApiError(error.message, code="invalid_origin") from error


def _clinic(clinic: Clinic, access: ClinicAccess, distance_km: float | None) -> dict:
    return {
        "id": clinic.pk,
        "name": clinic.name,
        "city": clinic.city,
        "address": clinic.address,
        "metro": clinic.metro,
        "phones": clinic.phone_list,
        "opening_hours": clinic.opening_hours,
        "latitude": clinic.latitude,
        "longitude": clinic.longitude,
        "is_franchise": clinic.is_franchise,
        "distance_km": round(distance_km, 2) if distance_km is not None else None,
        "online_allowed": access.online_allowed,
        "summary": access.summary,
        "kinds": [vars(k) for k in access.kinds],
    }


@clinics_router.get("", response=ClinicPageOut, summary="Клиники моей программы (или программы родственника)")
def list_clinics(request: HttpRequest, params: Query[DirectoryQuery]) -> dict:
    """Without `policy_id`, the person's own policy in force. Sorted by distance from `lat`/`lon`
    (the phone's location) or from the metro station `metro_id` when given, else by city and
    name. `access` is how this person gets in: `online`, `registry` or `desk`. 20 per page."""
    user = _insured(request)
    if params.kind and params.kind not in KINDS:
        raise ApiError("Неизвестный вид помощи", code="invalid_kind")
    if params.access and params.access not in ACCESS_MODES:
        raise ApiError("Неизвестный способ записи", code="invalid_access")
    policy_id = params.policy_id
    if policy_id is None:
        default = directory.default_policy(list(directory.directory_policies(user=user)))
        if default is None:
            raise ApiError("Нет полиса: клиники показываются по программе полиса", code="no_policy", status=404)
        policy_id = default.pk
    origin = _origin(params.lat, params.lon, params.metro_id)
    result = directory.clinic_directory(
        user=user,
        policy_id=policy_id,
        filters=directory.DirectoryFilters(
            kind=params.kind,
            city=params.city.strip(),
            metro=params.metro.strip()[:100],
            franchise=params.franchise,
            access=params.access,
            query=params.q.strip()[:200],
        ),
        origin=origin.point if origin else None,
        page=params.page,
    )
    return {
        "policy_id": result.policy.pk,
        "count": result.count,
        "page": result.page.number,
        "pages": result.page.paginator.num_pages,
        "per_page": directory.PER_PAGE,
        "cities": result.cities,
        "origin": vars(origin) if origin else None,
        "items": [_clinic(card.clinic, card.access, card.distance_km) for card in result.cards],
    }


@clinics_router.get("/metro", response=list[MetroStationOut], summary="Станции метро (откуда считать расстояние)")
def list_metro(request: HttpRequest, city: str = "") -> list[dict]:
    _insured(request)
    stations = directory.metro_stations(cities=[city.strip()] if city.strip() else None)
    return [
        {"id": s.pk, "city": s.city, "name": s.name, "line": s.line, "latitude": s.latitude, "longitude": s.longitude}
        for s in stations
    ]


@clinics_router.get("/{clinic_id}", response=ClinicDetailOut, summary="Клиника: контакты и как в неё попасть")
def get_clinic(
    request: HttpRequest, clinic_id: int, policy_id: int, lat: str = "", lon: str = "", metro_id: int | None = None
) -> dict:
    """For each kind of care the program covers here: how this person gets in (online, the
    clinic's registry or the desk), the phone to call, or why online booking is not offered."""
    user = _insured(request)
    origin = _origin(lat, lon, metro_id)
    detail = directory.clinic_for_user(
        user=user, policy_id=policy_id, clinic_id=clinic_id, origin=origin.point if origin else None
    )
    clinic = detail.clinic
    data = _clinic(clinic, detail.access, detail.distance_km)
    data.update(
        legal_name=clinic.legal_name,
        website=clinic.website,
        email=clinic.email,
        has_access_control=clinic.has_access_control,
        policy_id=detail.policy.pk,
    )
    return data
