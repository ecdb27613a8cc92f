"""The clinic clerk's guarantee letters, on the pages and in the API: the own clinic's only,
what the letter says, receipt that counts once, "used" when treatment ended."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from polis.accounts.models import Role
from polis.care.models import CareEvent, LetterService, LetterStatus
from polis.care.tests import made_letters as make
from polis.coverage.models import Policy
from polis.testing import factories as f

pytestmark = pytest.mark.django_db
LIST = reverse("care_clinic:letters")


@pytest.fixture
def clerk_client(client, clinic_user):
    client.force_login(clinic_user)
    return client


@pytest.fixture
def son_policy(alice) -> Policy:
    return Policy.objects.get(number="001-0000002")


def test_the_clerk_sees_valid_letters_to_the_clinic_soonest_end_first(
    clerk_client, clinic_user, alice_policy, son_policy
):
    later = make.letter(alice_policy, clinic_user.clinic, valid_to=dt.date(2026, 12, 19))
    sooner = make.letter(son_policy, clinic_user.clinic, valid_to=dt.date(2026, 11, 22))
    make.letter(
        alice_policy,
        clinic_user.clinic,
        status=LetterStatus.EXPIRED,
        valid_from=dt.date(2026, 10, 11),
        valid_to=dt.date(2026, 11, 10),
    )
    make.letter(alice_policy, clinic_user.clinic, status=LetterStatus.PENDING_APPROVAL)

    page = clerk_client.get(LIST).content.decode()

    assert page.index(sooner.number) < page.index(later.number)
    assert "Смирнова Артём Андреевич" in page and "01.06.2015" in page and "001-0000002" in page
    assert "Поликлиника + стоматология" in page
    # Expired letters are under «Все» only; one still on a doctor's approval is never shown.
    assert page.count("data-letter=") == 2
    # 22.11 is within the 3 warning days from 20.11; 19.12 is not.
    assert '<strong class="error" data-testid="expiring">22.11.2026</strong>' in page
    assert "Скоро истекает: <strong>1</strong>" in page


def test_the_expiring_and_all_filters(clerk_client, clinic_user, alice_policy):
    make.letter(alice_policy, clinic_user.clinic, valid_to=dt.date(2026, 11, 23), scope="a")
    make.letter(alice_policy, clinic_user.clinic, valid_to=dt.date(2026, 11, 24))
    make.letter(alice_policy, clinic_user.clinic, status=LetterStatus.USED)
    make.letter(alice_policy, clinic_user.clinic, status=LetterStatus.REFUSED)

    expiring = clerk_client.get(LIST, {"state": "expiring"}).content.decode()
    everything = clerk_client.get(LIST, {"state": "all"}).content.decode()

    assert expiring.count("data-letter=") == 1 and "23.11.2026" in expiring
    assert everything.count("data-letter=") == 3 and "Использовано" in everything


def test_the_letter_shows_what_the_clinic_needs_to_treat(clerk_client, clinic_user, alice_policy):
    letter = make.letter(alice_policy, clinic_user.clinic, sum_limit_kopecks=1_500_000, copay_rule="10 % от стоимости")
    LetterService.objects.create(letter=letter, code="B01.047.001", name="Приём терапевта первичный", quantity=1)
    make.clinic_pass(letter)

    page = clerk_client.get(reverse("care_clinic:letter", args=[letter.pk])).content.decode()

    for text in (
        "Смирнова Ирина Петровна",
        "12.04.1988",
        "001-0000001",
        "Консультация",
        "Боль в горле, температура 38",
        "J02.9",
        "Консультация терапевта, общий анализ крови",
        "B01.047.001",
        "15\u00a0000,00\u00a0₽",
        "20.11.2026–19.12.2026",
        "10 % от стоимости",
        "Паспорт 45 12 345678",
        "А123ВС777",
    ):
        assert text in page, text
    photo = clerk_client.get(reverse("care_clinic:pass_photo", args=[letter.pk]))
    assert photo.status_code == 200 and b"".join(photo.streaming_content) == b"\xff\xd8jpeg"


def test_another_clinics_letter_is_not_found_anywhere(clerk_client, clinic_user, alice_policy):
    elsewhere = make.letter(alice_policy, f.ClinicFactory(name="Чужая клиника"))
    make.clinic_pass(elsewhere)

    assert elsewhere.number not in clerk_client.get(LIST, {"state": "all"}).content.decode()
    for name in ("letter", "pass_photo"):
        assert clerk_client.get(reverse(f"care_clinic:{name}", args=[elsewhere.pk])).status_code == 404
    for name in ("receive", "use"):
        assert clerk_client.post(reverse(f"care_clinic:{name}", args=[elsewhere.pk])).status_code == 404
    assert clerk_client.get(f"/api/v1/clinic/letters/{elsewhere.pk}").status_code == 404
    assert clerk_client.get(f"/api/v1/clinic/letters/{elsewhere.pk}/pass-photo").status_code == 404
    assert clerk_client.post(f"/api/v1/clinic/letters/{elsewhere.pk}/receive").status_code == 404
    elsewhere.refresh_from_db()
    assert (elsewhere.received_at, elsewhere.status) == (None, LetterStatus.ISSUED)


def test_other_roles_are_forbidden(client, desk_user, alice):
    client.force_login(desk_user)

    assert client.get(LIST).status_code == 403
    assert client.get("/api/v1/clinic/letters").status_code == 403
    client.force_login(alice)
    assert client.get("/api/v1/clinic/attachments").status_code == 403


def test_receiving_twice_keeps_the_first_receipt_and_says_so(clerk_client, clinic_user, alice_policy, frozen_now):
    letter = make.letter(alice_policy, clinic_user.clinic)
    url = reverse("care_clinic:receive", args=[letter.pk])

    first = clerk_client.post(url, follow=True).content.decode()
    assert f"Получение гарантийного письма № {letter.number} подтверждено." in first
    frozen_now.return_value += dt.timedelta(hours=2)
    second = clerk_client.post(url, follow=True).content.decode()

    assert f"Гарантийное письмо № {letter.number} уже получено 20.11.2026 12:00 (Смирнова Ирина)." in second
    letter.refresh_from_db()
    assert letter.received_at == dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
    assert letter.received_by == clinic_user
    assert letter.status == LetterStatus.ISSUED
    assert list(CareEvent.objects.filter(letter=letter).values_list("action", "actor")) == [("receive", clinic_user.pk)]


def test_the_api_receives_once_and_answers_409_the_second_time(clerk_client, clinic_user, alice_policy):
    letter = make.letter(alice_policy, clinic_user.clinic)
    url = f"/api/v1/clinic/letters/{letter.pk}/receive"

    first = clerk_client.post(url)
    second = clerk_client.post(url)

    assert first.status_code == 200
    assert first.json()["received_at"] == "2026-11-20T09:00:00Z"
    assert second.status_code == 409 and second.json()["code"] == "already_received"
    assert "уже получено 20.11.2026 12:00" in second.json()["detail"]


def test_an_expired_letter_cannot_be_received(clerk_client, clinic_user, alice_policy):
    letter = make.letter(alice_policy, clinic_user.clinic, status=LetterStatus.EXPIRED)

    response = clerk_client.post(f"/api/v1/clinic/letters/{letter.pk}/receive")

    assert response.status_code == 409
    assert response.json()["detail"].startswith("Срок письма истёк")


def test_marking_used_ends_the_letter_and_records_its_receipt(clerk_client, clinic_user, alice_policy):
    letter = make.letter(alice_policy, clinic_user.clinic)
    url = reverse("care_clinic:use", args=[letter.pk])

    page = clerk_client.post(url, follow=True).content.decode()
    again = clerk_client.post(url, follow=True).content.decode()

    assert "отмечено использованным" in page
    assert "Получено клиникой, Смирнова Ирина" in page and "Использовано: лечение закончено" in page
    assert "Письмо уже использовано" in again
    letter.refresh_from_db()
    assert letter.status == LetterStatus.USED and letter.received_by == clinic_user
    actions = list(CareEvent.objects.filter(letter=letter).values_list("action", flat=True))
    assert actions == ["receive", "use"]


def test_the_api_lists_filters_and_details_letters(clerk_client, clinic_user, alice_policy):
    soon = make.letter(alice_policy, clinic_user.clinic, valid_to=dt.date(2026, 11, 21))
    make.letter(alice_policy, clinic_user.clinic)
    make.clinic_pass(soon)

    valid = clerk_client.get("/api/v1/clinic/letters").json()
    expiring = clerk_client.get("/api/v1/clinic/letters", {"state": "expiring"}).json()
    detail = clerk_client.get(f"/api/v1/clinic/letters/{soon.pk}").json()

    assert len(valid) == 2 and valid[0]["number"] == soon.number
    assert [row["id"] for row in expiring] == [soon.pk]
    assert detail["person"] == {
        "full_name": "Смирнова Ирина Петровна",
        "birth_date": "1988-04-12",
        "policy_number": "001-0000001",
        "program": "Поликлиника + стоматология",
    }
    assert detail["icd10"] == "J02.9" and detail["valid_to"] == "2026-11-21"
    assert detail["clinic_pass"]["document"] == "Паспорт 45 12 345678" and detail["clinic_pass"]["has_photo"]
    photo = clerk_client.get(detail["clinic_pass"]["photo_url"])
    assert photo.status_code == 200 and b"".join(photo.streaming_content) == b"\xff\xd8jpeg"
    assert clerk_client.get("/api/v1/clinic/letters", {"state": "nonsense"}).status_code == 400


def test_a_clerk_of_another_clinic_sees_none_of_these(client, clinic_user, alice_policy):
    make.letter(alice_policy, clinic_user.clinic)
    other = f.UserFactory(phone=None, role=Role.CLINIC, clinic=f.ClinicFactory())
    client.force_login(other)

    assert client.get("/api/v1/clinic/letters", {"state": "all"}).json() == []


def test_the_list_costs_the_same_queries_for_one_letter_or_many(clerk_client, clinic_user, alice_policy, son_policy):
    make.letter(alice_policy, clinic_user.clinic)
    with CaptureQueriesContext(connection) as one:
        clerk_client.get(LIST)
    for policy in (alice_policy, son_policy, son_policy, alice_policy):
        make.letter(policy, clinic_user.clinic, received_at=dt.datetime(2026, 11, 20, 8, tzinfo=dt.UTC))
    with CaptureQueriesContext(connection) as many:
        page = clerk_client.get(LIST).content.decode()

    assert page.count("data-letter=") == 5
    assert len(many) == len(one)
