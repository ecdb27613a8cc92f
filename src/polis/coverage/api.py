"""Policies for the mobile app: the same selectors as the web pages, so the same scoping."""

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from polis.accounts.models import User
from polis.accounts.services import policy_attach
from polis.care.api import DeskContactOut
from polis.coverage.models import Policy
from polis.coverage.pdf import (
    memo_pdf_filename,
    pdf_attachment,
    policy_pdf_filename,
    render_memo_pdf,
    render_policy_pdf,
)
from polis.coverage.selectors import PolicyOverview, policies_for_user, policy_for_user, policy_overview
from polis.network.models import Clinic

router = Router()


class PersonOut(Schema):
    id: int
    full_name: str
    birth_date: dt.date


class ProgramOut(Schema):
    id: int
    name: str
    has_franchise: bool
    franchise_activation: str
    franchise_activation_label: str


class ClinicBriefOut(Schema):
    id: int
    name: str
    city: str
    address: str
    metro: str
    phones: list[str]
    latitude: Decimal | None
    longitude: Decimal | None


class PolicyOut(Schema):
    id: int
    number: str
    insured: PersonOut
    is_own: bool
    relation: str
    relation_label: str
    starts_on: dt.date
    ends_on: dt.date
    status: str
    status_label: str
    program: ProgramOut
    contract_number: str
    policyholder: str
    service_mode: str
    service_mode_label: str
    registry_clinic: ClinicBriefOut | None


class CareOut(Schema):
    kind: str
    label: str
    conditions: str


class CopayOut(Schema):
    category: str
    rule: str


class LimitOut(Schema):
    name: str
    period_label: str
    max_count: int
    used: int
    left: int


class ProgramClinicOut(ClinicBriefOut):
    access_mode: str
    access_label: str


class ClinicGroupOut(Schema):
    kind: str
    label: str
    clinics: list[ProgramClinicOut]


class AdminContactOut(Schema):
    name: str
    phone: str
    email: str
    hours: str


class PolicyDetailOut(PolicyOut):
    care: list[CareOut]
    franchise_terms: list[str]
    copay: list[CopayOut]
    limits: list[LimitOut]
    clinic_groups: list[ClinicGroupOut]
    administrator: AdminContactOut | None
    desk: list[DeskContactOut]


class AttachIn(Schema):
    number: str


def _clinic(clinic: Clinic) -> dict:
    return {
        "id": clinic.pk,
        "name": clinic.name,
        "city": clinic.city,
        "address": clinic.address,
        "metro": clinic.metro,
        "phones": clinic.phone_list,
        "latitude": clinic.latitude,
        "longitude": clinic.longitude,
    }


def _policy(policy: Policy, *, user: User) -> dict:
    is_own = getattr(policy, "is_own", None)
    if is_own is None:
        is_own = policy.insured.user_id == user.pk
    program = policy.program
    return {
        "id": policy.pk,
        "number": policy.number,
        "insured": {
            "id": policy.insured.pk,
            "full_name": policy.insured.full_name,
            "birth_date": policy.insured.birth_date,
        },
        "is_own": is_own,
        "relation": policy.relation,
        "relation_label": str(policy.get_relation_display()),
        "starts_on": policy.starts_on,
        "ends_on": policy.ends_on,
        "status": policy.status,
        "status_label": policy.status_label,
        "program": {
            "id": program.pk,
            "name": program.name,
            "has_franchise": program.has_franchise,
            "franchise_activation": program.franchise_activation,
            "franchise_activation_label": str(program.get_franchise_activation_display()),
        },
        "contract_number": policy.contract.number,
        "policyholder": policy.contract.policyholder.name,
        "service_mode": policy.service_mode,
        "service_mode_label": str(policy.get_service_mode_display()),
        "registry_clinic": _clinic(policy.registry_clinic) if policy.registry_clinic else None,
    }


def _detail(overview: PolicyOverview, *, user: User) -> dict:
    data = _policy(overview.policy, user=user)
    data.update(
        care=[vars(c) for c in overview.care],
        franchise_terms=overview.franchise_terms,
        copay=[vars(c) for c in overview.copay],
        limits=[
            {"name": x.name, "period_label": x.period_label, "max_count": x.max_count, "used": x.used, "left": x.left}
            for x in overview.limits
        ],
        clinic_groups=[
            {
                "kind": g.kind,
                "label": g.label,
                "clinics": [
                    {**_clinic(line.clinic), "access_mode": line.access_mode, "access_label": line.access_label}
                    for line in g.clinics
                ],
            }
            for g in overview.clinic_groups
        ],
        administrator=vars(overview.admin) if overview.admin else None,
        desk=[DeskContactOut.model_validate(c, from_attributes=True) for c in overview.desk],
    )
    return data


@router.get("", response=list[PolicyOut], summary="Мои полисы и полисы родственников")
def list_policies(request: HttpRequest) -> list[dict]:
    """Own policies first, then relatives' (where the user is the policy's holder); in force
    before pending, expired and ended."""
    user = request.user
    assert isinstance(user, User)
    return [_policy(p, user=user) for p in policies_for_user(user=user)]


@router.post("/attach", response={201: PolicyOut}, summary="Добавить полис по номеру")
def attach_policy(request: HttpRequest, payload: AttachIn) -> Status[dict]:
    """A renewal or a policy of another contract, checked against the person's name and birth
    date. The same refusal whatever did not match."""
    user = request.user
    assert isinstance(user, User)
    policy = policy_attach(user=user, number=payload.number)
    return Status(201, _policy(policy_for_user(user=user, policy_id=policy.pk), user=user))


@router.get("/{policy_id}", response=PolicyDetailOut, summary="Полис: программа, лимиты, клиники, контакты")
def get_policy(request: HttpRequest, policy_id: int) -> dict:
    user = request.user
    assert isinstance(user, User)
    policy = policy_for_user(user=user, policy_id=policy_id)
    return _detail(policy_overview(policy=policy), user=user)


_PDF = {200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}


@router.get("/{policy_id}/policy.pdf", summary="Электронный полис ДМС (PDF)", openapi_extra={"responses": _PDF})
def policy_pdf(request: HttpRequest, policy_id: int) -> HttpResponse:
    policy = policy_for_user(user=request.user, policy_id=policy_id)
    filename, display = policy_pdf_filename(policy)
    return pdf_attachment(render_policy_pdf(policy=policy), filename=filename, display_name=display)


@router.get("/{policy_id}/memo.pdf", summary="Памятка застрахованного (PDF)", openapi_extra={"responses": _PDF})
def memo_pdf(request: HttpRequest, policy_id: int) -> HttpResponse:
    policy = policy_for_user(user=request.user, policy_id=policy_id)
    filename, display = memo_pdf_filename(policy)
    return pdf_attachment(render_memo_pdf(policy=policy), filename=filename, display_name=display)
