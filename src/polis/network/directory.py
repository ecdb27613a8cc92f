"""The insured person's clinic directory: which clinics a person may go to under one of the
policies they see (their own or a relative's), filtered, sorted by distance, a page at a time.

How the person gets in at each clinic (online, the clinic's registry, the desk) is decided in
`network.access`; this module only asks it, a page at a time, so the rules live in one place.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.paginator import Page, Paginator
from django.db.models import Case, DecimalField, ExpressionWrapper, F, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from polis.accounts.models import Role, User
from polis.coverage.models import Policy, ProgramClinic
from polis.coverage.selectors import policies_for_user
from polis.network.access import ClinicAccess, clinics_access
from polis.network.models import Clinic, MetroStation

PER_PAGE = 20
EARTH_RADIUS_KM = 6371.0088
# Six decimals of a degree, as the coordinates are stored.
MICRODEGREE = Decimal("0.000001")


class OriginError(Exception):
    """A point to measure from that cannot be used; the message is for the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class DirectoryFilters:
    kind: str = ""
    city: str = ""
    metro: str = ""
    franchise: bool = False
    access: str = ""  # "online" | "registry" | "desk": how this person gets in, per network.access
    query: str = ""


@dataclass(frozen=True)
class Origin:
    """The point distances are measured from, and how the person chose it."""

    latitude: Decimal
    longitude: Decimal
    source: str  # "geo" (the browser's location), "map" (a click on the map) or "metro"
    label: str
    station_id: int | None = None

    @property
    def point(self) -> tuple[Decimal, Decimal]:
        return (self.latitude, self.longitude)


@dataclass(frozen=True)
class ClinicCard:
    clinic: Clinic
    access: ClinicAccess
    distance_km: float | None

    @property
    def distance_label(self) -> str:
        return distance_label(self.distance_km)


@dataclass
class Directory:
    policy: Policy
    filters: DirectoryFilters
    origin: tuple[Decimal, Decimal] | None
    page: Page
    cards: list[ClinicCard]
    count: int
    cities: list[str]
    # Every filtered clinic (not only this page) for the map: id, name, address, lat, lon, url.
    markers: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class ClinicDetail:
    policy: Policy
    clinic: Clinic
    access: ClinicAccess
    distance_km: float | None

    @property
    def distance_label(self) -> str:
        return distance_label(self.distance_km)


def directory_policies(*, user: User) -> QuerySet[Policy]:
    """The policies whose program's clinics the viewer may browse: their own and their
    relatives'. Those in force or pending come first (own before relatives'), ended ones last."""
    if getattr(user, "role", None) != Role.INSURED:
        return Policy.objects.none()
    return policies_for_user(user=user).order_by(
        Case(When(status_rank__lte=1, then=Value(0)), default=Value(1), output_field=IntegerField()),
        # Annotations of policies_for_user, named through F (the type checker cannot see them).
        F("is_own").desc(),
        F("status_rank").asc(),
        "-starts_on",
        "insured__last_name",
        "insured__first_name",
        "number",
    )


def default_policy(policies: list[Policy]) -> Policy | None:
    """The one the directory opens with: the person's own policy in force, else the first."""
    own_active = (p for p in policies if getattr(p, "is_own", False) and getattr(p, "status_rank", 1) == 0)
    return next(own_active, None) or (policies[0] if policies else None)


def _policy(*, user: User, policy_id: int) -> Policy:
    policy = policies_for_user(user=user).filter(pk=policy_id).first()
    if policy is None:
        raise Http404(_("Полис не найден"))
    return policy


def origin_from(
    *, lat: str | None = None, lon: str | None = None, metro_id: str | int | None = None, source: str = ""
) -> Origin | None:
    """The point to sort by: a metro station chosen from the list, or a latitude and longitude
    (the browser's location, or a point clicked on the map). None when nothing was given.

    An address typed as text is not offered: it would need a geocoder, none is reachable
    offline, and a person's address must not be sent to a service abroad.
    """
    if metro_id not in (None, ""):
        try:
            station = MetroStation.objects.filter(pk=int(metro_id)).first()
        except (TypeError, ValueError):
            station = None
        if station is None:
            raise OriginError(_("Такой станции метро нет в списке."))
        return Origin(
            latitude=station.latitude,
            longitude=station.longitude,
            source="metro",
            label=_("м. %(name)s") % {"name": station.name},
            station_id=station.pk,
        )
    if not lat and not lon:
        return None
    latitude = _degrees(lat, limit=90)
    longitude = _degrees(lon, limit=180)
    if latitude is None or longitude is None:
        raise OriginError(_("Не удалось определить точку: координаты заданы неверно."))
    if source == "map":
        label = _("точка на карте")
    else:
        source, label = "geo", _("ваше местоположение")
    return Origin(latitude=latitude, longitude=longitude, source=source, label=label)


def _degrees(raw: str | None, *, limit: int) -> Decimal | None:
    try:
        value = Decimal((raw or "").strip().replace(",", "."))
    except InvalidOperation:
        return None
    if not value.is_finite() or abs(value) > limit:
        return None
    return value.quantize(MICRODEGREE)


def metro_stations(*, cities: list[str] | None = None) -> QuerySet[MetroStation]:
    """Reference data, the same for everyone: the stations of the given cities (all if None)."""
    stations = MetroStation.objects.order_by("city", "name")
    if cities is not None:
        stations = stations.filter(city__in=cities)
    return stations


def clinic_directory(
    *,
    user: User,
    policy_id: int,
    filters: DirectoryFilters,
    origin: tuple[Decimal, Decimal] | None = None,
    page: int | str | None = 1,
    with_markers: bool = False,
) -> Directory:
    """One page of the clinics the person insured by `policy_id` may go to, with how they get
    in at each. A policy the viewer may not see is not found (404).

    The number of queries does not depend on the number of clinics: the policy, the cities,
    the count and the page (or, with an access filter, every filtered clinic at once, because
    how a person gets in is decided in Python by network.access), the access rows and desk
    phones for the page, and the markers.
    """
    policy = _policy(user=user, policy_id=policy_id)
    cities = sorted(
        Clinic.objects.filter(is_active=True, pk__in=_program_rows(policy).values("clinic_id"))
        .values_list("city", flat=True)
        .distinct()
        .order_by()
    )
    clinics = _ordered(_filtered(policy, filters), origin=origin, home_city=policy.insured.city)

    if filters.access:
        everything = list(clinics)
        access = clinics_access(policy=policy, clinics=everything)
        kept = [c for c in everything if _gets_in(access[c.pk], filters)]
        paginator: Paginator = Paginator(kept, PER_PAGE)
        page_obj = paginator.get_page(page)
        shown: list[Clinic] = list(page_obj.object_list)
        rows = [(c.pk, c.name, c.address, c.latitude, c.longitude) for c in kept]
        markers = _markers(policy, rows) if with_markers else []
    else:
        paginator = Paginator(clinics, PER_PAGE)
        page_obj = paginator.get_page(page)
        shown = list(page_obj.object_list)
        access = clinics_access(policy=policy, clinics=shown)
        markers = _markers(policy, clinics.values_list(*MARKER_FIELDS)) if with_markers else []

    cards = [
        ClinicCard(clinic=c, access=access[c.pk], distance_km=distance_km(origin, c) if origin else None) for c in shown
    ]
    return Directory(
        policy=policy,
        filters=filters,
        origin=origin,
        page=page_obj,
        cards=cards,
        count=paginator.count,
        cities=cities,
        markers=markers,
    )


def clinic_for_user(
    *, user: User, policy_id: int, clinic_id: int, origin: tuple[Decimal, Decimal] | None = None
) -> ClinicDetail:
    """A clinic's page for the person insured by `policy_id`: 404 unless the policy is one the
    viewer may see and the clinic is in its program."""
    policy = _policy(user=user, policy_id=policy_id)
    clinic = Clinic.objects.filter(pk=clinic_id, pk__in=_program_rows(policy).values("clinic_id")).first()
    if clinic is None:
        raise Http404(_("Клиника не найдена"))
    access = clinics_access(policy=policy, clinics=[clinic])[clinic.pk]
    return ClinicDetail(
        policy=policy, clinic=clinic, access=access, distance_km=distance_km(origin, clinic) if origin else None
    )


def _program_rows(policy: Policy) -> QuerySet[ProgramClinic]:
    return ProgramClinic.objects.filter(program_id=policy.program_id)


def _filtered(policy: Policy, filters: DirectoryFilters) -> QuerySet[Clinic]:
    rows = _program_rows(policy)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    # Clinics that stopped working with the insurer stay on the program for history but are
    # not sent to anyone.
    clinics = Clinic.objects.filter(is_active=True, pk__in=rows.values("clinic_id"))
    if filters.city:
        clinics = clinics.filter(city=filters.city)
    if filters.metro:
        clinics = clinics.filter(_text_q(filters.metro, ("metro",)))
    if filters.franchise:
        clinics = clinics.filter(is_franchise=True)
    if filters.query:
        clinics = clinics.filter(_text_q(filters.query, ("name", "address", "metro")))
    return clinics


def _text_q(text: str, fields: tuple[str, ...]) -> Q:
    """Every word must occur in one of the fields. SQLite's LIKE ignores case for Latin letters
    only, so the usual spellings of a Cyrillic word are tried too (PostgreSQL needs just one)."""
    condition = Q()
    for word in text.split()[:6]:
        spellings = {word, word.lower(), word.capitalize(), word.upper()}
        any_field = Q()
        for name in fields:
            for spelling in spellings:
                any_field |= Q(**{f"{name}__icontains": spelling})
        condition &= any_field
    return condition


def _ordered(clinics: QuerySet[Clinic], *, origin: tuple[Decimal, Decimal] | None, home_city: str) -> QuerySet[Clinic]:
    if origin is None:
        # Without a point, the person's own city first: someone in St. Petersburg should not
        # scroll through Moscow.
        home_first = Case(When(city=home_city, then=Value(0)), default=Value(1), output_field=IntegerField())
        return clinics.order_by(home_first, "city", "name", "pk")
    lat0, lon0 = origin
    # Equirectangular approximation: a degree of longitude is cos(φ0) of a degree of latitude.
    # Plain arithmetic both SQLite and PostgreSQL run; within a city it orders exactly as the
    # great-circle distance does.
    scale = Decimal(str(round(math.cos(math.radians(float(lat0))), 8)))
    dlat = F("latitude") - Value(lat0)
    dlon = (F("longitude") - Value(lon0)) * Value(scale)
    squared = ExpressionWrapper(dlat * dlat + dlon * dlon, output_field=DecimalField())
    return clinics.annotate(distance2=squared).order_by(F("distance2").asc(nulls_last=True), "name", "pk")


def _gets_in(access: ClinicAccess, filters: DirectoryFilters) -> bool:
    return any(k.mode == filters.access and (not filters.kind or k.kind == filters.kind) for k in access.kinds)


MarkerRow = tuple[int, str, str, Decimal | None, Decimal | None]
MARKER_FIELDS = ("pk", "name", "address", "latitude", "longitude")


def _markers(policy: Policy, rows: Iterable[MarkerRow]) -> list[dict]:
    """Map markers for every filtered clinic. URLs are built from one reversed pattern: reversing
    a thousand times would cost more than the query."""
    sentinel = "987654321"
    pattern = reverse("clinics:detail", args=[policy.pk, int(sentinel)])
    return [
        {
            "id": pk,
            "name": name,
            "address": address,
            "lat": float(lat),
            "lon": float(lon),
            "url": pattern.replace(sentinel, str(pk)),
        }
        for pk, name, address, lat, lon in rows
        if lat is not None and lon is not None
    ]


def distance_km(origin: tuple[Decimal, Decimal] | None, clinic: Clinic) -> float | None:
    """Great-circle (haversine) distance in km, for display."""
    if origin is None or clinic.latitude is None or clinic.longitude is None:
        return None
    return haversine_km(float(origin[0]), float(origin[1]), float(clinic.latitude), float(clinic.longitude))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def distance_label(km: float | None) -> str:
    """850 м, 1,2 км, 12 км: as precise as is useful for walking or driving."""
    if km is None:
        return ""
    if km < 1:
        return _("%(m)s м") % {"m": max(10, round(km * 1000 / 10) * 10)}
    if km < 10:
        return _("%(km)s км") % {"km": f"{km:.1f}".replace(".", ",")}
    return _("%(km)s км") % {"km": round(km)}
