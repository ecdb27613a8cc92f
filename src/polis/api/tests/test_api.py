"""The mobile API from the app's side: log in, see own policies, never another person's."""

import datetime as dt

import pytest
from django.test import Client

from polis.accounts.models import ApiToken, Consent, ConsentKind, ConsentText, LoginAttempt, User
from polis.coverage.models import Policy, TerminationReason
from polis.notify.models import OutboundMessage
from polis.testing import factories as f

pytestmark = pytest.mark.django_db
PASSWORD = "Secret-pass-42"


def token_for(client: Client, login: str, password: str = PASSWORD) -> str:
    response = client.post(
        "/api/v1/auth/login", {"login": login, "password": password}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def last_code(destination: str) -> str:
    body = OutboundMessage.objects.filter(recipient=destination).latest("created_at", "pk").body
    return next(word for word in body.replace(".", " ").replace(":", " ").split() if word.isdigit() and len(word) >= 4)


def test_the_openapi_document_is_3_1_and_the_docs_page_loads_nothing_from_outside(client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert "/api/v1/policies" in document["paths"]
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn." not in page and "unpkg" not in page


def test_health_answers_without_a_login(client):
    assert client.get("/api/v1/health").json() == {"status": "ok"}


def test_an_insured_logs_in_by_phone_in_any_spelling_and_sees_own_and_relatives_policies(client, alice):
    token = token_for(client, "8 (916) 123-45-67")
    policies = client.get("/api/v1/policies", **bearer(token)).json()
    assert [p["number"] for p in policies] == ["001-0000001", "001-0000002"]
    assert policies[0]["is_own"] is True and policies[1]["is_own"] is False
    assert policies[1]["relation_label"] == "Ребёнок"


def test_a_policy_detail_carries_the_program_limits_and_clinics(client, alice, alice_policy):
    f.ProgramLimitFactory(program=alice_policy.program, max_count=3)
    f.ProgramClinicFactory(program=alice_policy.program)
    token = token_for(client, "alice@example.ru")
    detail = client.get(f"/api/v1/policies/{alice_policy.pk}", **bearer(token)).json()
    assert detail["limits"] == [
        {"name": "Консультации психолога", "period_label": "за срок договора", "max_count": 3, "used": 0, "left": 3}
    ]
    assert detail["clinic_groups"][0]["clinics"][0]["access_label"]
    assert detail["administrator"]["name"] == "Толмачева Анастасия Владимировна"


def test_without_a_token_the_api_answers_401_in_russian(client, alice_policy):
    response = client.get("/api/v1/policies")
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Нужно войти")
    assert client.get("/api/v1/policies", HTTP_AUTHORIZATION="Bearer nonsense").status_code == 401


def test_an_outsider_cannot_open_another_persons_policy_or_its_pdfs(client, alice_policy, bob):
    token = token_for(client, "bob@example.ru")
    for suffix in ("", "/policy.pdf", "/memo.pdf"):
        response = client.get(f"/api/v1/policies/{alice_policy.pk}{suffix}", **bearer(token))
        assert response.status_code == 404, suffix
    assert [p["number"] for p in client.get("/api/v1/policies", **bearer(token)).json()] == ["002-0000001"]


def test_staff_roles_see_no_policies_through_the_insured_api(client, alice_policy, hr_user):
    token = token_for(client, "hr@example.ru")
    assert client.get("/api/v1/policies", **bearer(token)).json() == []
    assert client.get(f"/api/v1/policies/{alice_policy.pk}", **bearer(token)).status_code == 404


def test_the_policy_pdf_downloads(client, alice, alice_policy):
    token = token_for(client, "alice@example.ru")
    response = client.get(f"/api/v1/policies/{alice_policy.pk}/policy.pdf", **bearer(token))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_repeated_wrong_passwords_lock_the_login_with_429(client, alice, settings):
    for _ in range(settings.POLIS_LOGIN_MAX_FAILURES):
        response = client.post(
            "/api/v1/auth/login", {"login": "alice@example.ru", "password": "wrong"}, content_type="application/json"
        )
        assert response.status_code in (401, 429)
    response = client.post(
        "/api/v1/auth/login", {"login": "alice@example.ru", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert LoginAttempt.objects.filter(succeeded=False).count() >= settings.POLIS_LOGIN_MAX_FAILURES


def test_registration_through_the_api_confirms_the_phone_by_sms_and_returns_a_token(client, db):
    person = f.InsuredPersonFactory(
        last_name="Петров", first_name="Олег", patronymic="", birth_date=dt.date(1990, 1, 2)
    )
    f.PolicyFactory(insured=person, number="777-0000001")
    payload = {
        "last_name": "петров",
        "first_name": "Олег",
        "birth_date": "1990-01-02",
        "policy_number": "777-0000001",
        "phone": "8 926 000-11-22",
        "email": "oleg@example.ru",
        "password": "Very-secret-77",
        "password_confirm": "Very-secret-77",
        "personal_data_consent": True,
    }
    started = client.post("/api/v1/auth/register", payload, content_type="application/json")
    assert started.status_code == 201, started.content
    assert started.json()["sent_to"] == "+7 926 ***-**-22"
    confirm = {"confirmation_token": started.json()["confirmation_token"], "code": last_code("+79260001122")}
    done = client.post("/api/v1/auth/register/confirm", confirm, content_type="application/json")
    assert done.status_code == 201, done.content
    user = User.objects.get(email="oleg@example.ru")
    assert person.__class__.objects.get(pk=person.pk).user == user
    assert Consent.objects.filter(user=user, kind=ConsentKind.PERSONAL_DATA, withdrawn_at=None).exists()
    policies = client.get("/api/v1/policies", **bearer(done.json()["token"])).json()
    assert [p["number"] for p in policies] == ["777-0000001"]


def test_registration_without_the_consent_is_refused_with_a_reason(client, db):
    payload = {
        "last_name": "Петров",
        "first_name": "Олег",
        "birth_date": "1990-01-02",
        "policy_number": "1",
        "phone": "89260001122",
        "email": "o@example.ru",
        "password": "Very-secret-77",
        "password_confirm": "Very-secret-77",
        "personal_data_consent": False,
    }
    response = client.post("/api/v1/auth/register", payload, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "consent_required"


def test_a_malformed_request_is_explained_field_by_field_in_russian(client, db):
    response = client.post("/api/v1/auth/register", {"birth_date": "31.02.1990"}, content_type="application/json")
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert errors["birth_date"] == "Дата в формате ГГГГ-ММ-ДД"
    assert errors["last_name"] == "Обязательное поле"


def test_password_reset_answers_the_same_for_a_stranger_and_for_a_user(client, alice):
    known = client.post("/api/v1/auth/password-reset", {"login": "alice@example.ru"}, content_type="application/json")
    unknown = client.post(
        "/api/v1/auth/password-reset", {"login": "nobody@example.ru"}, content_type="application/json"
    )
    assert known.status_code == unknown.status_code == 200
    assert known.json()["detail"] == unknown.json()["detail"]
    assert set(known.json()) == set(unknown.json())
    confirm = {
        "confirmation_token": known.json()["confirmation_token"],
        "code": last_code("alice@example.ru"),
        "new_password": "Brand-new-pass-9",
        "new_password_confirm": "Brand-new-pass-9",
    }
    assert (
        client.post("/api/v1/auth/password-reset/confirm", confirm, content_type="application/json").status_code == 200
    )
    assert token_for(client, "alice@example.ru", "Brand-new-pass-9")


def test_logout_revokes_the_token(client, alice):
    token = token_for(client, "alice@example.ru")
    assert client.post("/api/v1/me/logout", **bearer(token)).status_code == 200
    assert client.get("/api/v1/me", **bearer(token)).status_code == 401
    assert ApiToken.objects.get(user=alice).revoked_at is not None


def test_withdrawing_the_personal_data_consent_needs_confirmation_and_ends_own_coverage(client, alice, alice_policy):
    Consent.objects.filter(user=alice).delete()
    token = token_for(client, "alice@example.ru")
    client.put("/api/v1/me/consents/marketing", **bearer(token))
    refused = client.post(
        "/api/v1/me/consents/personal-data/withdraw",
        {"confirm": False},
        content_type="application/json",
        **bearer(token),
    )
    assert refused.status_code == 400
    alice_policy.refresh_from_db()
    assert alice_policy.terminated_on is None


def test_attaching_a_further_policy_by_number(client, alice, alice_person):
    renewal = f.PolicyFactory(
        insured=f.InsuredPersonFactory(),
        number="001-2027-000001",
        starts_on=dt.date(2027, 1, 1),
        ends_on=dt.date(2027, 12, 31),
    )
    token = token_for(client, "alice@example.ru")
    response = client.post(
        "/api/v1/policies/attach", {"number": "001-2027-000001"}, content_type="application/json", **bearer(token)
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending"
    stranger = f.PolicyFactory(insured=f.InsuredPersonFactory(last_name="Иванов", first_name="Пётр"))
    refused = client.post(
        "/api/v1/policies/attach", {"number": stranger.number}, content_type="application/json", **bearer(token)
    )
    assert refused.status_code == 400
    assert refused.json()["field"] == "number"
    assert Policy.objects.get(pk=renewal.pk).insured.user == alice


def test_desk_phones_for_a_city_come_before_the_federal_number(client, db):
    from polis.care.models import DeskContact

    DeskContact.objects.create(city="", title="Федеральный", phone="8 800 100-00-00")
    DeskContact.objects.create(city="Москва", title="ЦМП 24/7", phone="+7 495 956-11-66")
    DeskContact.objects.create(
        city="Казань", title="Кураторы", phone="+7 843 000-00-00", round_the_clock=False,
        opens_at=dt.time(9), closes_at=dt.time(18),
    )  # fmt: skip
    phones = [c["phone"] for c in client.get("/api/v1/desk/contacts?city=москва").json()]
    assert phones == ["+7 495 956-11-66", "8 800 100-00-00"]


def test_the_consent_withdrawal_through_the_api_terminates_own_policy(client, alice, alice_policy):
    text = ConsentText.objects.filter(kind=ConsentKind.PERSONAL_DATA).latest()
    Consent.objects.create(user=alice, kind=ConsentKind.PERSONAL_DATA, text=text, given_at=alice.date_joined)
    token = token_for(client, "alice@example.ru")
    response = client.post(
        "/api/v1/me/consents/personal-data/withdraw",
        {"confirm": True},
        content_type="application/json",
        **bearer(token),
    )
    assert response.status_code == 200, response.content
    alice_policy.refresh_from_db()
    assert alice_policy.termination_reason == TerminationReason.CONSENT_WITHDRAWN
