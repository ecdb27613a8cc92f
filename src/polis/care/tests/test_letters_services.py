"""Guarantee letters from the desk's side: issue, the second doctor, extend, narrow, revoke."""
# ruff: noqa: F811 - the desk fixtures are imported from test_desk_world and taken as arguments

import datetime as dt
import re

import pytest
from django.test import override_settings

from polis.care import desk, desk_letters
from polis.care.desk_letters import ServiceLine
from polis.care.models import CareEvent, GuaranteeLetter, LetterKind, LetterStatus, RequestStatus
from polis.care.states import CareError
from polis.care.tests.test_desk_world import (  # noqa: F401 - fixtures used by name
    curator,
    dental_clinic,
    dispatcher,
    doctor,
    grant,
    make_request,
    moscow_clinic,
    outsider_clinic,
    piter_clinic,
    taken,
)
from polis.conftest import MOSCOW_NOON
from polis.coverage.models import CopayRule, FranchiseActivation, ServiceCategory
from polis.notify.models import Notification, OutboundMessage
from polis.testing import factories as f

THRESHOLD = 50_000_00


def issue(request, dispatcher, clinic, **kwargs):
    kwargs.setdefault("kind", LetterKind.CONSULTATION)
    kwargs.setdefault("scope", "Приём терапевта, ОАК, рентген грудной клетки")
    return desk_letters.letter_issue(request=request, dispatcher=dispatcher, clinic=clinic, **kwargs)


def later(frozen_now, minutes):
    frozen_now.return_value = MOSCOW_NOON + dt.timedelta(minutes=minutes)


# ── Issue ────────────────────────────────────────────────────────────────────────────────────


def test_a_letter_to_a_program_clinic_is_issued_numbered_and_the_request_approved(taken, dispatcher, moscow_clinic):
    letter = issue(taken, dispatcher, moscow_clinic)

    letter.refresh_from_db()
    taken.refresh_from_db()
    assert letter.status == LetterStatus.ISSUED
    assert letter.number == f"ГП-2026-{letter.pk:06d}"
    assert letter.issued_by == dispatcher
    assert letter.complaints == taken.complaints  # the request's complaints when none were typed
    assert taken.status == RequestStatus.APPROVED
    assert taken.answered_at == MOSCOW_NOON
    assert list(letter.events.values_list("action", "to_status")) == [("created", "issued")]
    assert taken.events.filter(action="approve", actor=dispatcher).exists()


def test_the_clinic_gets_the_letter_and_alice_is_told_by_sms_email_and_in_the_account(
    taken, dispatcher, moscow_clinic, alice
):
    letter = issue(taken, dispatcher, moscow_clinic, icd10="J06.9")

    to_clinic = OutboundMessage.objects.get(recipient="letters@tverskaya.example.ru")
    assert letter.number in to_clinic.subject
    assert (
        "J06.9" in to_clinic.body and "Смирнова Ирина" in to_clinic.body and "20.11.2026–19.12.2026" in to_clinic.body
    )
    sms = OutboundMessage.objects.get(recipient="+79161234567")
    assert letter.number in sms.body and moscow_clinic.address in sms.body
    assert OutboundMessage.objects.filter(recipient="alice@example.ru").exists()
    assert Notification.objects.filter(user=alice, title="Гарантийное письмо выдано").exists()


def test_a_letter_runs_one_month_by_default_and_its_end_is_stored(taken, dispatcher, moscow_clinic):
    letter = issue(taken, dispatcher, moscow_clinic)
    assert (letter.valid_from, letter.valid_to) == (dt.date(2026, 11, 20), dt.date(2026, 12, 19))
    assert GuaranteeLetter.objects.get(pk=letter.pk).valid_to == dt.date(2026, 12, 19)


def test_the_default_month_stops_at_the_policys_end(taken, dispatcher, moscow_clinic, alice_policy):
    alice_policy.ends_on = dt.date(2026, 12, 5)
    alice_policy.save()
    letter = issue(taken, dispatcher, moscow_clinic)
    assert letter.valid_to == dt.date(2026, 12, 5)


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "field", "words"),
    [
        (dt.date(2026, 11, 19), None, "valid_from", "в прошлом"),
        (dt.date(2026, 11, 20), dt.date(2026, 12, 20), "valid_to", "не дольше месяца"),
        (dt.date(2026, 11, 25), dt.date(2026, 11, 24), "valid_to", "раньше"),
        (dt.date(2027, 1, 10), None, "valid_from", "Полис не действует"),
    ],
)
def test_a_letter_cannot_start_in_the_past_run_past_a_month_or_outside_the_policy(
    taken, dispatcher, moscow_clinic, valid_from, valid_to, field, words
):
    with pytest.raises(CareError) as refused:
        issue(taken, dispatcher, moscow_clinic, valid_from=valid_from, valid_to=valid_to)
    assert refused.value.field == field
    assert words in refused.value.message
    assert not GuaranteeLetter.objects.exists()


def test_a_letter_cannot_outlive_the_policy(taken, dispatcher, moscow_clinic, alice_policy):
    alice_policy.ends_on = dt.date(2026, 12, 5)
    alice_policy.save()
    with pytest.raises(CareError, match=re.escape("Полис действует по 05.12.2026")):
        issue(taken, dispatcher, moscow_clinic, valid_to=dt.date(2026, 12, 10))


def test_a_clinic_outside_alices_program_is_refused_and_nothing_is_sent(taken, dispatcher, outsider_clinic):
    with pytest.raises(CareError) as refused:
        issue(taken, dispatcher, outsider_clinic)
    assert refused.value.field == "clinic"
    assert "не входит в программу" in refused.value.message
    assert not GuaranteeLetter.objects.exists()
    assert not OutboundMessage.objects.exists()
    taken.refresh_from_db()
    assert taken.status == RequestStatus.IN_WORK and taken.answered_at is None


def test_a_program_clinic_for_another_kind_of_care_is_refused(taken, dispatcher, dental_clinic):
    with pytest.raises(CareError, match="не входит в программу"):
        issue(taken, dispatcher, dental_clinic, kind=LetterKind.CONSULTATION)
    assert issue(taken, dispatcher, dental_clinic, kind=LetterKind.DENTAL).status == LetterStatus.ISSUED


def test_a_double_click_issues_one_letter(taken, dispatcher, moscow_clinic):
    first = issue(taken, dispatcher, moscow_clinic)
    with pytest.raises(CareError) as refused:
        issue(taken, dispatcher, moscow_clinic)
    assert first.number in refused.value.message
    assert GuaranteeLetter.objects.filter(request=taken).count() == 1
    assert OutboundMessage.objects.filter(recipient="letters@tverskaya.example.ru").count() == 1


def test_a_second_letter_to_another_clinic_keeps_the_first_answer_time(
    taken, dispatcher, moscow_clinic, piter_clinic, frozen_now
):
    issue(taken, dispatcher, moscow_clinic)
    later(frozen_now, 90)
    second = issue(taken, dispatcher, piter_clinic, kind=LetterKind.DIAGNOSTICS)
    taken.refresh_from_db()
    assert second.status == LetterStatus.ISSUED
    assert taken.answered_at == MOSCOW_NOON


def test_a_revoked_letter_does_not_block_a_new_one_to_the_same_clinic(taken, dispatcher, moscow_clinic):
    first = issue(taken, dispatcher, moscow_clinic)
    desk_letters.letter_revoke(letter=first, dispatcher=dispatcher, reason="Ошибка в объёме")
    assert issue(taken, dispatcher, moscow_clinic).status == LetterStatus.ISSUED


def test_a_new_request_must_be_taken_before_a_letter(alice_policy, dispatcher, moscow_clinic):
    request = make_request(alice_policy)
    with pytest.raises(CareError, match="возьмите обращение в работу"):
        issue(request, dispatcher, moscow_clinic)


def test_a_refused_request_gets_no_letter(taken, dispatcher, moscow_clinic):
    desk.request_refuse(request=taken, dispatcher=dispatcher, reason="chronic", answer="Вне обострения")
    with pytest.raises(CareError, match="не страховой случай"):
        issue(taken, dispatcher, moscow_clinic)


def test_only_the_desk_issues_letters(taken, alice, moscow_clinic):
    with pytest.raises(CareError, match="сотрудникам медицинского пульта"):
        issue(taken, alice, moscow_clinic)


def test_services_are_kept_as_rows_and_make_the_scope_when_none_is_written(taken, dispatcher, moscow_clinic):
    lines = [ServiceLine("B01.047.001", "Приём терапевта первичный", 1), ServiceLine("A06.09.007", "Рентген", 2)]
    letter = issue(taken, dispatcher, moscow_clinic, scope="", services=lines)
    assert list(letter.services.values_list("code", "quantity")) == [("B01.047.001", 1), ("A06.09.007", 2)]
    assert letter.scope == "Приём терапевта первичный × 1; Рентген × 2"


def test_a_letter_without_scope_or_services_is_refused(taken, dispatcher, moscow_clinic):
    with pytest.raises(CareError) as refused:
        issue(taken, dispatcher, moscow_clinic, scope="  ")
    assert refused.value.field == "scope"


def test_an_icd10_code_typed_in_cyrillic_is_stored_in_latin_and_nonsense_is_refused(taken, dispatcher, moscow_clinic):
    with pytest.raises(CareError) as refused:
        issue(taken, dispatcher, moscow_clinic, icd10="простуда")
    assert refused.value.field == "icd10"
    letter = issue(taken, dispatcher, moscow_clinic, icd10="м54,5")  # Cyrillic «м», a comma
    assert letter.icd10 == "M54.5"
    assert letter.complaints == ""  # a diagnosis stands for the complaints


def test_the_copay_rule_comes_from_the_program_for_a_franchise_and_is_empty_otherwise(
    taken, dispatcher, moscow_clinic, dental_clinic, alice_policy
):
    assert issue(taken, dispatcher, moscow_clinic).copay_rule == ""
    program = alice_policy.program
    program.franchise_activation = FranchiseActivation.CONSENT
    program.save()
    CopayRule.objects.create(program=program, service_category=ServiceCategory.DENTAL, percent=30)
    letter = issue(taken, dispatcher, dental_clinic, kind=LetterKind.DENTAL)
    assert letter.copay_rule == "Стоматология: 30 %"


# ── The second doctor ────────────────────────────────────────────────────────────────────────


@pytest.fixture
def pending(taken, dispatcher, moscow_clinic, doctor):
    with override_settings(DESK_LETTER_APPROVAL_KOPECKS=THRESHOLD):
        return issue(taken, dispatcher, moscow_clinic, kind=LetterKind.DIAGNOSTICS, sum_limit_kopecks=THRESHOLD + 1)


def test_a_letter_above_the_threshold_waits_for_a_second_doctor_and_tells_only_the_doctors(
    pending, taken, doctor, dispatcher, alice
):
    taken.refresh_from_db()
    assert pending.status == LetterStatus.PENDING_APPROVAL
    assert taken.status == RequestStatus.IN_WORK and taken.answered_at is None
    assert not OutboundMessage.objects.exists()
    waiting = Notification.objects.get(title=f"Письмо № {pending.number} ждёт согласования")
    assert waiting.user == doctor and "50\xa0000,01" in waiting.body
    assert not Notification.objects.filter(user__in=[dispatcher, alice]).exists()


@override_settings(DESK_LETTER_APPROVAL_KOPECKS=THRESHOLD)
def test_a_letter_at_the_threshold_is_issued_at_once(taken, dispatcher, moscow_clinic):
    assert issue(taken, dispatcher, moscow_clinic, sum_limit_kopecks=THRESHOLD).status == LetterStatus.ISSUED


def test_the_issuer_cannot_approve_their_own_letter_even_with_the_right(pending, dispatcher):
    issuer = grant(dispatcher, "approve_letter")
    with pytest.raises(CareError, match="Своё письмо"):
        desk_letters.letter_approve(letter=pending, doctor=issuer)
    pending.refresh_from_db()
    assert pending.status == LetterStatus.PENDING_APPROVAL


def test_a_dispatcher_without_the_right_cannot_approve(pending):
    other = f.UserFactory(role="desk", phone=None)
    with pytest.raises(CareError, match="врач с правом согласования"):
        desk_letters.letter_approve(letter=pending, doctor=other)


def test_another_doctor_approves_and_the_request_is_answered_then(pending, taken, doctor, frozen_now, alice):
    later(frozen_now, 45)
    desk_letters.letter_approve(letter=pending, doctor=doctor, note="Показания подтверждены")

    pending.refresh_from_db()
    taken.refresh_from_db()
    assert pending.status == LetterStatus.ISSUED
    assert (pending.approved_by, pending.approved_at) == (doctor, MOSCOW_NOON + dt.timedelta(minutes=45))
    assert taken.status == RequestStatus.APPROVED
    assert taken.answered_at == MOSCOW_NOON + dt.timedelta(minutes=45)
    assert Notification.objects.filter(user=alice, title="Гарантийное письмо выдано").exists()
    assert CareEvent.objects.filter(letter=pending, action="approve", actor=doctor).exists()


def test_approving_twice_moves_the_letter_once(pending, doctor):
    desk_letters.letter_approve(letter=pending, doctor=doctor)
    stale = GuaranteeLetter.objects.get(pk=pending.pk)
    stale.status = LetterStatus.PENDING_APPROVAL  # the page the second click came from
    with pytest.raises(CareError, match="уже выдано"):
        desk_letters.letter_approve(letter=stale, doctor=doctor)
    assert CareEvent.objects.filter(letter=pending, action="approve").count() == 1


def test_a_partial_approval_lowers_the_limit_and_narrows_the_scope(pending, doctor):
    desk_letters.letter_approve(
        letter=pending, doctor=doctor, partly=True, scope="Только МРТ", sum_limit_kopecks=30_000_00
    )
    pending.refresh_from_db()
    assert pending.status == LetterStatus.PARTLY_APPROVED
    assert (pending.scope, pending.sum_limit_kopecks) == ("Только МРТ", 30_000_00)
    assert pending.is_valid


def test_a_partial_approval_cannot_raise_the_limit_or_change_nothing(pending, doctor):
    with pytest.raises(CareError, match="меньше запрошенного"):
        desk_letters.letter_approve(letter=pending, doctor=doctor, partly=True, sum_limit_kopecks=THRESHOLD + 1)
    with pytest.raises(CareError, match="меньший объём"):
        desk_letters.letter_approve(letter=pending, doctor=doctor, partly=True)


def test_the_doctors_refusal_closes_the_letter_and_tells_the_dispatcher(pending, doctor, dispatcher, taken):
    desk_letters.letter_refuse(letter=pending, doctor=doctor, reason="Нет показаний к МРТ")
    pending.refresh_from_db()
    taken.refresh_from_db()
    assert pending.status == LetterStatus.REFUSED
    assert pending.closed_reason == "Нет показаний к МРТ"
    assert taken.status == RequestStatus.IN_WORK
    assert Notification.objects.filter(user=dispatcher, body="Нет показаний к МРТ").exists()


# ── Extend, narrow, revoke ───────────────────────────────────────────────────────────────────


@pytest.fixture
def letter(taken, dispatcher, moscow_clinic):
    return issue(taken, dispatcher, moscow_clinic, valid_to=dt.date(2026, 11, 30), sum_limit_kopecks=20_000_00)


def test_extending_a_valid_letter_moves_its_end_and_tells_both_sides(letter, dispatcher):
    OutboundMessage.objects.all().delete()
    desk_letters.letter_extend(letter=letter, dispatcher=dispatcher, valid_to=dt.date(2026, 12, 15))
    letter.refresh_from_db()
    assert letter.valid_to == dt.date(2026, 12, 15) and letter.status == LetterStatus.ISSUED
    assert OutboundMessage.objects.filter(
        recipient="letters@tverskaya.example.ru", body__contains="15.12.2026"
    ).exists()
    assert OutboundMessage.objects.filter(recipient="+79161234567").exists()


def test_an_extension_must_be_later_and_within_a_month_from_today(letter, dispatcher):
    with pytest.raises(CareError, match=re.escape("позже 30.11.2026")):
        desk_letters.letter_extend(letter=letter, dispatcher=dispatcher, valid_to=dt.date(2026, 11, 29))
    with pytest.raises(CareError, match=re.escape("по 19.12.2026")):
        desk_letters.letter_extend(letter=letter, dispatcher=dispatcher, valid_to=dt.date(2026, 12, 25))


@pytest.mark.parametrize("closing", ["revoke", "use"])
def test_a_revoked_or_used_letter_cannot_be_extended_or_narrowed_a_new_one_is_needed(letter, dispatcher, closing):
    from polis.care import states

    states.advance(letter, closing, actor=dispatcher, note="test")
    with pytest.raises(CareError, match="нужно новое"):
        desk_letters.letter_extend(letter=letter, dispatcher=dispatcher, valid_to=dt.date(2026, 12, 10))
    with pytest.raises(CareError, match="нужно новое"):
        desk_letters.letter_narrow(letter=letter, dispatcher=dispatcher, scope="Только приём")


def test_a_letter_past_its_end_is_expired_even_before_the_nightly_task(letter, dispatcher, frozen_now):
    frozen_now.return_value = MOSCOW_NOON + dt.timedelta(days=11)  # 01.12, the letter ran to 30.11
    with pytest.raises(CareError, match=r"Срок письма истёк: .*нужно новое"):
        desk_letters.letter_extend(letter=letter, dispatcher=dispatcher, valid_to=dt.date(2026, 12, 20))


def test_narrowing_changes_the_scope_and_may_only_lower_the_limit(letter, dispatcher):
    with pytest.raises(CareError, match="меньшего лимита"):
        desk_letters.letter_narrow(letter=letter, dispatcher=dispatcher, scope="Приём", sum_limit_kopecks=25_000_00)
    desk_letters.letter_narrow(
        letter=letter, dispatcher=dispatcher, scope="Только приём терапевта", sum_limit_kopecks=5_000_00
    )
    letter.refresh_from_db()
    assert (letter.scope, letter.sum_limit_kopecks) == ("Только приём терапевта", 5_000_00)
    assert letter.events.filter(action="narrow").exists()


def test_revoking_needs_a_reason_closes_the_letter_and_a_second_revoke_is_refused(letter, dispatcher):
    with pytest.raises(CareError) as refused:
        desk_letters.letter_revoke(letter=letter, dispatcher=dispatcher, reason=" ")
    assert refused.value.field == "reason"
    desk_letters.letter_revoke(letter=letter, dispatcher=dispatcher, reason="Застрахованный отказался от визита")
    letter.refresh_from_db()
    assert letter.status == LetterStatus.REVOKED
    assert letter.closed_reason == "Застрахованный отказался от визита"
    assert OutboundMessage.objects.filter(
        subject__contains="отозвано", recipient="letters@tverskaya.example.ru"
    ).exists()
    with pytest.raises(CareError, match="отозвано: нужно новое"):
        desk_letters.letter_revoke(letter=letter, dispatcher=dispatcher, reason="ещё раз")


def test_a_letter_whose_term_passed_while_waiting_cannot_be_approved(pending, doctor, frozen_now):
    frozen_now.return_value = MOSCOW_NOON + dt.timedelta(days=40)
    with pytest.raises(CareError, match="нужно новое письмо"):
        desk_letters.letter_approve(letter=pending, doctor=doctor)


def test_a_pending_letter_of_a_request_refused_meanwhile_cannot_be_approved(pending, taken, dispatcher, doctor):
    desk.request_refuse(request=taken, dispatcher=dispatcher, reason="excluded", answer="Исключение программы")
    with pytest.raises(CareError, match="не страховой случай"):
        desk_letters.letter_approve(letter=pending, doctor=doctor)
    assert GuaranteeLetter.objects.get(pk=pending.pk).status == LetterStatus.PENDING_APPROVAL


def test_alices_notification_leads_to_her_request(taken, dispatcher, moscow_clinic, alice):
    issue(taken, dispatcher, moscow_clinic)
    assert Notification.objects.get(user=alice).link == f"/my/care/{taken.pk}/"
