"""Online booking: every write to bookings and slots, by the insured person and by the clinic.

Races and how they are held:
- two people, one slot: the partial unique index «one active booking per slot» lets one INSERT
  through; the other's IntegrityError (inside a savepoint) becomes «Это время только что заняли».
  The slot row is also locked (select_for_update) so a clerk closing it cannot slip between the
  check and the insert.
- one person, two clicks or two tabs: the insured person's row is locked first, so the checks
  «no overlapping visit» and «one future visit per doctor» see each other's result.
- a status change (cancel, reschedule, reminder) is a conditional UPDATE or runs on a locked row:
  a second click changes nothing.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from polis import clock
from polis.accounts.models import User
from polis.coverage.models import InsuredPerson, Policy
from polis.coverage.selectors import policy_for_user
from polis.network.access import clinic_access
from polis.network.booking_selectors import booking_for_user, clinic_booking
from polis.network.models import Booking, BookingStatus, Slot
from polis.notify.services import email_send, notification_create, sms_send

REMIND_BEFORE = dt.timedelta(hours=24)
# A reminder task that fires much earlier than a day before (a backend that ignores run_after)
# sends nothing; the management command picks the booking up when it is due.
REMIND_TOO_EARLY = REMIND_BEFORE + dt.timedelta(hours=1)
TAKEN = gettext_lazy("Это время только что заняли, выберите другое.")


class BookingError(Exception):
    """A refusal a person can act on; `message` is shown as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def local_time(moment: dt.datetime) -> str:
    """«ДД.ММ.ГГГГ ЧЧ:ММ» in Moscow: how every message names a visit."""
    return moment.astimezone(clock.local_zone()).strftime("%d.%m.%Y %H:%M")


# --- the insured person ---------------------------------------------------------------------


@transaction.atomic
def booking_create(*, user: User, policy_id: int, slot_id: int) -> Booking:
    """Book a slot for the person of a policy the user may see. Pressing twice books once."""
    policy = policy_for_user(user=user, policy_id=policy_id)
    _lock_person(policy)
    slot = _locked_slot(slot_id)
    existing = Booking.objects.filter(slot=slot, status=BookingStatus.ACTIVE).first()
    if existing is not None and existing.policy_id == policy.pk:
        return existing
    _check_bookable(policy=policy, slot=slot)
    booking = _insert(policy=policy, slot=slot, user=user)
    _notify(booking, _("Вы записаны на приём"), _confirmation_text(booking))
    _schedule_reminder(booking)
    return booking


@transaction.atomic
def booking_cancel(*, user: User, booking_id: int) -> Booking:
    """Cancel an own or a relative's future visit. A second click changes nothing."""
    booking = booking_for_user(user=user, booking_id=booking_id)
    if booking.status == BookingStatus.CANCELLED:
        return booking
    if booking.status != BookingStatus.ACTIVE:
        raise BookingError(_("Эту запись уже нельзя отменить: %(status)s.") % {"status": _status(booking)})
    if booking.slot.starts_at <= clock.now():
        raise BookingError(_("Время приёма уже наступило — отменить запись нельзя."))
    now = clock.now()
    changed = Booking.objects.filter(pk=booking.pk, status=BookingStatus.ACTIVE).update(
        status=BookingStatus.CANCELLED, cancelled_at=now
    )
    booking.refresh_from_db()
    if changed:
        _notify(booking, _("Запись отменена"), _cancel_text(booking))
    return booking


@transaction.atomic
def booking_reschedule(*, user: User, booking_id: int, new_slot_id: int) -> Booking:
    """Move a future visit to another time of the same doctor. The old booking is kept as it
    was if the new time is taken or refused."""
    booking = booking_for_user(user=user, booking_id=booking_id)
    policy = policy_for_user(user=user, policy_id=booking.policy_id)
    _lock_person(policy)
    booking = Booking.objects.select_for_update().select_related("slot").get(pk=booking.pk)
    if booking.status != BookingStatus.ACTIVE:
        raise BookingError(_("Эту запись уже нельзя перенести: %(status)s.") % {"status": _status(booking)})
    if booking.slot.starts_at <= clock.now():
        raise BookingError(_("Время приёма уже наступило — перенести запись нельзя."))
    slot = _locked_slot(new_slot_id)
    if slot.doctor_id != booking.slot.doctor_id:
        raise BookingError(_("Перенести можно только на другое время того же врача; к другому врачу — новая запись."))
    if slot.pk == booking.slot_id:
        raise BookingError(_("Вы уже записаны на это время."))
    _check_bookable(policy=policy, slot=slot, instead_of=booking)
    new = _insert(policy=policy, slot=slot, user=user)
    Booking.objects.filter(pk=booking.pk, status=BookingStatus.ACTIVE).update(
        status=BookingStatus.RESCHEDULED, rescheduled_to=new
    )
    moved = _("Запись перенесена с %(old)s.") % {"old": local_time(booking.slot.starts_at)}
    _notify(new, _("Запись перенесена"), f"{moved} {_confirmation_text(new)}")
    _schedule_reminder(new)
    return new


def _lock_person(policy: Policy) -> None:
    # Serialises one person's bookings, whatever policy or tab they come from.
    InsuredPerson.objects.select_for_update().filter(pk=policy.insured_id).first()


def _locked_slot(slot_id: int) -> Slot:
    slot = (
        Slot.objects.select_for_update(of=("self",))
        .select_related("doctor__specialty", "clinic")
        .filter(pk=slot_id)
        .first()
    )
    if slot is None:
        raise Http404(_("Время приёма не найдено"))
    return slot


def _check_bookable(*, policy: Policy, slot: Slot, instead_of: Booking | None = None) -> None:
    now = clock.now()
    if slot.starts_at <= now:
        raise BookingError(_("Это время уже прошло, выберите другое."))
    if slot.is_blocked or not slot.doctor.is_active:
        raise BookingError(_("Клиника закрыла запись на это время, выберите другое."))
    day = slot.starts_at.astimezone(clock.local_zone()).date()
    access = clinic_access(policy=policy, clinic=slot.clinic, on=day)
    kind = access.for_kind(slot.doctor.specialty.kind)
    if kind is None:
        raise BookingError(
            _("Программа по полису № %(number)s не покрывает в этой клинике приём у врача «%(specialty)s».")
            % {"number": policy.number, "specialty": slot.doctor.specialty.name}
        )
    if not kind.online_allowed:
        raise BookingError(f"{kind.reason} {_phone_hint(kind.mode, kind.phone)}".strip())
    if Booking.objects.filter(slot=slot, status=BookingStatus.ACTIVE).exists():
        raise BookingError(str(TAKEN))
    mine = Booking.objects.filter(policy__insured_id=policy.insured_id, status=BookingStatus.ACTIVE)
    if instead_of is not None:
        mine = mine.exclude(pk=instead_of.pk)
    overlapping = (
        mine.filter(slot__starts_at__lt=slot.ends_at, slot__ends_at__gt=slot.starts_at).select_related("slot").first()
    )
    if overlapping is not None:
        raise BookingError(
            _("На это время у %(name)s уже есть запись (%(when)s). Выберите другое время.")
            % {"name": policy.insured.short_name, "when": local_time(overlapping.slot.starts_at)}
        )
    same_doctor = mine.filter(slot__doctor_id=slot.doctor_id, slot__starts_at__gt=now).select_related("slot").first()
    if same_doctor is not None:
        raise BookingError(
            _(
                "У %(name)s уже есть запись к этому врачу на %(when)s. Чтобы выбрать другое время, "
                "перенесите её в разделе «Мои записи»."
            )
            % {"name": policy.insured.short_name, "when": local_time(same_doctor.slot.starts_at)}
        )


def _phone_hint(mode: str, phone: str) -> str:
    if not phone:
        return ""
    if mode == "registry":
        return _("Телефон регистратуры: %(phone)s.") % {"phone": phone}
    return _("Телефон медицинского пульта: %(phone)s.") % {"phone": phone}


def _insert(*, policy: Policy, slot: Slot, user: User) -> Booking:
    try:
        with transaction.atomic():
            booking = Booking.objects.create(slot=slot, policy=policy, booked_by=user)
    except IntegrityError:
        # Someone else's booking of this slot committed between our check and our insert.
        raise BookingError(str(TAKEN)) from None
    booking.slot = slot
    booking.policy = policy
    return booking


def _status(booking: Booking) -> str:
    return str(BookingStatus(booking.status).label).lower()


# --- reminders --------------------------------------------------------------------------------


def _schedule_reminder(booking: Booking) -> None:
    """A reminder the day before, as a task due 24 h before the visit (now if that is sooner).
    A backend that cannot defer (the immediate one of tests and dev) gets no task: sending at once
    would remind at the moment of booking; `send_booking_reminders` covers it."""
    from polis.network.tasks import send_booking_reminder

    run_after = max(booking.slot.starts_at - REMIND_BEFORE, clock.now())
    if not send_booking_reminder.get_backend().supports_defer:
        return
    task = send_booking_reminder.using(run_after=run_after)
    booking_id = booking.pk
    transaction.on_commit(lambda: task.enqueue(booking_id=booking_id))


@transaction.atomic
def booking_remind(*, booking_id: int) -> bool:
    """Send the day-before reminder once: only for a booking still active, still ahead and not
    reminded yet. Claimed by a conditional UPDATE, so two workers or a repeat send one SMS."""
    now = clock.now()
    claimed = Booking.objects.filter(
        pk=booking_id,
        status=BookingStatus.ACTIVE,
        reminder_sent_at__isnull=True,
        slot__starts_at__gt=now,
        slot__starts_at__lte=now + REMIND_TOO_EARLY,
    ).update(reminder_sent_at=now)
    if not claimed:
        return False
    booking = _loaded(booking_id)
    when = local_time(booking.slot.starts_at)
    text = _("Напоминаем: %(when)s приём у врача %(doctor)s, %(clinic)s, %(address)s. Полис № %(number)s.") % {
        "when": when,
        "doctor": f"{booking.slot.doctor.full_name} ({booking.slot.doctor.specialty.name.lower()})",
        "clinic": booking.slot.clinic.name,
        "address": booking.slot.clinic.address,
        "number": booking.policy.number,
    }
    _send(booking, _("Напоминание о приёме %(when)s") % {"when": when}, text, in_app=False)
    return True


def due_reminder_ids() -> list[int]:
    """Bookings whose visit starts within a day and were not reminded (the command's list)."""
    now = clock.now()
    return list(
        Booking.objects.filter(
            status=BookingStatus.ACTIVE,
            reminder_sent_at__isnull=True,
            slot__starts_at__gt=now,
            slot__starts_at__lte=now + REMIND_BEFORE,
        )
        .order_by("slot__starts_at")
        .values_list("pk", flat=True)
    )


# --- the clinic -------------------------------------------------------------------------------


@transaction.atomic
def clinic_booking_cancel(*, clerk: User, booking_id: int, reason: str) -> Booking:
    """The clinic cancels a visit (the doctor is ill…): the person learns by SMS, e-mail and in
    the account, with the reason."""
    reason = " ".join(reason.split())[:300]
    if not reason:
        raise BookingError(_("Укажите причину отмены: её увидит пациент."))
    booking = clinic_booking(viewer=clerk, booking_id=booking_id)
    if booking.status == BookingStatus.CANCELLED:
        return booking
    if booking.status != BookingStatus.ACTIVE:
        raise BookingError(_("Эту запись уже нельзя отменить: %(status)s.") % {"status": _status(booking)})
    if booking.slot.starts_at <= clock.now():
        raise BookingError(_("Время приёма уже наступило — отменить запись нельзя."))
    changed = Booking.objects.filter(pk=booking.pk, status=BookingStatus.ACTIVE).update(
        status=BookingStatus.CANCELLED, cancelled_at=clock.now(), cancelled_by_clinic=True, cancel_reason=reason
    )
    booking.refresh_from_db()
    if changed:
        booking = _loaded(booking.pk)
        text = _cancel_text(booking) + " " + _("Причина: %(reason)s. Запишитесь на другое время.") % {"reason": reason}
        _notify(booking, _("Клиника отменила запись"), text)
    return booking


# --- messages ---------------------------------------------------------------------------------


def _loaded(booking_id: int) -> Booking:
    return Booking.objects.select_related(
        "slot__doctor__specialty", "slot__clinic", "policy__insured", "booked_by"
    ).get(pk=booking_id)


def _confirmation_text(booking: Booking) -> str:
    slot = booking.slot
    return _(
        "%(name)s записан(а) на %(when)s: %(doctor)s, %(specialty)s. %(clinic)s, %(address)s. "
        "Возьмите паспорт и полис № %(number)s."
    ) % {
        "name": booking.policy.insured.short_name,
        "when": local_time(slot.starts_at),
        "doctor": slot.doctor.full_name,
        "specialty": slot.doctor.specialty.name.lower(),
        "clinic": slot.clinic.name,
        "address": slot.clinic.address,
        "number": booking.policy.number,
    }


def _cancel_text(booking: Booking) -> str:
    slot = booking.slot
    return _("Запись %(name)s на %(when)s к врачу %(doctor)s (%(clinic)s) отменена.") % {
        "name": booking.policy.insured.short_name,
        "when": local_time(slot.starts_at),
        "doctor": slot.doctor.full_name,
        "clinic": slot.clinic.name,
    }


def _notify(booking: Booking, title: str, text: str) -> None:
    _send(booking, title, text, in_app=True)


def _send(booking: Booking, title: str, text: str, *, in_app: bool) -> None:
    """SMS and e-mail to the account that booked (a parent for a child), falling back to the
    insured person's own contacts; and a notification in the account."""
    user = booking.booked_by
    person = booking.policy.insured
    phone = user.phone or person.phone
    email = user.email or person.email
    if phone:
        sms_send(phone=phone, text=text)
    if email:
        email_send(to=email, subject=title, text=text)
    if in_app:
        notification_create(user=user, title=title, body=text, link=reverse("booking:list"))
