"""The franchise through the mobile API: status per person, consent, the deposit paid in the
sandbox, a card bound and unbound, a refund applied for; and nobody else's people."""

import datetime as dt

import pytest
from django.test import Client

from polis import calendar
from polis.accounts.models import User
from polis.billing.models import FranchiseActivation
from polis.billing.rules import local_midnight
from polis.coverage.models import FranchiseActivation as Method
from polis.coverage.models import Policy, TerminationReason
from polis.payments.gateways.sandbox import sandbox_decide
from polis.payments.models import LedgerAccount, LedgerEntry, Payment, PaymentStatus, SavedCard
from polis.testing import factories as f

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 20)  # the suite's frozen Friday


def franchise_program(policy: Policy, method: str) -> None:
    settings = {
        Method.CONSENT: {"activation_delay_working_days": 1},
        Method.DEPOSIT: {
            "deposit_per_person_kopecks": 300_00,
            "deposit_minimum_kopecks": 300_00,
            "activation_delay_working_days": 3,
        },
        Method.CARD: {"activation_delay_hours": 24},
    }[method]
    program = policy.program
    program.franchise_activation = method
    for name, value in settings.items():
        setattr(program, name, value)
    program.save()


@pytest.fixture
def son_policy(alice: User) -> Policy:
    return Policy.objects.get(number="001-0000002")


@pytest.fixture
def deposit_style(alice_policy: Policy) -> Policy:
    franchise_program(alice_policy, Method.DEPOSIT)
    return alice_policy


def post(client: Client, path: str, body: dict):
    return client.post(f"/api/v1{path}", body, content_type="application/json")


def pay(client: Client, payment_id: str, outcome: str = "succeeded") -> dict:
    """The payer's choice on the sandbox page, then the app asks how the payment ended."""
    sandbox_decide(payment=Payment.objects.get(pk=payment_id), outcome=outcome)
    return client.get(f"/api/v1/payments/{payment_id}").json()


def test_the_app_sees_each_person_not_activated_with_the_deposit_to_pay(client, alice, deposit_style, son_policy):
    client.force_login(alice)
    body = client.get("/api/v1/franchise").json()
    people = {p["policy_number"]: p for p in body["people"]}
    assert set(people) == {"001-0000001", "001-0000002"}
    me = people["001-0000001"]
    assert (me["is_own"], me["method"], me["status"]["state"]) == (True, "deposit", "not_activated")
    assert (me["deposit_held_kopecks"], me["deposit_to_pay_kopecks"], me["can_activate"]) == (0, 300_00, True)
    assert me["terms"], "the program's terms in plain words"
    assert people["001-0000002"]["relation_label"] == "Ребёнок"
    assert body["card"] is None


def test_a_deposit_for_self_and_son_is_one_payment_and_a_second_post_returns_the_same_one(
    client, alice, deposit_style, son_policy
):
    client.force_login(alice)
    ids = [deposit_style.pk, son_policy.pk]
    first = post(client, "/franchise/deposit", {"policy_ids": ids})
    assert first.status_code == 201, first.content
    started = first.json()
    assert started["amount_kopecks"] == 600_00
    assert started["confirmation_url"] == f"http://testserver/payments/sandbox/{started['payment_id']}/"
    again = post(client, "/franchise/deposit", {"policy_ids": list(reversed(ids))})
    assert again.json()["payment_id"] == started["payment_id"]
    assert Payment.objects.filter(status=PaymentStatus.PENDING).count() == 1


def test_after_the_sandbox_says_paid_both_people_wait_three_working_days(client, alice, deposit_style, son_policy):
    client.force_login(alice)
    started = post(client, "/franchise/deposit", {"policy_ids": [deposit_style.pk, son_policy.pk]}).json()
    assert client.get(f"/api/v1/payments/{started['payment_id']}").json()["status"] == "pending"

    paid = pay(client, started["payment_id"])

    assert paid["status"] == "succeeded"
    effective = local_midnight(calendar.add_working_days(TODAY, 3))
    for person in client.get("/api/v1/franchise").json()["people"]:
        assert person["status"]["state"] == "pending"
        assert dt.datetime.fromisoformat(person["status"]["effective_at"]) == effective
        assert person["deposit_held_kopecks"] == 300_00
        assert person["can_activate"] is False
    assert LedgerEntry.objects.filter(account=LedgerAccount.DEPOSIT).count() == 2


def test_a_declined_payment_activates_nobody(client, alice, deposit_style):
    client.force_login(alice)
    started = post(client, "/franchise/deposit", {"policy_ids": [deposit_style.pk]}).json()
    declined = pay(client, started["payment_id"], outcome="canceled")
    assert declined["status"] == "canceled"
    assert declined["cancel_reason"]
    assert not FranchiseActivation.objects.exists()


def test_a_deposit_for_another_persons_policy_is_not_found(client, alice, deposit_style, bob):
    client.force_login(bob)
    response = post(client, "/franchise/deposit", {"policy_ids": [deposit_style.pk]})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not Payment.objects.exists()
    assert client.get("/api/v1/franchise").json()["people"] == []


def test_staff_manage_nobodys_franchise_through_the_insured_api(client, deposit_style, hr_user):
    client.force_login(hr_user)
    assert client.get("/api/v1/franchise").json()["people"] == []
    assert post(client, "/franchise/deposit", {"policy_ids": [deposit_style.pk]}).status_code == 404
    assert post(client, "/franchise/refund", {"policy_id": deposit_style.pk}).status_code == 404


def test_a_bad_receipt_contact_is_named_as_the_field(client, alice, deposit_style):
    client.force_login(alice)
    response = post(client, "/franchise/deposit", {"policy_ids": [deposit_style.pk], "receipt_contact": "nowhere"})
    assert response.status_code == 400
    assert response.json()["field"] == "receipt_contact"
    assert not Payment.objects.exists()


def test_an_empty_choice_of_people_is_a_validation_error(client, alice, deposit_style):
    client.force_login(alice)
    response = post(client, "/franchise/deposit", {"policy_ids": []})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "policy_ids"


def test_consent_activates_from_the_next_working_day_and_needs_the_tick(client, alice, alice_policy, son_policy):
    franchise_program(alice_policy, Method.CONSENT)
    client.force_login(alice)
    refused = post(client, "/franchise/consent", {"policy_ids": [alice_policy.pk], "accept_terms": False})
    assert refused.status_code == 400
    assert refused.json() == {
        "detail": refused.json()["detail"],
        "code": "terms_not_accepted",
        "field": "accept_terms",
    }
    assert not FranchiseActivation.objects.exists()

    given = post(client, "/franchise/consent", {"policy_ids": [alice_policy.pk, son_policy.pk], "accept_terms": True})
    assert given.status_code == 200, given.content
    monday = local_midnight(calendar.next_working_day(TODAY))
    assert {dt.datetime.fromisoformat(a["status"]["effective_at"]) for a in given.json()} == {monday}
    assert [a["status"]["state"] for a in given.json()] == ["pending", "pending"]
    again = post(client, "/franchise/consent", {"policy_ids": [alice_policy.pk], "accept_terms": True})
    assert again.status_code == 200
    assert FranchiseActivation.objects.count() == 2


def test_consent_on_a_deposit_program_is_refused_with_the_reason(client, alice, deposit_style):
    client.force_login(alice)
    response = post(client, "/franchise/consent", {"policy_ids": [deposit_style.pk], "accept_terms": True})
    assert response.status_code == 409
    assert response.json()["code"] == "franchise_refused"
    assert "активируется иначе" in response.json()["detail"]


def test_a_card_is_bound_through_the_sandbox_and_unbinding_ends_the_activations(
    client, alice, alice_policy, son_policy
):
    franchise_program(alice_policy, Method.CARD)
    client.force_login(alice)
    refused = post(client, "/franchise/card", {"policy_ids": [alice_policy.pk], "accept_agreement": False})
    assert (refused.status_code, refused.json()["field"]) == (400, "accept_agreement")

    started = post(
        client, "/franchise/card", {"policy_ids": [alice_policy.pk, son_policy.pk], "accept_agreement": True}
    )
    assert started.status_code == 201, started.content
    assert started.json()["amount_kopecks"] == 100
    assert pay(client, started.json()["payment_id"])["status"] == "succeeded"

    body = client.get("/api/v1/franchise").json()
    assert body["card"]["title"]
    assert {p["status"]["state"] for p in body["people"]} == {"pending"}
    # Bound at 12:00 with a 24-hour delay: in effect from 12:00 tomorrow, clinics the day after.
    assert {p["status"]["clinics_open_on"] for p in body["people"]} == {"2026-11-22"}

    unbound = client.delete("/api/v1/franchise/card")
    assert unbound.json()["unbound"] is True
    assert unbound.json()["ended_activations"] == 2
    assert not SavedCard.objects.filter(unbound_at__isnull=True).exists()
    assert client.delete("/api/v1/franchise/card").json() == {
        "unbound": False,
        "ended_activations": 0,
        "detail": "Привязанной карты нет.",
    }
    assert {p["status"]["state"] for p in client.get("/api/v1/franchise").json()["people"]} == {"not_activated"}


def test_a_detached_person_gets_the_deposit_back_on_application(client, alice, deposit_style):
    client.force_login(alice)
    started = post(client, "/franchise/deposit", {"policy_ids": [deposit_style.pk]}).json()
    pay(client, started["payment_id"])
    in_force = post(client, "/franchise/refund", {"policy_id": deposit_style.pk})
    assert (in_force.status_code, in_force.json()["code"]) == (409, "refund_refused")

    Policy.objects.filter(pk=deposit_style.pk).update(
        terminated_on=dt.date(2026, 11, 19), termination_reason=TerminationReason.DETACHED
    )
    applied = post(client, "/franchise/refund", {"policy_id": deposit_style.pk})
    assert applied.status_code == 201, applied.content
    assert (applied.json()["status"], applied.json()["amount_kopecks"]) == ("paid", 300_00)
    history = client.get(f"/api/v1/payments/{started['payment_id']}").json()
    assert [(r["amount_kopecks"], r["status"]) for r in history["refunds"]] == [(300_00, "succeeded")]


def test_an_outsider_cannot_apply_for_someone_elses_deposit(client, alice, deposit_style, bob):
    client.force_login(bob)
    response = post(client, "/franchise/refund", {"policy_id": deposit_style.pk})
    assert response.status_code == 404


def test_registry_clinics_notices_tell_the_app_to_book_through_the_desk(client, alice, deposit_style):
    clinic = f.ClinicFactory(name="Клиника на Пресне", is_franchise=True)
    Policy.objects.filter(pk=deposit_style.pk).update(service_mode="registry", registry_clinic=clinic)
    client.force_login(alice)
    started = post(client, "/franchise/deposit", {"policy_ids": [deposit_style.pk]}).json()
    pay(client, started["payment_id"])
    me = next(p for p in client.get("/api/v1/franchise").json()["people"] if p["is_own"])
    assert me["notices"] == [
        {
            "clinic_id": clinic.pk,
            "clinic": "Клиника на Пресне",
            "sent_at": me["notices"][0]["sent_at"],
            "due_on": calendar.add_working_days(TODAY, 5).isoformat(),
            "confirmed": False,
            "book_through_desk": True,
        }
    ]
