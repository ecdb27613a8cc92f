"""The dispatcher's console pages: the queue, a request, a letter, approvals, escalations —
and the same pages from the outsiders' side."""
# ruff: noqa: F811 - the desk fixtures are imported from test_desk_world and taken as arguments

import datetime as dt
import re

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings
from django.urls import reverse

from polis.care import desk, desk_letters
from polis.care.models import CareRequestFile, GuaranteeLetter, LetterStatus, RequestStatus, Urgency
from polis.care.tests.test_desk_world import (  # noqa: F401 - fixtures used by name
    curator,
    dispatcher,
    doctor,
    escalate,
    make_request,
    moscow_clinic,
    outsider_clinic,
    piter_clinic,
    taken,
)
from polis.conftest import MOSCOW_NOON
from polis.coverage.models import Policy


@pytest.fixture
def desk_client(client, dispatcher):
    client.force_login(dispatcher)
    return client


def queue_numbers(response) -> list[str]:
    return re.findall(r"№ (ОБ-2026-\d{6})</a>", response.content.decode())


# ── The queue ────────────────────────────────────────────────────────────────────────────────


def test_the_queue_puts_urgent_requests_first_then_the_longest_waiting(desk_client, alice_policy):
    old_routine = make_request(alice_policy, created_at=MOSCOW_NOON - dt.timedelta(hours=3))
    new_urgent = make_request(alice_policy, urgency=Urgency.URGENT, created_at=MOSCOW_NOON - dt.timedelta(minutes=5))
    old_urgent = make_request(alice_policy, urgency=Urgency.URGENT, created_at=MOSCOW_NOON - dt.timedelta(minutes=20))
    make_request(alice_policy, status=RequestStatus.REFUSED, answered_at=MOSCOW_NOON)

    response = desk_client.get(reverse("desk:queue"))

    assert queue_numbers(response) == [old_urgent.number, new_urgent.number, old_routine.number]
    html = response.content.decode()
    assert "осталось 10 мин" in html and "просрочено на 1 ч 00 мин" in html
    assert 'data-testid="metrics"' in html


def test_mine_shows_only_requests_the_dispatcher_took(desk_client, alice_policy, dispatcher, doctor):
    mine = make_request(alice_policy, status=RequestStatus.IN_WORK, dispatcher=dispatcher)
    make_request(alice_policy, status=RequestStatus.IN_WORK, dispatcher=doctor)
    assert queue_numbers(desk_client.get(reverse("desk:queue"), {"show": "mine"})) == [mine.number]


def test_the_desk_lands_on_the_queue(desk_client):
    assert reverse("desk:queue") == "/desk/"
    assert desk_client.get("/desk/").status_code == 200


@pytest.mark.parametrize("who", ["alice", "hr_user", "clinic_user", "backoffice_user"])
def test_other_roles_are_refused_the_desks_request_pages(client, taken, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("desk:queue")).status_code == 403
    assert client.get(reverse("desk:request", args=[taken.pk])).status_code == 403
    assert client.post(reverse("desk:request_take", args=[taken.pk])).status_code == 403
    assert client.get(reverse("desk:approvals")).status_code == 403


def test_an_anonymous_visitor_is_sent_to_login(client, taken):
    response = client.get(reverse("desk:request", args=[taken.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_an_unknown_request_or_letter_is_not_found(desk_client, db):
    assert desk_client.get(reverse("desk:request", args=[999999])).status_code == 404
    assert desk_client.get(reverse("desk:letter", args=[999999])).status_code == 404


# ── One request ──────────────────────────────────────────────────────────────────────────────


def test_the_request_page_shows_the_program_files_and_other_valid_letters(
    desk_client, taken, dispatcher, alice_policy, piter_clinic
):
    stored = CareRequestFile(request=taken, name="анализ.pdf", content_type="application/pdf", size=4)
    stored.file.save("analysis.pdf", ContentFile(b"%PDF"), save=True)
    earlier = make_request(alice_policy, status=RequestStatus.IN_WORK, dispatcher=dispatcher)
    other = desk_letters.letter_issue(
        request=earlier, dispatcher=dispatcher, clinic=piter_clinic, kind="consultation", scope="Приём"
    )

    html = desk_client.get(reverse("desk:request", args=[taken.pk])).content.decode()

    assert alice_policy.program.name in html
    assert "анализ.pdf" in html
    assert other.number in html.split('data-testid="other-letters"')[1].split("</div>")[0]
    # The person's city first: the Moscow clinic before the St. Petersburg one in the letter form.
    form = html.split('data-testid="letter-form"')[1]
    assert form.index("Клиника на Тверской") < form.index("Клиника на Невском")
    assert "selected>Клиника на Тверской" in form  # the clinic alice wished


def test_the_request_file_downloads_for_the_desk_only(desk_client, client, taken, alice):
    stored = CareRequestFile(request=taken, name="анализ.pdf", content_type="application/pdf", size=4)
    stored.file.save("analysis.pdf", ContentFile(b"%PDF"), save=True)
    assert desk_client.get(reverse("desk:request_file", args=[stored.pk])).status_code == 200
    client.force_login(alice)
    assert client.get(reverse("desk:request_file", args=[stored.pk])).status_code == 403


def test_taking_from_the_page(desk_client, alice_policy, dispatcher):
    request = make_request(alice_policy)
    response = desk_client.post(reverse("desk:request_take", args=[request.pk]), follow=True)
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_WORK and request.dispatcher == dispatcher
    assert "Обращение в работе у вас." in response.content.decode()


def letter_post(clinic, **extra):
    data = {
        "letter-clinic": clinic.pk,
        "letter-kind": "consultation",
        "letter-scope": "Приём терапевта",
        "letter-icd10": "J06.9",
        "letter-services": "",
        "letter-sum_limit": "",
        "letter-valid_from": "",
        "letter-valid_to": "",
    }
    data.update(extra)
    return data


def test_issuing_a_letter_from_the_page(desk_client, taken, moscow_clinic):
    data = letter_post(
        moscow_clinic, **{"letter-services": "B01.047.001; Приём терапевта; 1", "letter-sum_limit": "5 000,50"}
    )
    response = desk_client.post(reverse("desk:letter_issue", args=[taken.pk]), data)
    letter = GuaranteeLetter.objects.get(request=taken)
    assert response.status_code == 302
    assert (letter.status, letter.sum_limit_kopecks, letter.icd10) == (LetterStatus.ISSUED, 5_000_50, "J06.9")
    assert letter.services.get().code == "B01.047.001"


def test_a_clinic_outside_the_program_cannot_even_be_posted_and_the_form_keeps_what_was_typed(
    desk_client, taken, outsider_clinic
):
    data = letter_post(outsider_clinic, **{"letter-scope": "МРТ колена"})
    response = desk_client.post(reverse("desk:letter_issue", args=[taken.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Выберите клинику из списка." in html
    assert "МРТ колена" in html
    assert not GuaranteeLetter.objects.exists()


def test_a_refusal_from_the_service_shows_next_to_its_field(desk_client, taken, moscow_clinic):
    data = letter_post(moscow_clinic, **{"letter-valid_to": "2027-01-31"})
    html = desk_client.post(reverse("desk:letter_issue", args=[taken.pk]), data).content.decode()
    assert 'id="id_letter-valid_to_error">Письмо действует не дольше месяца: по 19.12.2026 включительно.' in html


def test_a_second_letter_to_the_same_clinic_is_refused_above_the_forms(desk_client, taken, moscow_clinic):
    desk_client.post(reverse("desk:letter_issue", args=[taken.pk]), letter_post(moscow_clinic))
    first = GuaranteeLetter.objects.get(request=taken)
    html = desk_client.post(reverse("desk:letter_issue", args=[taken.pk]), letter_post(moscow_clinic)).content.decode()
    refusals = html.split('data-testid="refusals"')[1].split("</div>")[0]
    assert f"уже есть письмо № {first.number}" in refusals
    assert GuaranteeLetter.objects.filter(request=taken).count() == 1


def test_bad_service_lines_are_refused_by_line(desk_client, taken, moscow_clinic):
    data = letter_post(moscow_clinic, **{"letter-services": "B01; Приём; 1\nтолько название"})
    html = desk_client.post(reverse("desk:letter_issue", args=[taken.pk]), data).content.decode()
    assert "Строка 2: нужно «код; название; количество»." in html


def test_refusing_from_the_page_over_htmx_shows_the_message_inside_the_swapped_part(desk_client, taken):
    data = {"refuse-reason": "excluded", "refuse-answer": "Косметология в исключениях программы."}
    response = desk_client.post(
        reverse("desk:request_refuse", args=[taken.pk]), data, headers={"HX-Request": "true"}, follow=True
    )
    taken.refresh_from_db()
    assert taken.status == RequestStatus.REFUSED
    part = response.content.decode().split('id="desk-request"')[1]
    assert "Ответ отправлен: не страховой случай." in part


def test_booking_a_visit_from_the_page(desk_client, taken, moscow_clinic):
    data = {
        "visit-clinic": moscow_clinic.pk,
        "visit-starts_at": "2026-11-21T10:00",
        "visit-specialist": "Терапевт",
        "visit-doctor": "",
        "visit-note": "",
    }
    assert desk_client.post(reverse("desk:visit_book", args=[taken.pk]), data).status_code == 302
    visit = taken.visits.get()
    assert visit.starts_at == dt.datetime(2026, 11, 21, 7, 0, tzinfo=dt.UTC)  # 10:00 Moscow


# ── Letters, approvals, escalations ──────────────────────────────────────────────────────────


@pytest.fixture
def pending(taken, dispatcher, moscow_clinic):
    with override_settings(DESK_LETTER_APPROVAL_KOPECKS=1000):
        return desk_letters.letter_issue(
            request=taken, dispatcher=dispatcher, clinic=moscow_clinic, kind="diagnostics", scope="МРТ",
            sum_limit_kopecks=90_000_00,
        )  # fmt: skip


def test_the_issuer_sees_no_approve_buttons_on_their_pending_letter(desk_client, pending):
    html = desk_client.get(reverse("desk:letter", args=[pending.pk])).content.decode()
    assert 'data-testid="approve-form"' not in html
    assert "своё письмо согласовать нельзя" in html


def test_the_issuer_posting_an_approval_is_refused_on_the_page(client, pending, dispatcher):
    from polis.care.tests.test_desk_world import grant

    client.force_login(grant(dispatcher, "approve_letter"))
    html = client.post(reverse("desk:letter_approve", args=[pending.pk]), {"approve-partly": ""}).content.decode()
    assert "Своё письмо согласовать нельзя" in html
    pending.refresh_from_db()
    assert pending.status == LetterStatus.PENDING_APPROVAL


def test_the_second_doctor_finds_the_letter_in_approvals_and_approves_it(client, pending, doctor, taken):
    client.force_login(doctor)
    approvals = client.get(reverse("desk:approvals")).content.decode()
    assert pending.number in approvals
    response = client.post(reverse("desk:letter_approve", args=[pending.pk]), {"approve-note": "ok"})
    assert response.status_code == 302
    pending.refresh_from_db()
    taken.refresh_from_db()
    assert pending.status == LetterStatus.ISSUED and taken.status == RequestStatus.APPROVED


def test_revoking_a_letter_from_its_page_then_it_says_a_new_one_is_needed(
    desk_client, taken, dispatcher, moscow_clinic
):
    letter = desk_letters.letter_issue(
        request=taken, dispatcher=dispatcher, clinic=moscow_clinic, kind="consultation", scope="Приём"
    )
    desk_client.post(reverse("desk:letter_revoke", args=[letter.pk]), {"revoke-reason": "Ошибка"})
    html = desk_client.get(reverse("desk:letter", args=[letter.pk])).content.decode()
    assert 'data-testid="new-letter-needed"' in html and 'data-testid="extend-form"' not in html
    letter.refresh_from_db()
    assert letter.status == LetterStatus.REVOKED


def test_escalations_are_for_curators_only(desk_client, client, taken, curator):
    escalate(taken)
    assert desk_client.get(reverse("desk:escalations")).status_code == 403
    client.force_login(curator)
    assert taken.number in client.get(reverse("desk:escalations")).content.decode()


def test_the_curator_answers_on_the_request_page(client, taken, dispatcher, curator):
    desk.request_refuse(request=taken, dispatcher=dispatcher, reason="chronic", answer="Вне обострения")
    escalation = escalate(taken)
    client.force_login(curator)
    assert 'data-testid="escalation-form"' in client.get(reverse("desk:request", args=[taken.pk])).content.decode()
    url = reverse("desk:escalation_answer", args=[taken.pk, escalation.pk])
    client.post(url, {"escalation-answer": "Пересмотрели", "escalation-reopen": "on"})
    taken.refresh_from_db()
    assert taken.status == RequestStatus.IN_WORK


def test_the_policy_page_links_to_the_persons_requests(desk_client, taken):
    policy = Policy.objects.get(pk=taken.policy_id)
    html = desk_client.get(reverse("desk:policy", args=[policy.pk])).content.decode()
    assert reverse("desk:request", args=[taken.pk]) in html


def test_a_call_is_written_down_from_the_policy_page(desk_client, alice_policy, dispatcher, moscow_clinic):
    policy_page = desk_client.get(reverse("desk:policy", args=[alice_policy.pk])).content.decode()
    assert reverse("desk:request_new", args=[alice_policy.pk]) in policy_page
    data = {
        "complaints": "Температура",
        "kind": "outpatient",
        "urgency": "urgent",
        "desired_date": "21.11.2026",
        "time_windows": ["evening"],
        "clinic": moscow_clinic.pk,
        "contact_phone": "8 (916) 123-45-67",
    }
    response = desk_client.post(reverse("desk:request_new", args=[alice_policy.pk]), data)
    created = alice_policy.care_requests.get()
    assert response["Location"] == reverse("desk:request", args=[created.pk])
    assert (created.contact_phone, created.urgency, created.dispatcher) == ("+79161234567", "urgent", dispatcher)


def test_a_call_with_a_past_date_keeps_what_was_typed(desk_client, alice_policy):
    data = {"complaints": "Сыпь на руках", "kind": "outpatient", "urgency": "routine", "desired_date": "01.11.2026"}
    html = desk_client.post(reverse("desk:request_new", args=[alice_policy.pk]), data).content.decode()
    assert "Желаемая дата не может быть в прошлом." in html and "Сыпь на руках" in html
    assert not alice_policy.care_requests.exists()


def test_the_queue_page_reads_a_fixed_number_of_queries(desk_client, alice_policy, django_assert_max_num_queries):
    for _ in range(30):
        make_request(alice_policy)
    with django_assert_max_num_queries(12):
        assert desk_client.get(reverse("desk:queue")).status_code == 200


def test_extending_from_the_letter_page(desk_client, taken, dispatcher, moscow_clinic):
    letter = desk_letters.letter_issue(
        request=taken, dispatcher=dispatcher, clinic=moscow_clinic, kind="consultation", scope="Приём",
        valid_to=dt.date(2026, 11, 30),
    )  # fmt: skip
    desk_client.post(reverse("desk:letter_extend", args=[letter.pk]), {"extend-valid_to": "10.12.2026"})
    letter.refresh_from_db()
    assert letter.valid_to == dt.date(2026, 12, 10)
    html = desk_client.post(reverse("desk:letter_extend", args=[letter.pk]), {"extend-valid_to": "01.12.2026"})
    assert "Новая дата окончания должна быть позже 10.12.2026." in html.content.decode()


def test_the_request_page_reads_a_fixed_number_of_queries(
    desk_client, taken, dispatcher, alice_policy, moscow_clinic, piter_clinic, django_assert_max_num_queries
):
    for _ in range(5):
        other = make_request(alice_policy, status=RequestStatus.IN_WORK, dispatcher=dispatcher)
        desk_letters.letter_issue(
            request=other, dispatcher=dispatcher, clinic=piter_clinic, kind="consultation", scope="Приём"
        )
        desk.visit_book(
            request=other,
            dispatcher=dispatcher,
            clinic=piter_clinic,
            starts_at=dt.datetime(2026, 11, 21, 7, 0, tzinfo=dt.UTC),
            specialist="ЛОР",
        )
    with django_assert_max_num_queries(20):
        assert desk_client.get(reverse("desk:request", args=[taken.pk])).status_code == 200
