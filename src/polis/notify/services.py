"""Sending: a row in the outbox, delivered by a task after the transaction commits (a rolled
back registration sends nothing)."""

from django.db import transaction

from polis import clock
from polis.accounts.models import User
from polis.notify.models import Channel, Notification, OutboundMessage


def message_send(*, channel: str, recipient: str, body: str, subject: str = "") -> OutboundMessage:
    message = OutboundMessage.objects.create(channel=channel, recipient=recipient, subject=subject, body=body)
    from polis.notify.tasks import deliver_message

    transaction.on_commit(lambda: deliver_message.enqueue(message_id=message.pk))
    return message


def sms_send(*, phone: str, text: str) -> OutboundMessage:
    return message_send(channel=Channel.SMS, recipient=phone, body=text)


def email_send(*, to: str, subject: str, text: str) -> OutboundMessage:
    return message_send(channel=Channel.EMAIL, recipient=to, subject=subject, body=text)


def message_deliver(*, message_id: int) -> None:
    """Deliver one outbox row. Claimed with a conditional UPDATE, so two workers never send the
    same message twice; a failure is recorded on the row and raised for the task to see."""
    from polis.notify.transports import send_email, send_sms

    claimed = OutboundMessage.objects.filter(pk=message_id, status=OutboundMessage.Status.PENDING, sent_at=None)
    message = claimed.first()
    if message is None:
        return
    try:
        if message.channel == Channel.SMS:
            send_sms(phone=message.recipient, text=message.body)
        else:
            send_email(to=message.recipient, subject=message.subject, text=message.body)
    except Exception as error:
        OutboundMessage.objects.filter(pk=message_id).update(
            status=OutboundMessage.Status.FAILED, attempts=message.attempts + 1, error=str(error)[:2000]
        )
        raise
    OutboundMessage.objects.filter(pk=message_id, status=OutboundMessage.Status.PENDING).update(
        status=OutboundMessage.Status.SENT, sent_at=clock.now(), attempts=message.attempts + 1
    )


def notification_create(*, user: User, title: str, body: str = "", link: str = "") -> Notification:
    return Notification.objects.create(user=user, title=title, body=body, link=link)


def notifications_mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark the user's unread notifications read (one, or all). A conditional UPDATE: a second
    click changes nothing and keeps the first read time."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=clock.now())
