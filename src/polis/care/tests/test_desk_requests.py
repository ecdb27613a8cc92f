"""A request from the dispatcher's side: take, refuse, book a visit, ask for a pass, and the
curator's answer to an escalation."""
# ruff: noqa: F811 - the desk fixtures are imported from test_desk_world and taken as arguments

import datetime as dt
import re

import pytest

from polis.care import desk, desk_letters, notices
from polis.care.models import (
    ClinicPass,
    EscalationStatus,
    LetterKind,
    RefusalReason,
    RequestStatus,
    Visit,
)
from polis.care.states import CareError
from polis.care.tests.test_desk_world import (  # noqa: F401 - fixtures used by name
    curator,
    dispatcher,
    escalate,
    make_request,
    moscow_clinic,
    outsider_clinic,
    taken,
)
from polis.conftest import MOSCOW_NOON
from polis.coverage.models import Policy
from polis.notify.models import Notification, OutboundMessage
from polis.testing import factories as f

TOMORROW_10 = dt.datetime(2026, 11, 21, 7, 0, tzinfo=dt.UTC)  # 10:00 Moscow


# ── Take and refuse ──────────────────────────────────────────────────────────────────────────


def test_taking_a_new_request_puts_it_in_the_dispatchers_work(alice_policy, dispatcher):
    request = make_request(alice_policy)
    desk.request_take(request=request, dispatcher=dispatcher)
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_WORK
    assert (request.dispatcher, request.taken_at) == (dispatcher, MOSCOW_NOON)
    assert request.events.filter(action="take", actor=dispatcher, from_status="new").exists()


def test_a_second_dispatcher_taking_the_same_request_is_told_it_is_in_work(alice_policy, dispatcher):
    request = make_request(alice_policy)
    stale = type(request).objects.get(pk=request.pk)
    desk.request_take(request=request, dispatcher=dispatcher)
    with pytest.raises(CareError, match="уже в работе"):
        desk.request_take(request=stale, dispatcher=f.UserFactory(role="desk", phone=None))
    assert type(request).objects.get(pk=request.pk).dispatcher == dispatcher


def test_a_refusal_keeps_the_reason_and_answer_and_tells_alice_the_reason(taken, dispatcher, alice):
    desk.request_refuse(
        request=taken, dispatcher=dispatcher, reason=RefusalReason.CHRONIC, answer="Гастрит вне обострения."
    )
    taken.refresh_from_db()
    assert taken.status == RequestStatus.REFUSED
    assert (taken.refusal_reason, taken.answer, taken.answered_at) == (
        "chronic",
        "Гастрит вне обострения.",
        MOSCOW_NOON,
    )
    sms = OutboundMessage.objects.get(recipient="+79161234567")
    assert "Хроническое заболевание вне обострения" in sms.body and "Гастрит вне обострения." in sms.body
    assert Notification.objects.filter(user=alice, title="Ответ медицинского пульта").exists()


@pytest.mark.parametrize(("reason", "answer", "field"), [("", "текст", "reason"), ("excluded", " ", "answer")])
def test_a_refusal_needs_a_reason_and_an_answer(taken, dispatcher, reason, answer, field):
    with pytest.raises(CareError) as refused:
        desk.request_refuse(request=taken, dispatcher=dispatcher, reason=reason, answer=answer)
    assert refused.value.field == field
    taken.refresh_from_db()
    assert taken.status == RequestStatus.IN_WORK


def test_an_approved_request_cannot_be_refused(taken, dispatcher, moscow_clinic):
    desk_letters.letter_issue(
        request=taken, dispatcher=dispatcher, clinic=moscow_clinic, kind="consultation", scope="Приём"
    )
    with pytest.raises(CareError, match="уже согласовано"):
        desk.request_refuse(request=taken, dispatcher=dispatcher, reason="excluded", answer="Нет")


# ── Visits ───────────────────────────────────────────────────────────────────────────────────


def test_a_booked_visit_takes_the_clinics_address_links_the_letter_and_tells_alice(taken, dispatcher, moscow_clinic):
    letter = desk_letters.letter_issue(
        request=taken, dispatcher=dispatcher, clinic=moscow_clinic, kind=LetterKind.CONSULTATION, scope="Приём"
    )
    OutboundMessage.objects.all().delete()

    visit = desk.visit_book(
        request=taken,
        dispatcher=dispatcher,
        clinic=moscow_clinic,
        starts_at=TOMORROW_10,
        specialist="Терапевт",
        doctor="Иванов И. И.",
        note="Паспорт и полис",
    )

    assert (visit.letter, visit.address, visit.kind) == (letter, moscow_clinic.address, "outpatient")
    sms = OutboundMessage.objects.get(recipient="+79161234567").body
    assert "21.11.2026 10:00" in sms and moscow_clinic.address in sms and "Иванов И. И." in sms
    assert letter.number in sms
    assert taken.events.filter(action="visit_created", actor=dispatcher).exists()


def test_a_visit_in_the_past_or_outside_the_letter_is_refused(taken, dispatcher, moscow_clinic):
    desk_letters.letter_issue(
        request=taken,
        dispatcher=dispatcher,
        clinic=moscow_clinic,
        kind="consultation",
        scope="Приём",
        valid_to=dt.date(2026, 11, 25),
    )
    with pytest.raises(CareError, match="уже прошло"):
        desk.visit_book(
            request=taken, dispatcher=dispatcher, clinic=moscow_clinic, starts_at=MOSCOW_NOON, specialist="ЛОР"
        )
    with pytest.raises(CareError, match=re.escape("в срок письма: 20.11.2026–25.11.2026")):
        desk.visit_book(
            request=taken,
            dispatcher=dispatcher,
            clinic=moscow_clinic,
            starts_at=TOMORROW_10 + dt.timedelta(days=7),
            specialist="ЛОР",
        )
    assert not Visit.objects.exists()


def test_a_visit_at_a_clinic_outside_the_program_is_refused(taken, dispatcher, outsider_clinic):
    with pytest.raises(CareError, match="не входит в программу"):
        desk.visit_book(
            request=taken, dispatcher=dispatcher, clinic=outsider_clinic, starts_at=TOMORROW_10, specialist="ЛОР"
        )


def test_the_letter_issued_after_the_visit_tells_alice_the_visit_too(taken, dispatcher, moscow_clinic):
    desk.visit_book(request=taken, dispatcher=dispatcher, clinic=moscow_clinic, starts_at=TOMORROW_10, specialist="ЛОР")
    OutboundMessage.objects.all().delete()
    letter = desk_letters.letter_issue(
        request=taken, dispatcher=dispatcher, clinic=moscow_clinic, kind="consultation", scope="Приём"
    )
    sms = OutboundMessage.objects.get(recipient="+79161234567").body
    assert letter.number in sms and "21.11.2026 10:00" in sms and "ЛОР" in sms


# ── Passes ───────────────────────────────────────────────────────────────────────────────────


def test_a_pass_is_asked_for_once_at_a_clinic_with_access_control(taken, dispatcher, moscow_clinic, alice):
    moscow_clinic.has_access_control = True
    moscow_clinic.save()
    found = desk.pass_request(request=taken, clinic=moscow_clinic, dispatcher=dispatcher)
    assert (found.status, found.requested_by) == ("requested", dispatcher)
    assert Notification.objects.filter(user=alice, title="Нужны данные для пропуска").exists()
    with pytest.raises(CareError, match="уже запрошен"):
        desk.pass_request(request=taken, clinic=moscow_clinic, dispatcher=dispatcher)
    assert ClinicPass.objects.count() == 1


def test_no_pass_is_asked_for_a_clinic_without_access_control(taken, dispatcher, moscow_clinic):
    with pytest.raises(CareError, match="нет пропускной системы"):
        desk.pass_request(request=taken, clinic=moscow_clinic, dispatcher=dispatcher)


# ── Escalations ──────────────────────────────────────────────────────────────────────────────


@pytest.fixture
def refused(taken, dispatcher):
    desk.request_refuse(request=taken, dispatcher=dispatcher, reason="chronic", answer="Вне обострения")
    return taken


def test_the_curator_answers_and_reopens_the_request_keeping_the_first_answer_time(refused, curator, frozen_now, alice):
    escalation = escalate(refused)
    frozen_now.return_value = MOSCOW_NOON + dt.timedelta(hours=2)

    desk.escalation_answer(escalation=escalation, staff=curator, answer="Пересмотрели: обострение.", reopen=True)

    escalation.refresh_from_db()
    refused.refresh_from_db()
    assert escalation.status == EscalationStatus.ANSWERED and escalation.reopened
    assert escalation.answered_by == curator
    assert refused.status == RequestStatus.IN_WORK
    assert refused.refusal_reason == ""
    assert refused.answered_at == MOSCOW_NOON  # the metrics measure the first answer
    assert refused.events.filter(action="reopen", actor=curator).exists()
    assert Notification.objects.filter(user=alice, title="Ответ на жалобу").exists()


def test_an_answer_without_reopening_leaves_the_refusal(refused, curator):
    escalation = escalate(refused)
    desk.escalation_answer(escalation=escalation, staff=curator, answer="Отказ обоснован.")
    refused.refresh_from_db()
    assert refused.status == RequestStatus.REFUSED
    assert not type(escalation).objects.get(pk=escalation.pk).reopened


def test_a_plain_dispatcher_cannot_answer_escalations(refused, dispatcher):
    escalation = escalate(refused)
    with pytest.raises(CareError, match="врач-куратор"):
        desk.escalation_answer(escalation=escalation, staff=dispatcher, answer="Нет")
    assert type(escalation).objects.get(pk=escalation.pk).status == EscalationStatus.OPEN


def test_an_escalation_is_answered_once(refused, curator):
    escalation = escalate(refused)
    desk.escalation_answer(escalation=escalation, staff=curator, answer="Отказ обоснован.")
    with pytest.raises(CareError, match="уже ответили"):
        desk.escalation_answer(escalation=escalation, staff=curator, answer="Ещё раз")


def test_reopening_a_request_still_in_work_is_refused_and_the_escalation_stays_open(taken, curator):
    escalation = escalate(taken)
    with pytest.raises(CareError, match="уже в работе"):
        desk.escalation_answer(escalation=escalation, staff=curator, answer="Возвращаем", reopen=True)
    assert type(escalation).objects.get(pk=escalation.pk).status == EscalationStatus.OPEN


# ── Whom to tell ─────────────────────────────────────────────────────────────────────────────


def test_news_of_a_sons_request_goes_to_his_mothers_account(alice):
    son_policy = Policy.objects.get(number="001-0000002")
    contact = notices.insured_contact(son_policy)
    assert (contact.phone, contact.email, contact.user) == ("+79161234567", "alice@example.ru", alice)


def test_a_person_without_an_account_is_told_at_the_listed_contacts(db):
    person = f.InsuredPersonFactory(phone="+79995550000", email="list@example.ru")
    contact = notices.insured_contact(f.PolicyFactory(insured=person))
    assert (contact.phone, contact.email, contact.user) == ("+79995550000", "list@example.ru", None)


def test_a_letter_after_a_reopened_refusal_keeps_the_first_answer_time(refused, curator, dispatcher, frozen_now):
    desk.escalation_answer(escalation=escalate(refused), staff=curator, answer="Обострение", reopen=True)
    frozen_now.return_value = MOSCOW_NOON + dt.timedelta(hours=3)
    clinic = refused.clinic
    desk_letters.letter_issue(request=refused, dispatcher=dispatcher, clinic=clinic, kind="consultation", scope="Приём")
    refused.refresh_from_db()
    assert refused.status == RequestStatus.APPROVED
    assert refused.answered_at == MOSCOW_NOON


# ── A request written down during a call ─────────────────────────────────────────────────────


def test_a_callers_request_is_created_numbered_and_taken_by_the_dispatcher(alice_policy, dispatcher, moscow_clinic):
    request = desk.request_create_for_caller(
        policy=alice_policy,
        dispatcher=dispatcher,
        complaints="Боль в пояснице",
        kind="outpatient",
        desired_date=dt.date(2026, 11, 23),
        urgency="urgent",
        clinic=moscow_clinic,
        time_windows=["morning", "night"],
    )
    request.refresh_from_db()
    assert request.number == f"ОБ-2026-{request.pk:06d}"
    assert (request.status, request.dispatcher, request.created_by) == (RequestStatus.IN_WORK, dispatcher, dispatcher)
    assert request.time_windows == ["morning"]
    assert list(request.events.values_list("action", flat=True)) == ["created", "take"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"complaints": " "}, "complaints"),
        ({"desired_date": dt.date(2026, 11, 19)}, "desired_date"),
        ({"desired_date": dt.date(2027, 1, 15)}, "desired_date"),  # the policy ends 31.12.2026
        ({"kind": "dental"}, "clinic"),  # the Moscow clinic is in the program for outpatient care only
    ],
)
def test_a_callers_request_is_checked_before_it_is_written(alice_policy, dispatcher, moscow_clinic, changes, field):
    data = {
        "complaints": "Кашель",
        "kind": "outpatient",
        "desired_date": dt.date(2026, 11, 23),
        "clinic": moscow_clinic,
    }
    data.update(changes)
    with pytest.raises(CareError) as refused:
        desk.request_create_for_caller(policy=alice_policy, dispatcher=dispatcher, **data)
    assert refused.value.field == field
    assert not type(alice_policy).objects.get(pk=alice_policy.pk).care_requests.exists()
