"""The insured's desk pages under /my/care/: the request form, the list, the detail with the
desk's answer, letters, the visit, a pass and an escalation; the visits page; and the outsiders."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from polis.care import states
from polis.care.models import (
    CareRequest,
    ClinicPass,
    DeskContact,
    Escalation,
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


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def form_data(policy, **overrides):
    data = {
        "policy": policy.pk,
        "complaints": "Болит горло, температура 38",
        "kind": KindOfCare.OUTPATIENT,
        "clinic": "",
        "desired_date": "2026-11-23",
        "time_windows": ["morning"],
        "urgency": "routine",
        "contact_channel": "call",
        "contact_phone": "",
    }
    data.update(overrides)
    return data


# ── Sending ──────────────────────────────────────────────────────────────────────────────────


def test_alice_sends_a_request_and_lands_on_its_page(alice_client, alice_policy, clinic):
    data = form_data(alice_policy, clinic=clinic.pk, attachments=[SimpleUploadedFile("анализ.pdf", PDF)])

    response = alice_client.post(reverse("care_my:new"), data)

    request = CareRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("care_my:detail", args=[request.pk])
    assert (request.clinic, request.desired_date, request.files.count()) == (clinic, dt.date(2026, 11, 23), 1)
    page = alice_client.get(response["Location"]).content.decode()
    assert f"Обращение № {request.number}" in page
    assert "Отправлено" in page
    assert "анализ.pdf" in page
    assert "Обращение отправлено" in page  # the first step of the history


def test_the_form_offers_own_and_relatives_policies_but_not_others(alice_client, alice_policy, bob, clinic):
    page = alice_client.get(reverse("care_my:new")).content.decode()

    assert "001-0000001" in page
    assert "001-0000002" in page
    assert "002-0000001" not in page
    assert "Пусть пульт подберёт" in page


def test_a_refused_request_keeps_what_was_typed_and_says_why_next_to_the_field(alice_client, alice_policy, clinic):
    data = form_data(alice_policy, desired_date="2026-11-19", complaints="Кашель неделю")

    response = alice_client.post(reverse("care_my:new"), data)

    assert response.status_code == 200
    assert response.context["form"].errors["desired_date"] == [
        "Желаемая дата уже прошла: выберите сегодняшнюю или более позднюю."
    ]
    assert "Кашель неделю" in response.content.decode()
    assert not CareRequest.objects.exists()


def test_a_file_that_is_not_an_image_or_pdf_is_refused_next_to_the_files(alice_client, alice_policy, clinic):
    fake = SimpleUploadedFile("фото.jpg", b"MZ\x90\x00 program")

    response = alice_client.post(reverse("care_my:new"), form_data(alice_policy, attachments=[fake]))

    assert "фото.jpg" in response.context["form"].errors["attachments"][0]
    assert 'data-testid="files-lost"' in response.content.decode()


def test_someone_elses_policy_cannot_be_chosen(alice_client, bob, clinic):
    bobs = Policy.objects.get(number="002-0000001")

    response = alice_client.post(reverse("care_my:new"), form_data(bobs))

    assert "policy" in response.context["form"].errors
    assert not CareRequest.objects.exists()


# ── Following ────────────────────────────────────────────────────────────────────────────────


def test_the_list_shows_own_and_relatives_requests_with_their_status(alice, alice_client, alice_policy, bob, clinic):
    mine = make_request(alice_policy, by=alice, status=RequestStatus.IN_WORK)
    sons = make_request(Policy.objects.get(number="001-0000002"), by=alice)
    bobs = make_request(Policy.objects.get(number="002-0000001"), by=bob)

    page = alice_client.get(reverse("care_my:list")).content.decode()

    assert mine.number in page and sons.number in page
    assert bobs.number not in page
    assert "В работе у пульта" in page


def test_a_refusal_shows_its_reason_and_answer_and_offers_an_escalation(alice, alice_client, alice_policy, clinic):
    request = make_request(
        alice_policy,
        by=alice,
        status=RequestStatus.REFUSED,
        refusal_reason=RefusalReason.CHRONIC,
        answer="Гастрит вне обострения: плановое наблюдение не входит в программу.",
        answered_at=MSK_NOON,
    )

    page = alice_client.get(reverse("care_my:detail", args=[request.pk])).content.decode()

    assert "Хроническое заболевание вне обострения" in page
    assert "Гастрит вне обострения" in page
    assert reverse("care_my:escalate", args=[request.pk]) in page
    assert 'data-testid="cancel"' not in page


def test_letters_say_whether_the_clinic_has_received_them(alice, alice_client, alice_policy, clinic):
    request = make_request(alice_policy, by=alice, status=RequestStatus.APPROVED)
    received = make_letter(request, clinic, received_at=MSK_NOON)
    waiting = make_letter(request, clinic, scope="МРТ коленного сустава")

    response = alice_client.get(reverse("care_my:detail", args=[request.pk]))
    page = response.content.decode()

    assert received.number in page and waiting.number in page
    assert "получено клиникой" in page and "ещё не получено" in page
    assert "с 20.11.2026 по 19.12.2026" in page
    assert "МРТ коленного сустава" in page


def test_the_visit_tells_address_doctor_time_and_letter_number(alice, alice_client, alice_policy, clinic):
    request = make_request(alice_policy, by=alice, status=RequestStatus.APPROVED)
    letter = make_letter(request, clinic)
    make_visit(request, clinic, letter=letter, starts_at=dt.datetime(2026, 11, 23, 7, 30, tzinfo=dt.UTC))

    page = alice_client.get(reverse("care_my:detail", args=[request.pk])).content.decode()

    assert "23.11.2026 10:30" in page  # Moscow time
    assert "г. Москва, ул. Лесная, д. 5" in page
    assert "Петров Пётр Петрович" in page
    assert f"№ {letter.number}" in page


def test_alice_cancels_a_request_in_work(alice, alice_client, alice_policy, clinic):
    request = make_request(alice_policy, by=alice, status=RequestStatus.IN_WORK)

    response = alice_client.post(reverse("care_my:cancel", args=[request.pk]))

    request.refresh_from_db()
    assert response.status_code == 302
    assert request.status == RequestStatus.CANCELLED
    page = alice_client.get(reverse("care_my:detail", args=[request.pk])).content.decode()
    assert "Обращение № " in page and "Отменено" in page


def test_cancelling_an_answered_request_is_refused_with_the_reason(alice, alice_client, alice_policy, clinic):
    request = make_request(alice_policy, by=alice, status=RequestStatus.APPROVED)

    response = alice_client.post(reverse("care_my:cancel", args=[request.pk]), follow=True)

    assert "Обращение уже согласовано." in response.content.decode()
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED


def test_an_escalation_is_sent_and_the_form_hides_while_it_is_on_review(alice, alice_client, alice_policy, clinic):
    request = make_request(alice_policy, by=alice, status=RequestStatus.REFUSED)

    response = alice_client.post(
        reverse("care_my:escalate", args=[request.pk]), {"to": "senior", "text": "Это обострение"}
    )

    assert response.status_code == 302
    assert Escalation.objects.get().to == "senior"
    page = alice_client.get(reverse("care_my:detail", args=[request.pk])).content.decode()
    assert "Это обострение" in page and "На рассмотрении" in page
    assert reverse("care_my:escalate", args=[request.pk]) not in page


def test_an_empty_escalation_stays_on_the_page_with_the_reason(alice, alice_client, alice_policy, clinic):
    request = make_request(alice_policy, by=alice, status=RequestStatus.APPROVED)

    response = alice_client.post(reverse("care_my:escalate", args=[request.pk]), {"to": "curator", "text": ""})

    assert response.status_code == 400
    assert response.context["escalation_form"].errors["text"]
    assert not Escalation.objects.exists()


def test_a_pass_asked_by_the_desk_takes_a_photo_and_the_document(alice, alice_client, alice_policy, clinic):
    request = make_request(alice_policy, by=alice, status=RequestStatus.APPROVED)
    clinic_pass = make_pass(request, clinic)
    detail = reverse("care_my:detail", args=[request.pk])
    assert reverse("care_my:pass", args=[clinic_pass.pk]) in alice_client.get(detail).content.decode()
    prefix = f"pass{clinic_pass.pk}"

    refused = alice_client.post(
        reverse("care_my:pass", args=[clinic_pass.pk]),
        {f"{prefix}-photo": SimpleUploadedFile("я.pdf", PDF), f"{prefix}-document": "Паспорт 4510 123456"},
    )
    assert refused.status_code == 400
    assert "не фотография" in refused.content.decode()
    assert 'value="Паспорт 4510 123456"' in refused.content.decode()

    sent = alice_client.post(
        reverse("care_my:pass", args=[clinic_pass.pk]),
        {f"{prefix}-photo": SimpleUploadedFile("я.png", PNG), f"{prefix}-document": "Паспорт 4510 123456"},
    )
    assert sent.status_code == 302
    assert ClinicPass.objects.get().status == PassStatus.SUBMITTED


# ── Visits ───────────────────────────────────────────────────────────────────────────────────


def test_visits_are_confirmed_then_rated_once(alice, alice_client, alice_policy, clinic):
    visit = make_visit(make_request(alice_policy, by=alice, status=RequestStatus.APPROVED), clinic)
    page = alice_client.get(reverse("care_my:visits")).content.decode()
    assert "Терапевт" in page and "Визит состоялся" in page

    alice_client.post(reverse("care_my:visit_confirm", args=[visit.pk]))
    visit.refresh_from_db()
    assert visit.status == VisitStatus.HAPPENED

    rate = reverse("care_my:visit_rate", args=[visit.pk])
    assert rate in alice_client.get(reverse("care_my:visits")).content.decode()
    response = alice_client.post(rate, {"doctor_rating": "4", "desk_rating": "5", "comment": "Спасибо"})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.doctor_rating, visit.desk_rating, visit.rating_comment) == (4, 5, "Спасибо")

    again = alice_client.post(rate, {"doctor_rating": "1", "desk_rating": "1"})
    assert again.status_code == 400
    assert "уже оценён" in again.content.decode()


def test_a_missed_visit_asks_why_and_keeps_the_typed_text_on_a_refusal(alice, alice_client, alice_policy, clinic):
    visit = make_visit(
        make_request(alice_policy, by=alice, status=RequestStatus.APPROVED),
        clinic,
        starts_at=MSK_NOON + dt.timedelta(days=2),
    )
    missed = reverse("care_my:visit_missed", args=[visit.pk])

    response = alice_client.post(missed, {"reason": "Клиника перенесла приём"})

    assert response.status_code == 400
    assert "Визит ещё не наступил" in response.content.decode()
    assert "Клиника перенесла приём" in response.content.decode()


# ── The number to call now ───────────────────────────────────────────────────────────────────


def test_the_care_pages_and_the_dashboard_show_the_number_to_call_now(alice_client, alice_person, frozen_now):
    DeskContact.objects.create(city="", title="Федеральный пульт", phone="8 800 100-00-00")
    DeskContact.objects.create(
        city="Екатеринбург", title="Пульт филиала", phone="+7 343 310-40-40", round_the_clock=False,
        weekdays="123456", opens_at=dt.time(8), closes_at=dt.time(20),
    )  # fmt: skip
    alice_person.city = "Екатеринбург"
    alice_person.save()

    for url in (reverse("care_my:list"), reverse("coverage:dashboard")):
        frozen_now.return_value = MSK_NOON  # Friday 12:00
        open_page = alice_client.get(url).content.decode()
        assert 'data-testid="desk-now-phone" href="tel:+73433104040">+7 343 310-40-40' in open_page

        frozen_now.return_value = dt.datetime(2026, 11, 20, 17, 0, tzinfo=dt.UTC)  # Friday 20:00
        closed_page = alice_client.get(url).content.decode()
        assert 'data-testid="desk-now-phone" href="tel:88001000000">8 800 100-00-00' in closed_page
        assert "откроется 21.11.2026 08:00" in closed_page


# ── Steps and query counts ───────────────────────────────────────────────────────────────────


def test_the_history_tells_the_letters_steps_in_words(alice, alice_client, alice_policy, clinic, clinic_user):
    request = make_request(alice_policy, by=alice, status=RequestStatus.APPROVED)
    letter = make_letter(request, clinic)
    states.record(request, action="created", actor=alice, to_status="new")
    states.advance(letter, "receive", actor=clinic_user, received_at=MSK_NOON)

    page = alice_client.get(reverse("care_my:detail", args=[request.pk])).content.decode()

    assert "Обращение отправлено" in page
    assert f"Клиника получила гарантийное письмо № {letter.number}" in page


def test_the_form_offers_only_the_kinds_of_care_the_programs_cover(alice_client, clinic):
    kinds = [value for value, _ in alice_client.get(reverse("care_my:new")).context["form"].fields["kind"].choices]

    assert kinds == [KindOfCare.OUTPATIENT]


@pytest.mark.parametrize(("page", "row"), [("care_my:list", "data-request="), ("care_my:visits", "data-visit=")])
def test_the_lists_cost_the_same_queries_for_one_row_or_many(alice, alice_client, alice_policy, clinic, page, row):
    def add_one():
        request = make_request(alice_policy, by=alice, status=RequestStatus.APPROVED)
        make_visit(request, clinic, letter=make_letter(request, clinic))

    add_one()
    alice_client.get(reverse(page))  # warm up what is loaded once per process
    with CaptureQueriesContext(connection) as one:
        alice_client.get(reverse(page))
    for _ in range(5):
        add_one()
    with CaptureQueriesContext(connection) as six:
        response = alice_client.get(reverse(page))

    assert response.content.decode().count(row) == 6
    assert len(six) == len(one), [q["sql"] for q in six.captured_queries]


# ── Outsiders ────────────────────────────────────────────────────────────────────────────────


def test_bob_gets_404_for_everything_of_alices(alice, alice_policy, bob, client, clinic):
    request = make_request(alice_policy, by=alice, status=RequestStatus.REFUSED)
    visit = make_visit(request, clinic)
    clinic_pass = make_pass(request, clinic)
    client.force_login(bob)

    assert client.get(reverse("care_my:detail", args=[request.pk])).status_code == 404
    assert client.post(reverse("care_my:cancel", args=[request.pk])).status_code == 404
    assert client.post(reverse("care_my:escalate", args=[request.pk]), {"text": "x"}).status_code == 404
    assert client.post(reverse("care_my:pass", args=[clinic_pass.pk])).status_code == 404
    assert client.post(reverse("care_my:visit_confirm", args=[visit.pk])).status_code == 404
    assert client.get(reverse("care_my:visit_rate", args=[visit.pk])).status_code == 404
    assert request.number not in client.get(reverse("care_my:list")).content.decode()
    assert not Escalation.objects.exists()


@pytest.mark.parametrize("staff", ["desk_user", "clinic_user", "hr_user", "backoffice_user"])
def test_staff_roles_get_403_on_the_insureds_pages(client, request, staff):
    client.force_login(request.getfixturevalue(staff))

    assert client.get(reverse("care_my:list")).status_code == 403
    assert client.get(reverse("care_my:visits")).status_code == 403


def test_anonymous_is_sent_to_log_in(client, db):
    response = client.get(reverse("care_my:new"))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_visit_still_ahead_offers_no_marking_yet(alice, alice_client, alice_policy, clinic):
    from polis.care.tests.insured_support import MSK_NOON

    ahead = make_visit(
        make_request(alice_policy, by=alice, status=RequestStatus.APPROVED),
        clinic,
        starts_at=MSK_NOON + dt.timedelta(days=1),
    )

    page = alice_client.get(reverse("care_my:visits")).content.decode()

    assert f'data-visit="{ahead.pk}"' in page
    assert "Визит состоялся" not in page and "Не состоялся" not in page


def test_the_form_offers_the_kinds_and_clinics_of_the_chosen_persons_program(alice, alice_client, alice_person, clinic):
    from polis.coverage.models import Relation
    from polis.testing import factories as f

    mother = f.InsuredPersonFactory(first_name="Галина", patronymic="Ивановна", birth_date=dt.date(1960, 3, 3))
    dental_program = f.ProgramFactory()
    mothers = f.PolicyFactory(insured=mother, holder=alice_person, relation=Relation.PARENT, program=dental_program)
    smile = cover(mothers, KindOfCare.DENTAL, clinic=f.ClinicFactory(name="Стоматология «Улыбка»"))
    new = reverse("care_my:new")

    own = alice_client.get(new).content.decode()
    theirs = alice_client.get(new, {"policy": mothers.pk}).content.decode()

    assert clinic.name in own and smile.name not in own
    assert smile.name in theirs and clinic.name not in theirs
    assert 'value="dental"' in theirs and 'value="outpatient"' not in theirs
    # Someone else's policy number in the address changes nothing: the first own policy is used.
    bobs_program_clinic = f.ClinicFactory(name="Чужая клиника")
    assert bobs_program_clinic.name not in alice_client.get(new, {"policy": 999999}).content.decode()
