"""The desk's daily round: expiry, warnings before the end, attachment letters sent on their day
— and a second run the same day that changes nothing."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from polis.accounts.models import Role
from polis.care import daily
from polis.care.models import AttachmentStatus, CareEvent, LetterStatus
from polis.care.tasks import care_daily_round
from polis.care.tests import made_letters as make
from polis.notify.models import Notification, OutboundMessage
from polis.testing import factories as f

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def clinic(clinic_user):
    clinic = clinic_user.clinic
    clinic.email = "reg@semeynaya.ru"
    clinic.save()
    return clinic


def test_letters_past_their_end_expire_once_by_the_system(alice_policy, clinic):
    past = make.letter(alice_policy, clinic, valid_from=dt.date(2026, 10, 20), valid_to=dt.date(2026, 11, 19))
    pending = make.letter(
        alice_policy,
        clinic,
        status=LetterStatus.PENDING_APPROVAL,
        valid_from=dt.date(2026, 10, 20),
        valid_to=dt.date(2026, 11, 19),
    )
    used = make.letter(
        alice_policy, clinic, status=LetterStatus.USED, valid_from=dt.date(2026, 10, 20), valid_to=dt.date(2026, 11, 19)
    )
    today = make.letter(alice_policy, clinic, valid_to=TODAY)

    assert daily.letters_expire(today=TODAY) == 2
    assert daily.letters_expire(today=TODAY) == 0

    for letter, status in ((past, LetterStatus.EXPIRED), (pending, LetterStatus.EXPIRED), (used, LetterStatus.USED)):
        letter.refresh_from_db()
        assert letter.status == status
    today.refresh_from_db()
    assert today.status == LetterStatus.ISSUED  # its last day is today
    event = CareEvent.objects.get(letter=past, action="expire")
    assert (event.actor, event.from_status, event.to_status) == (None, LetterStatus.ISSUED, LetterStatus.EXPIRED)


def test_the_clinic_and_the_desk_are_warned_once_before_a_letter_ends(alice_policy, clinic, clinic_user, desk_user):
    ending = make.letter(alice_policy, clinic, valid_to=dt.date(2026, 11, 23))
    make.letter(alice_policy, clinic, valid_to=dt.date(2026, 11, 24))  # 4 days away: not yet
    make.letter(alice_policy, clinic, status=LetterStatus.REVOKED, valid_to=dt.date(2026, 11, 22))
    f.UserFactory(phone=None, role=Role.CLINIC, clinic=f.ClinicFactory())  # another clinic's clerk
    f.UserFactory(phone=None, role=Role.DESK, is_active=False)

    assert daily.letters_warn_expiring(today=TODAY) == 1
    assert daily.letters_warn_expiring(today=dt.date(2026, 11, 21)) == 1  # the 24th's letter, the next day
    assert daily.letters_warn_expiring(today=dt.date(2026, 11, 21)) == 0

    ending.refresh_from_db()
    assert ending.expiry_warned_at == dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
    mail = OutboundMessage.objects.filter(recipient="reg@semeynaya.ru").order_by("pk").first()
    assert mail.subject == f"Гарантийное письмо № {ending.number} заканчивается 23.11.2026"
    assert "Смирнова Ирина Петровна, 12.04.1988 г. р., полис № 001-0000001" in mail.body
    assert Notification.objects.filter(user=clinic_user).count() == 2
    assert Notification.objects.filter(user=desk_user).count() == 2
    assert Notification.objects.count() == 4
    desk_note = Notification.objects.filter(user=desk_user).order_by("pk").first()
    assert desk_note.link == f"/desk/letters/{ending.pk}/" and clinic.name in desk_note.body


def test_attachment_letters_go_out_on_their_day_and_the_insured_is_told(alice_policy, clinic, clinic_user):
    due = make.attachment(alice_policy, clinic, status=AttachmentStatus.GENERATED, send_on=TODAY)
    later = make.attachment(alice_policy, clinic, status=AttachmentStatus.GENERATED, send_on=dt.date(2026, 11, 23))

    assert daily.attachments_send_due(today=TODAY) == 1
    assert daily.attachments_send_due(today=TODAY) == 0

    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, due.sent_at) == (AttachmentStatus.SENT, dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC))
    assert later.status == AttachmentStatus.GENERATED
    to_clinic = OutboundMessage.objects.get(recipient="reg@semeynaya.ru")
    assert to_clinic.subject == f"Письмо на прикрепление № {due.number}"
    assert "Смирнова Ирина Петровна, 12.04.1988 г. р., полис № 001-0000001" in to_clinic.body
    assert "с 18.11.2026 по 31.12.2026" in to_clinic.body
    sms = OutboundMessage.objects.get(recipient="+79161234567")
    assert sms.body.startswith(f"Polis: Смирнова И.П. прикреплена к клинике «{clinic.name}» по полису 001-0000001")
    assert OutboundMessage.objects.filter(recipient="alice@example.ru").exists()
    assert Notification.objects.filter(user=clinic_user, title="Новое прикрепление: Смирнова Ирина Петровна").exists()
    assert Notification.objects.filter(user__email="alice@example.ru").count() == 1


def test_attachment_letters_past_their_end_expire_and_are_never_sent(alice_policy, clinic):
    stale = make.attachment(
        alice_policy,
        clinic,
        status=AttachmentStatus.GENERATED,
        generated_on=dt.date(2026, 10, 1),
        send_on=dt.date(2026, 10, 2),
        valid_to=dt.date(2026, 11, 19),
    )
    sent = make.attachment(alice_policy, clinic, generated_on=dt.date(2026, 10, 1), valid_to=dt.date(2026, 11, 19))

    result = daily.care_daily(today=TODAY)

    assert (result.attachments_expired, result.attachments_sent) == (2, 0)
    for letter in (stale, sent):
        letter.refresh_from_db()
        assert letter.status == AttachmentStatus.EXPIRED
    assert not OutboundMessage.objects.exists()


def test_running_the_round_twice_a_day_changes_nothing_the_second_time(alice_policy, clinic, frozen_now):
    make.letter(alice_policy, clinic, valid_from=dt.date(2026, 10, 20), valid_to=dt.date(2026, 11, 19))
    make.letter(alice_policy, clinic, valid_to=dt.date(2026, 11, 22))
    make.attachment(alice_policy, clinic, status=AttachmentStatus.GENERATED, send_on=TODAY)

    first = daily.care_daily()
    events, messages = CareEvent.objects.count(), OutboundMessage.objects.count()
    frozen_now.return_value += dt.timedelta(hours=6)
    second = daily.care_daily()

    assert (first.letters_expired, first.letters_warned, first.attachments_sent) == (1, 1, 1)
    assert (second.letters_expired, second.letters_warned, second.attachments_sent, second.attachments_expired) == (
        0,
        0,
        0,
        0,
    )
    assert (CareEvent.objects.count(), OutboundMessage.objects.count()) == (events, messages)


def test_the_command_and_the_task_run_the_round(alice_policy, clinic):
    make.letter(alice_policy, clinic, valid_from=dt.date(2026, 10, 20), valid_to=dt.date(2026, 11, 19))
    out = StringIO()

    call_command("care_daily", "--date", "2026-11-20", stdout=out)

    assert "Гарантийных писем истекло: 1" in out.getvalue()
    result = care_daily_round.enqueue()
    assert "Гарантийных писем истекло: 0" in result.return_value
