"""The medical desk in the demo: every role finds something real to work on."""

import datetime as dt

from django.conf import settings
from django.test import Client
from django.urls import reverse

from polis import clock
from polis.accounts.models import User
from polis.care.metrics import today_bounds
from polis.care.models import (
    AttachmentLetter,
    AttachmentStatus,
    CareEvent,
    CareRequest,
    CareRequestFile,
    ClinicPass,
    Escalation,
    EscalationStatus,
    GuaranteeLetter,
    LetterStatus,
    ModeChangeStatus,
    RefusalReason,
    RequestStatus,
    ServiceModeChange,
    Urgency,
    Visit,
    VisitStatus,
)
from polis.coverage.models import ContractInstallment, Program, ServiceMode
from polis.demo.care import MARKER_COMPLAINTS, add_care_demo
from polis.demo.franchise import ANNAS_DAUGHTER
from polis.demo.insured import ANNA

OPEN = (RequestStatus.NEW, RequestStatus.IN_WORK)


def test_anna_has_an_approved_request_with_a_received_letter_and_a_visit_in_two_days(demo: str) -> None:
    request = CareRequest.objects.get(complaints=MARKER_COMPLAINTS)
    assert request.policy.number == ANNA
    assert request.status == RequestStatus.APPROVED
    letter = request.letters.get()
    assert letter.status == LetterStatus.ISSUED and letter.received_at is not None
    assert letter.valid_from == clock.today()
    visit = request.visits.get()
    assert visit.status == VisitStatus.PLANNED and visit.letter == letter
    assert visit.starts_at.astimezone(clock.local_zone()).date() == clock.today() + dt.timedelta(days=2)
    assert visit.address and visit.doctor
    start, end = today_bounds()
    assert request.answered_at is not None and start <= request.answered_at < end


def test_annas_daughter_saw_a_doctor_last_week_and_anna_has_not_rated_it_yet(demo: str) -> None:
    visit = Visit.objects.get(policy__number=ANNAS_DAUGHTER)
    assert visit.status == VisitStatus.HAPPENED and visit.rated_at is None
    assert visit.starts_at < clock.now()
    assert visit.letter is not None and visit.letter.status == LetterStatus.USED


def test_annas_refused_request_waits_for_the_curator(demo: str) -> None:
    refused = CareRequest.objects.get(policy__number=ANNA, status=RequestStatus.REFUSED)
    assert refused.refusal_reason == RefusalReason.CHRONIC and "обострения" in refused.answer
    escalation = Escalation.objects.get(request=refused)
    assert escalation.status == EscalationStatus.OPEN


def test_the_desk_queue_holds_requests_of_several_people_urgent_and_routine(demo: str) -> None:
    queue = CareRequest.objects.filter(status__in=OPEN)
    assert queue.count() >= 4
    assert queue.values("policy__insured").distinct().count() >= 4
    assert queue.filter(urgency=Urgency.URGENT).exists() and queue.filter(urgency=Urgency.ROUTINE).exists()
    assert queue.filter(status=RequestStatus.IN_WORK, dispatcher__email="desk@example.ru").exists()
    photo = CareRequestFile.objects.get(request__in=queue)
    assert photo.content_type == "image/png" and photo.file.read(8) == b"\x89PNG\r\n\x1a\n"
    asked = ClinicPass.objects.get(request__in=queue)
    assert asked.clinic.has_access_control
    assert all(r.created_at < clock.now() for r in queue)


def test_a_letter_above_the_threshold_waits_for_the_curator_who_may_approve_and_answer(demo: str) -> None:
    pending = GuaranteeLetter.objects.get(status=LetterStatus.PENDING_APPROVAL)
    assert pending.sum_limit_kopecks is not None and pending.sum_limit_kopecks > settings.DESK_LETTER_APPROVAL_KOPECKS
    curator = User.objects.get(email="curator@example.ru")
    assert curator.role == "desk"
    assert curator.has_perm("care.approve_letter") and curator.has_perm("care.handle_escalation")
    assert not User.objects.get(email="desk@example.ru").has_perm("care.approve_letter")


def test_the_clerk_sees_the_desks_letters_and_a_sent_attachment_letter(demo: str) -> None:
    clerk = User.objects.get(email="clinic@example.ru")
    assert GuaranteeLetter.objects.filter(clinic=clerk.clinic).count() >= 2
    attachment = AttachmentLetter.objects.get(clinic=clerk.clinic)
    assert attachment.status == AttachmentStatus.SENT and attachment.sent_at is not None
    assert attachment.policy.service_mode == ServiceMode.REGISTRY
    assert attachment.policy.registry_clinic == clerk.clinic
    assert attachment.change is not None and attachment.change.status == ModeChangeStatus.ATTACHED


def test_the_back_office_has_tariffs_installments_and_a_change_waiting_for_payment(demo: str) -> None:
    assert not Program.objects.filter(tariff_registry_kopecks=None).exists()
    assert not Program.objects.filter(tariff_desk_kopecks=0).exists()
    assert ContractInstallment.objects.filter(contract__number="ДМС-0148/26").count() == 4
    waiting = ServiceModeChange.objects.get(status=ModeChangeStatus.AWAITING_PAYMENT)
    assert waiting.extra_premium_kopecks > 0


def test_adding_the_desks_demo_again_changes_nothing(demo: str) -> None:
    counts = [m.objects.count() for m in (CareRequest, GuaranteeLetter, Visit, CareEvent, ServiceModeChange)]
    users = User.objects.count()
    assert add_care_demo() is False
    assert [m.objects.count() for m in (CareRequest, GuaranteeLetter, Visit, CareEvent, ServiceModeChange)] == counts
    assert User.objects.count() == users


def _page(client: Client, email: str, name: str) -> str:
    """The page as the demo login sees it."""
    client.force_login(User.objects.get(email=email))
    response = client.get(reverse(name))
    assert response.status_code == 200, (email, name)
    return response.content.decode()


def test_every_role_opens_its_desk_page_and_finds_the_demo_there(demo: str, client: Client) -> None:
    queue = CareRequest.objects.filter(status__in=OPEN).order_by("created_at")
    pending = GuaranteeLetter.objects.get(status=LetterStatus.PENDING_APPROVAL)
    escalated = Escalation.objects.get(status=EscalationStatus.OPEN).request
    annas = CareRequest.objects.get(complaints=MARKER_COMPLAINTS)
    clerk_letter = annas.letters.get()
    attachment = AttachmentLetter.objects.get()
    waiting = ServiceModeChange.objects.get(status=ModeChangeStatus.AWAITING_PAYMENT)
    expected = [
        ("desk@example.ru", "desk:queue", [r.number for r in queue[:3]]),
        ("curator@example.ru", "desk:approvals", [pending.number]),
        ("curator@example.ru", "desk:escalations", [escalated.number]),
        ("anna.sokolova@example.ru", "care_my:list", [annas.number, escalated.number]),
        ("anna.sokolova@example.ru", "care_my:visits", ["Невролог"]),
        ("clinic@example.ru", "care_clinic:letters", [clerk_letter.number]),
        ("clinic@example.ru", "care_clinic:attachments", [attachment.number]),
        ("admin@example.ru", "care_backoffice:changes", [waiting.policy.number]),
    ]
    for email, name, texts in expected:
        page = _page(client, email, name)
        for text in texts:
            assert text in page, (name, text)
