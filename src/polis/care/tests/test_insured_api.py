"""The insured's desk through the mobile API (/api/v1/care/...): a request with files, following
it, letters, visits, passes, escalations, the number to call now, and nobody else's."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from polis.accounts.services import api_token_issue
from polis.care.models import (
    CareRequest,
    ClinicPass,
    DeskContact,
    PassStatus,
    RefusalReason,
    RequestStatus,
    VisitStatus,
)
from polis.care.tests.insured_support import MSK_NOON, PDF, PNG, cover, make_letter, make_pass, make_request, make_visit
from polis.coverage.models import Policy
from polis.network.models import KindOfCare


@pytest.fixture
def clinic(alice_policy):
    return cover(alice_policy, KindOfCare.OUTPATIENT)


def auth(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=user, name='тест')}"}


def get(client: Client, path: str, user, **params):
    return client.get(f"/api/v1/care{path}", params, **auth(user))


def post_json(client: Client, path: str, user, body: dict | None = None):
    return client.post(f"/api/v1/care{path}", body or {}, content_type="application/json", **auth(user))


def post_form(client: Client, path: str, user, body: dict):
    return client.post(f"/api/v1/care{path}", body, **auth(user))


def test_the_app_sends_a_request_with_files_and_time_windows(client, alice, alice_policy, clinic):
    response = post_form(
        client,
        "/requests",
        alice,
        {
            "policy_id": alice_policy.pk,
            "complaints": "Болит ухо",
            "kind": "outpatient",
            "clinic_id": clinic.pk,
            "desired_date": "2026-11-24",
            "time_windows": ["day", "morning"],
            "contact_channel": "sms",
            "files": [SimpleUploadedFile("снимок.png", PNG), SimpleUploadedFile("направление.pdf", PDF)],
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    request = CareRequest.objects.get()
    assert (body["id"], body["number"], body["status"]) == (request.pk, request.number, "new")
    assert (body["clinic"], body["time_windows"], body["contact_phone"]) == (
        clinic.name,
        ["morning", "day"],
        "+79161234567",
    )
    assert body["history"][0]["label"] == "Обращение отправлено"
    assert request.files.count() == 2


def test_the_same_refusals_as_the_page_with_the_field(client, alice, alice_policy, clinic):
    response = post_form(
        client,
        "/requests",
        alice,
        {"policy_id": alice_policy.pk, "complaints": "Зуб", "kind": "home_care", "desired_date": "2026-11-24"},
    )

    assert response.status_code == 400
    assert response.json()["field"] == "kind"
    assert "не входит в программу" in response.json()["detail"]


def test_a_request_under_someone_elses_policy_is_not_found(client, alice, bob, clinic):
    bobs = Policy.objects.get(number="002-0000001")

    response = post_form(
        client,
        "/requests",
        alice,
        {"policy_id": bobs.pk, "complaints": "Болит", "kind": "outpatient", "desired_date": "2026-11-24"},
    )

    assert response.status_code == 404
    assert not CareRequest.objects.exists()


def test_the_detail_shows_the_answer_letters_received_or_not_and_the_visit(client, alice, alice_policy, clinic):
    request = make_request(
        alice_policy, by=alice, status=RequestStatus.APPROVED, answer="Записали к терапевту", answered_at=MSK_NOON
    )
    letter = make_letter(request, clinic, received_at=MSK_NOON)
    make_visit(request, clinic, letter=letter, starts_at=dt.datetime(2026, 11, 23, 7, 30, tzinfo=dt.UTC))

    body = get(client, f"/requests/{request.pk}", alice).json()

    assert (body["status"], body["answer"], body["can_cancel"], body["can_escalate"]) == (
        "approved",
        "Записали к терапевту",
        False,
        True,
    )
    assert [(x["number"], x["received_by_clinic"], x["valid_to"]) for x in body["letters"]] == [
        (letter.number, True, "2026-12-19")
    ]
    visit = body["visits"][0]
    assert (visit["address"], visit["doctor"], visit["letter_number"]) == (
        "г. Москва, ул. Лесная, д. 5",
        "Петров Пётр Петрович",
        letter.number,
    )
    assert visit["starts_at"].startswith("2026-11-23T07:30")


def test_a_refusal_carries_its_reason_and_is_escalated_once(client, alice, alice_policy, clinic):
    request = make_request(alice_policy, by=alice, status=RequestStatus.REFUSED, refusal_reason=RefusalReason.EXCLUDED)

    assert get(client, f"/requests/{request.pk}", alice).json()["refusal_reason_label"] == (
        "Услуга входит в перечень исключений программы"
    )
    first = post_json(client, f"/requests/{request.pk}/escalations", alice, {"to": "curator", "text": "Не согласна"})
    second = post_json(client, f"/requests/{request.pk}/escalations", alice, {"to": "senior", "text": "Ещё раз"})

    assert first.status_code == 201 and first.json()["status"] == "open"
    assert second.status_code == 409
    assert "уже есть жалоба" in second.json()["detail"]
    assert len(get(client, f"/requests/{request.pk}/escalations", alice).json()) == 1


def test_cancel_then_cancel_again_is_a_conflict(client, alice, alice_policy, clinic):
    request = make_request(alice_policy, by=alice)

    assert post_json(client, f"/requests/{request.pk}/cancel", alice).json()["status"] == "cancelled"
    again = post_json(client, f"/requests/{request.pk}/cancel", alice)
    assert again.status_code == 409
    assert again.json()["detail"] == "Обращение отменено."


def test_a_pass_photo_is_sent_as_multipart(client, alice, alice_policy, clinic):
    clinic_pass = make_pass(make_request(alice_policy, by=alice, status=RequestStatus.APPROVED), clinic)

    refused = post_form(
        client, f"/passes/{clinic_pass.pk}", alice, {"photo": SimpleUploadedFile("я.pdf", PDF), "document": "Паспорт"}
    )
    sent = post_form(
        client,
        f"/passes/{clinic_pass.pk}",
        alice,
        {"photo": SimpleUploadedFile("я.png", PNG), "document": "Паспорт 4510 123456", "car_number": "А123МР77"},
    )

    assert refused.status_code == 400 and refused.json()["field"] == "photo"
    assert sent.status_code == 200, sent.json()
    assert sent.json()["status"] == "submitted"
    assert ClinicPass.objects.get().status == PassStatus.SUBMITTED


def test_visits_are_listed_confirmed_and_rated_once(client, alice, alice_policy, clinic):
    visit = make_visit(make_request(alice_policy, by=alice, status=RequestStatus.APPROVED), clinic)

    listed = get(client, "/visits", alice).json()
    assert [(v["id"], v["can_confirm"], v["can_rate"]) for v in listed] == [(visit.pk, True, False)]

    confirmed = post_json(client, f"/visits/{visit.pk}/confirm", alice)
    assert confirmed.json()["status"] == VisitStatus.HAPPENED
    rated = post_json(client, f"/visits/{visit.pk}/rate", alice, {"doctor_rating": 5, "desk_rating": 4})
    assert (rated.json()["doctor_rating"], rated.json()["can_rate"]) == (5, False)
    again = post_json(client, f"/visits/{visit.pk}/rate", alice, {"doctor_rating": 1, "desk_rating": 1})
    assert again.status_code == 409
    out_of_range = post_json(client, f"/visits/{visit.pk}/rate", alice, {"doctor_rating": 6, "desk_rating": 1})
    assert out_of_range.status_code == 422


def test_a_missed_visit_needs_a_reason(client, alice, alice_policy, clinic):
    visit = make_visit(make_request(alice_policy, by=alice, status=RequestStatus.APPROVED), clinic)

    empty = post_json(client, f"/visits/{visit.pk}/missed", alice, {"reason": " "})
    done = post_json(client, f"/visits/{visit.pk}/missed", alice, {"reason": "Клиника закрыта"})

    assert empty.status_code == 400 and empty.json()["field"] == "reason"
    assert done.json()["status"] == "not_happened"


def test_letters_list_own_and_relatives_only(client, alice, alice_policy, bob, clinic):
    mine = make_letter(make_request(alice_policy, by=alice, status=RequestStatus.APPROVED), clinic)
    bobs_policy = Policy.objects.get(number="002-0000001")
    bobs = make_letter(make_request(bobs_policy, by=bob, status=RequestStatus.APPROVED), clinic)

    numbers = [x["number"] for x in get(client, "/letters", alice).json()]

    assert numbers == [mine.number]
    assert bobs.number not in numbers


def test_desk_now_for_the_persons_city_or_a_city_asked(client, alice, alice_person):
    DeskContact.objects.create(city="", title="Федеральный", phone="8 800 100-00-00")
    DeskContact.objects.create(city="Москва", title="Пульт 24/7", phone="+7 495 660-03-03")
    DeskContact.objects.create(
        city="Екатеринбург", title="Филиал", phone="+7 343 310-40-40", round_the_clock=False,
        weekdays="123456", opens_at=dt.time(8), closes_at=dt.time(20),
    )  # fmt: skip

    own = get(client, "/desk-now", alice).json()
    asked = get(client, "/desk-now", alice, city="Екатеринбург").json()

    assert (own["city"], own["contact"]["phone"], own["city_open"]) == ("Москва", "+7 495 660-03-03", True)
    assert (asked["contact"]["phone"], asked["city_open"]) == ("+7 343 310-40-40", True)


def test_bob_gets_404_for_alices_request_visit_and_pass(client, alice, alice_policy, bob, clinic):
    request = make_request(alice_policy, by=alice, status=RequestStatus.REFUSED)
    visit = make_visit(request, clinic)
    clinic_pass = make_pass(request, clinic)

    assert get(client, f"/requests/{request.pk}", bob).status_code == 404
    assert post_json(client, f"/requests/{request.pk}/cancel", bob).status_code == 404
    assert post_json(client, f"/requests/{request.pk}/escalations", bob, {"text": "x"}).status_code == 404
    assert post_json(client, f"/visits/{visit.pk}/confirm", bob).status_code == 404
    assert (
        post_form(
            client, f"/passes/{clinic_pass.pk}", bob, {"photo": SimpleUploadedFile("1.png", PNG), "document": "П"}
        ).status_code
        == 404
    )
    assert get(client, "/requests", bob).json() == []
    assert get(client, "/visits", bob).json() == []


def test_the_app_downloads_a_letter_as_pdf_and_nobody_elses(client, alice, alice_policy, bob, desk_user, clinic):
    mine = make_letter(make_request(alice_policy, by=alice, status=RequestStatus.APPROVED), clinic)

    response = get(client, f"/letters/{mine.pk}.pdf", alice)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF-")
    assert get(client, f"/letters/{mine.pk}.pdf", bob).status_code == 404
    # The mobile API is the insured's: a dispatcher's token reads letters on the desk's pages.
    assert get(client, f"/letters/{mine.pk}.pdf", desk_user).status_code in (403, 404)
