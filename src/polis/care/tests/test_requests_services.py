"""The insured's writes to the desk as services: a request and its checks, cancelling it,
escalating the answer, a pass's data, and a visit's outcome and rating."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from polis.care.models import (
    CareEvent,
    CareRequest,
    ClinicPass,
    ContactChannel,
    Escalation,
    EscalationStatus,
    PassStatus,
    RequestStatus,
    TimeWindow,
    Urgency,
    Visit,
    VisitStatus,
)
from polis.care.requests import (
    escalation_raise,
    pass_submit,
    request_cancel,
    request_submit,
    visit_confirm,
    visit_rate,
    visit_report_missed,
)
from polis.care.states import CareError
from polis.care.tests.insured_support import (
    JPEG,
    MSK_NOON,
    PDF,
    PNG,
    cover,
    make_pass,
    make_request,
    make_visit,
)
from polis.coverage.models import Policy
from polis.network.models import KindOfCare
from polis.notify.models import Notification, OutboundMessage
from polis.testing import factories as f


@pytest.fixture
def clinic(alice_policy):
    return cover(alice_policy, KindOfCare.OUTPATIENT, KindOfCare.DENTAL)


@pytest.fixture
def son_policy(alice) -> Policy:
    return Policy.objects.get(number="001-0000002")


def submit(user, policy, **overrides):
    data = {
        "complaints": "Температура 38,5, болит горло третий день",
        "kind": KindOfCare.OUTPATIENT,
        "clinic": None,
        "desired_date": dt.date(2026, 11, 23),
        "time_windows": [TimeWindow.MORNING],
        "contact_channel": ContactChannel.CALL,
        "contact_phone": "",
        "urgency": Urgency.ROUTINE,
        "files": [],
    }
    data.update(overrides)
    return request_submit(user=user, policy=policy, **data)


# ── Submitting ───────────────────────────────────────────────────────────────────────────────


def test_a_request_gets_a_number_a_first_step_and_a_confirmation_everywhere(alice, alice_policy, clinic):
    request = submit(alice, alice_policy, clinic=clinic, time_windows=["evening", "morning"])

    request.refresh_from_db()
    assert request.number == f"ОБ-2026-{request.pk:06d}"
    assert request.status == RequestStatus.NEW
    assert request.clinic == clinic
    assert request.time_windows == ["morning", "evening"]
    assert request.contact_phone == "+79161234567"  # the account's phone when none is typed
    event = CareEvent.objects.get(request=request)
    assert (event.action, event.actor, event.to_status) == ("created", alice, "new")
    note = Notification.objects.get(user=alice)
    assert note.title == f"Обращение № {request.number} принято"
    assert note.link == f"/my/care/{request.pk}/"
    channels = sorted(OutboundMessage.objects.values_list("channel", "recipient"))
    assert channels == [("email", "alice@example.ru"), ("sms", "+79161234567")]


def test_a_mother_sends_a_request_for_her_son(alice, son_policy, clinic):
    request = submit(alice, son_policy)

    assert request.policy == son_policy
    assert request.created_by == alice


def test_nobody_sends_a_request_under_someone_elses_policy(bob, alice_policy, clinic):
    with pytest.raises(Http404):
        submit(bob, alice_policy)

    assert not CareRequest.objects.exists()


def test_complaints_are_required(alice, alice_policy, clinic):
    with pytest.raises(CareError) as refusal:
        submit(alice, alice_policy, complaints="   ")

    assert refusal.value.field == "complaints"


@pytest.mark.parametrize(
    ("day", "accepted"),
    [
        (dt.date(2026, 11, 19), False),  # yesterday
        (dt.date(2026, 11, 20), True),  # today
        (dt.date(2027, 11, 20), False),  # a year ahead, but the policy ends on 31.12.2026
    ],
)
def test_the_desired_date_is_not_in_the_past(alice, alice_policy, clinic, day, accepted):
    if accepted:
        assert submit(alice, alice_policy, desired_date=day).desired_date == day
    else:
        with pytest.raises(CareError) as refusal:
            submit(alice, alice_policy, desired_date=day)
        assert refusal.value.field == "desired_date"


def test_the_desired_date_is_at_most_a_year_ahead(alice, alice_policy, clinic):
    Policy.objects.filter(pk=alice_policy.pk).update(ends_on=dt.date(2028, 12, 31))
    alice_policy.refresh_from_db()

    assert submit(alice, alice_policy, desired_date=dt.date(2027, 11, 20)).pk
    with pytest.raises(CareError, match=r"не больше чем на год вперёд: до 20\.11\.2027") as refusal:
        submit(alice, alice_policy, desired_date=dt.date(2027, 11, 21))
    assert refusal.value.field == "desired_date"


def test_the_policy_must_be_in_force_on_the_desired_date(alice, alice_policy, clinic):
    with pytest.raises(CareError, match=r"не действует 10\.01\.2027: срок полиса 01\.01\.2026–31\.12\.2026"):
        submit(alice, alice_policy, desired_date=dt.date(2027, 1, 10))


def test_a_kind_of_care_outside_the_program_is_refused(alice, alice_policy, clinic):
    with pytest.raises(CareError, match="«Помощь на дому» не входит в программу полиса № 001-0000001") as refusal:
        submit(alice, alice_policy, kind=KindOfCare.HOME_CARE)

    assert refusal.value.field == "kind"


def test_a_clinic_must_be_in_the_program_for_that_kind_of_care(alice, alice_policy, clinic):
    only_dental = f.ClinicFactory(name="Дента")
    f.ProgramClinicFactory(program=alice_policy.program, clinic=only_dental, kind=KindOfCare.DENTAL)

    with pytest.raises(CareError, match="Клиника «Дента» не входит в программу") as refusal:
        submit(alice, alice_policy, clinic=only_dental, kind=KindOfCare.OUTPATIENT)

    assert refusal.value.field == "clinic"
    assert submit(alice, alice_policy, clinic=only_dental, kind=KindOfCare.DENTAL).clinic == only_dental


def test_call_back_needs_a_phone_and_a_typed_one_is_normalized(alice, alice_policy, clinic):
    assert submit(alice, alice_policy, contact_phone="8 (903) 000-11-22").contact_phone == "+79030001122"
    with pytest.raises(CareError) as refusal:
        submit(alice, alice_policy, contact_phone="12345")
    assert refusal.value.field == "contact_phone"


def test_files_are_stored_as_what_they_are(alice, alice_policy, clinic):
    scan = SimpleUploadedFile("анализы.jpg", PDF, content_type="image/jpeg")
    photo = SimpleUploadedFile("горло.png", PNG, content_type="image/png")

    request = submit(alice, alice_policy, files=[scan, photo])

    stored = list(request.files.order_by("pk").values_list("name", "content_type", "size"))
    assert stored == [("анализы.jpg", "application/pdf", len(PDF)), ("горло.png", "image/png", len(PNG))]
    assert request.files.order_by("pk").first().file.name.endswith(".pdf")


def test_a_program_disguised_as_a_pdf_is_refused_and_nothing_is_sent(alice, alice_policy, clinic):
    fake = SimpleUploadedFile("справка.pdf", b"MZ\x90\x00 program", content_type="application/pdf")

    with pytest.raises(CareError, match=r"справка\.pdf") as refusal:
        submit(alice, alice_policy, files=[fake])

    assert refusal.value.field == "files"
    assert not CareRequest.objects.exists()
    assert not OutboundMessage.objects.exists()


def test_at_most_ten_files(alice, alice_policy, clinic):
    with pytest.raises(CareError, match="не больше 10 файлов"):
        submit(alice, alice_policy, files=[SimpleUploadedFile(f"{i}.png", PNG) for i in range(11)])


# ── Cancelling ───────────────────────────────────────────────────────────────────────────────


def test_the_insured_cancels_a_request_the_desk_has_not_answered(alice, alice_policy, clinic):
    request = submit(alice, alice_policy)

    request_cancel(request=request, user=alice)

    request.refresh_from_db()
    assert request.status == RequestStatus.CANCELLED
    assert request.closed_at == MSK_NOON
    assert CareEvent.objects.filter(request=request, action="cancel", from_status="new").exists()


def test_an_approved_request_cannot_be_cancelled(alice, alice_policy, clinic):
    request = make_request(alice_policy, by=alice, status=RequestStatus.APPROVED)

    with pytest.raises(CareError, match=r"Обращение уже согласовано\."):
        request_cancel(request=request, user=alice)


def test_an_outsider_cannot_cancel(alice, bob, alice_policy, clinic):
    request = make_request(alice_policy, by=alice)

    with pytest.raises(Http404):
        request_cancel(request=request, user=bob)
    request.refresh_from_db()
    assert request.status == RequestStatus.NEW


# ── Escalating ───────────────────────────────────────────────────────────────────────────────


def test_an_escalation_waits_for_the_desks_answer(alice, alice_policy, clinic):
    request = make_request(alice_policy, by=alice, status=RequestStatus.IN_WORK)

    with pytest.raises(CareError, match="когда пульт ответит"):
        escalation_raise(request=request, user=alice, to="curator", text="Долго")


def test_a_refusal_is_escalated_once_at_a_time(alice, alice_policy, clinic):
    request = make_request(alice_policy, by=alice, status=RequestStatus.REFUSED)

    escalation = escalation_raise(request=request, user=alice, to="senior", text="  Это обострение, а не хроника  ")

    assert (escalation.to, escalation.text, escalation.status) == ("senior", "Это обострение, а не хроника", "open")
    assert CareEvent.objects.filter(request=request, action="escalated", actor=alice).exists()
    with pytest.raises(CareError, match="уже есть жалоба на рассмотрении"):
        escalation_raise(request=request, user=alice, to="curator", text="Ещё раз")
    assert Escalation.objects.count() == 1

    Escalation.objects.filter(pk=escalation.pk).update(status=EscalationStatus.ANSWERED)
    assert escalation_raise(request=request, user=alice, to="curator", text="Не согласна с ответом").pk


def test_an_escalation_needs_words(alice, alice_policy, clinic):
    request = make_request(alice_policy, by=alice, status=RequestStatus.APPROVED)

    with pytest.raises(CareError) as refusal:
        escalation_raise(request=request, user=alice, to="curator", text="")

    assert refusal.value.field == "text"


# ── A pass ───────────────────────────────────────────────────────────────────────────────────


def test_the_insured_sends_a_photo_and_a_document_for_a_pass(alice, alice_policy, clinic):
    request = make_request(alice_policy, by=alice, status=RequestStatus.APPROVED)
    clinic_pass = make_pass(request, clinic)

    pass_submit(
        clinic_pass=clinic_pass,
        user=alice,
        photo=SimpleUploadedFile("я.heic", JPEG, content_type="image/heic"),
        document="Паспорт  4510 123456",
        car_number="а 123 мр 77",
    )

    clinic_pass.refresh_from_db()
    assert clinic_pass.status == PassStatus.SUBMITTED
    assert (clinic_pass.photo_content_type, clinic_pass.document, clinic_pass.car_number) == (
        "image/jpeg",
        "Паспорт 4510 123456",
        "А123МР77",
    )
    assert clinic_pass.photo.name.endswith(".jpg")
    assert clinic_pass.submitted_at == MSK_NOON
    assert CareEvent.objects.filter(request=request, action="pass_submitted").exists()


def test_a_pass_photo_must_be_an_image_not_a_pdf(alice, alice_policy, clinic):
    clinic_pass = make_pass(make_request(alice_policy, by=alice), clinic)

    with pytest.raises(CareError, match="не фотография") as refusal:
        pass_submit(clinic_pass=clinic_pass, user=alice, photo=SimpleUploadedFile("я.jpg", PDF), document="Паспорт")

    assert refusal.value.field == "photo"
    clinic_pass.refresh_from_db()
    assert clinic_pass.status == PassStatus.REQUESTED


def test_a_pass_is_sent_once(alice, alice_policy, clinic):
    clinic_pass = make_pass(make_request(alice_policy, by=alice), clinic)
    pass_submit(clinic_pass=clinic_pass, user=alice, photo=SimpleUploadedFile("1.png", PNG), document="Паспорт 1")

    with pytest.raises(CareError, match="уже переданы"):
        pass_submit(clinic_pass=clinic_pass, user=alice, photo=SimpleUploadedFile("2.png", PNG), document="Паспорт 2")


def test_an_outsider_cannot_send_a_pass(alice, bob, alice_policy, clinic):
    clinic_pass = make_pass(make_request(alice_policy, by=alice), clinic)

    with pytest.raises(Http404):
        pass_submit(clinic_pass=clinic_pass, user=bob, photo=SimpleUploadedFile("1.png", PNG), document="Паспорт")


# ── Visits ───────────────────────────────────────────────────────────────────────────────────


@pytest.fixture
def visit(alice, alice_policy, clinic):
    return make_visit(make_request(alice_policy, by=alice, status=RequestStatus.APPROVED), clinic)


def test_the_insured_confirms_a_visit_that_happened(alice, visit):
    visit_confirm(visit=visit, user=alice)

    visit.refresh_from_db()
    assert (visit.status, visit.confirmed_at) == (VisitStatus.HAPPENED, MSK_NOON)
    assert CareEvent.objects.filter(request=visit.request, action="visit_confirm", actor=alice).exists()
    with pytest.raises(CareError, match="уже отмечен как состоявшийся"):
        visit_confirm(visit=visit, user=alice)


def test_a_visit_in_the_future_cannot_be_confirmed_yet(alice, visit):
    visit.starts_at = MSK_NOON + dt.timedelta(days=1)
    visit.save()

    with pytest.raises(CareError, match=r"после 21\.11\.2026 12:00"):
        visit_confirm(visit=visit, user=alice)


def test_a_missed_visit_needs_a_reason_and_can_be_corrected_to_happened(alice, visit):
    with pytest.raises(CareError) as refusal:
        visit_report_missed(visit=visit, user=alice, reason=" ")
    assert refusal.value.field == "reason"

    visit_report_missed(visit=visit, user=alice, reason="Врач заболел, приём отменили на месте")
    visit.refresh_from_db()
    assert (visit.status, visit.not_happened_reason) == (
        VisitStatus.NOT_HAPPENED,
        "Врач заболел, приём отменили на месте",
    )

    visit_confirm(visit=visit, user=alice)
    visit.refresh_from_db()
    assert (visit.status, visit.not_happened_reason) == (VisitStatus.HAPPENED, "")


def test_only_a_visit_that_happened_is_rated_and_only_once(alice, visit):
    with pytest.raises(CareError, match="только состоявшийся"):
        visit_rate(visit=visit, user=alice, doctor_rating=5, desk_rating=5)
    visit_confirm(visit=visit, user=alice)

    visit_rate(visit=visit, user=alice, doctor_rating=5, desk_rating=3, comment=" Долго ждали звонка ")

    visit.refresh_from_db()
    assert (visit.doctor_rating, visit.desk_rating, visit.rating_comment) == (5, 3, "Долго ждали звонка")
    assert visit.rated_at == MSK_NOON
    with pytest.raises(CareError, match="уже оценён"):
        visit_rate(visit=visit, user=alice, doctor_rating=1, desk_rating=1)
    visit.refresh_from_db()
    assert visit.doctor_rating == 5


@pytest.mark.parametrize(
    ("doctor", "desk", "field"), [(0, 5, "doctor_rating"), (5, 6, "desk_rating"), (None, 3, "doctor_rating")]
)
def test_ratings_are_from_one_to_five(alice, visit, doctor, desk, field):
    visit_confirm(visit=visit, user=alice)

    with pytest.raises(CareError) as refusal:
        visit_rate(visit=visit, user=alice, doctor_rating=doctor, desk_rating=desk)

    assert refusal.value.field == field


def test_an_outsider_cannot_touch_a_visit(bob, visit):
    with pytest.raises(Http404):
        visit_confirm(visit=visit, user=bob)
    with pytest.raises(Http404):
        visit_report_missed(visit=visit, user=bob, reason="Нет")
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED


def test_a_double_click_on_rating_rates_once(alice, visit):
    visit_confirm(visit=visit, user=alice)
    first_tab = Visit.objects.get(pk=visit.pk)
    second_tab = Visit.objects.get(pk=visit.pk)

    visit_rate(visit=first_tab, user=alice, doctor_rating=5, desk_rating=5)
    with pytest.raises(CareError, match="уже оценён"):
        visit_rate(visit=second_tab, user=alice, doctor_rating=1, desk_rating=1)

    visit.refresh_from_db()
    assert (visit.doctor_rating, visit.desk_rating) == (5, 5)


def test_a_pass_sent_from_two_tabs_is_taken_once_and_the_second_photo_is_not_kept(alice, alice_policy, clinic):
    clinic_pass = make_pass(make_request(alice_policy, by=alice), clinic)
    second_tab = ClinicPass.objects.get(pk=clinic_pass.pk)
    pass_submit(clinic_pass=clinic_pass, user=alice, photo=SimpleUploadedFile("1.png", PNG), document="Паспорт 1")

    with pytest.raises(CareError, match="уже переданы"):
        pass_submit(clinic_pass=second_tab, user=alice, photo=SimpleUploadedFile("2.png", PNG), document="Паспорт 2")

    clinic_pass.refresh_from_db()
    assert clinic_pass.document == "Паспорт 1"
    assert clinic_pass.photo.storage.exists(clinic_pass.photo.name)
    assert not second_tab.photo  # the second photo was deleted from the storage again


def test_an_urgent_request_reminds_to_call_an_ambulance_if_worse(alice, alice_policy, clinic):
    submit(alice, alice_policy, urgency=Urgency.URGENT)

    assert "звоните 103 или 112" in Notification.objects.get(user=alice).body
