"""The insured person's online booking: choose whose visit, a specialty, a doctor and a time;
see, cancel and move one's visits and one's relatives'."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from polis.accounts.models import Role
from polis.accounts.permissions import role_required, viewer
from polis.coverage.models import Policy, PolicyStatus
from polis.coverage.selectors import policies_for_user, policy_for_user
from polis.network import booking_selectors as sel
from polis.network.booking import BookingError, booking_cancel, booking_create, booking_reschedule, local_time
from polis.network.models import Booking, Doctor, Slot

PAST_PER_PAGE = 25


class SlotChoiceForm(forms.Form):
    slot = forms.IntegerField(min_value=1, error_messages={"required": _("Выберите время приёма.")})


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _default_policy(policies: list[Policy]) -> Policy | None:
    in_force = [p for p in policies if p.status == PolicyStatus.ACTIVE]
    candidates = in_force or policies
    return candidates[0] if candidates else None


@role_required(Role.INSURED)
def new(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    policies = list(policies_for_user(user=user))
    clinic_id = _int(request.GET.get("clinic") or request.POST.get("clinic"))
    if clinic_id is None:
        return render(request, "network/booking/no_clinic.html", {"policies": policies})
    clinic = sel.clinic_for_booking(clinic_id=clinic_id)
    policy_id = _int(request.GET.get("policy") or request.POST.get("policy"))
    policy = policy_for_user(user=user, policy_id=policy_id) if policy_id else _default_policy(policies)
    if policy is None:
        return render(request, "network/booking/no_clinic.html", {"policies": policies, "clinic": clinic})
    options = sel.booking_options(policy=policy, clinic=clinic)
    doctor_id = _int(request.GET.get("doctor") or request.POST.get("doctor"))
    doctor = sel.doctor_for_booking(options=options, doctor_id=doctor_id) if doctor_id else None
    specialty_id = doctor.specialty_id if doctor else _int(request.GET.get("specialty"))
    if specialty_id is None and len(options.specialties) == 1:
        specialty_id = options.specialties[0].specialty.pk
    error = ""
    form = SlotChoiceForm(request.POST or None)
    if request.method == "POST":
        if doctor is None:
            raise Http404
        if form.is_valid():
            try:
                booking = booking_create(user=user, policy_id=policy.pk, slot_id=form.cleaned_data["slot"])
            except BookingError as refusal:
                error = refusal.message
            else:
                messages.success(request, _booked_message(booking))
                return redirect("booking:list")
        else:
            error = str(form.errors["slot"][0])
    context: dict[str, Any] = {
        "policies": policies,
        "policy": policy,
        "clinic": clinic,
        "options": options,
        "access": options.access,
        "specialty_id": specialty_id,
        "doctors": next((o.doctors for o in options.specialties if o.specialty.pk == specialty_id), []),
        "doctor": doctor,
        "error": error,
        "base_query": urlencode({"clinic": clinic.pk, "policy": policy.pk}),
    }
    context["doctor_cards"] = [sel.DoctorCard(doctor=d) for d in context["doctors"]]
    if doctor is not None:
        context["slot_query"] = f"?{context['base_query']}&doctor={doctor.pk}&slot="
        slots = list(sel.free_slots(policy=policy, doctor=doctor))
        context["days"] = sel.by_day(slots)
        chosen = _int(request.GET.get("slot") or request.POST.get("slot"))
        context["chosen"] = next((s for s in slots if s.pk == chosen), None)
    return render(request, "network/booking/new.html", context)


def _booked_message(booking: Booking) -> str:
    return _("%(name)s записан(а) на %(when)s к врачу %(doctor)s. Подтверждение отправлено по SMS и e-mail.") % {
        "name": booking.policy.insured.short_name,
        "when": local_time(booking.slot.starts_at),
        "doctor": booking.slot.doctor.full_name,
    }


@role_required(Role.INSURED)
def booking_list(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    past = Paginator(sel.past_bookings_for_user(user=user), PAST_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "network/booking/list.html",
        {"upcoming": list(sel.upcoming_bookings_for_user(user=user)), "page_obj": past},
    )


@require_POST
@role_required(Role.INSURED)
def cancel(request: HttpRequest, booking_id: int) -> HttpResponse:
    try:
        booking = booking_cancel(user=viewer(request), booking_id=booking_id)
    except BookingError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Запись на %(when)s отменена.") % {"when": _when(booking.slot)})
    return redirect("booking:list")


@role_required(Role.INSURED)
def reschedule(request: HttpRequest, booking_id: int) -> HttpResponse:
    user = viewer(request)
    booking = sel.booking_for_user(user=user, booking_id=booking_id)
    error = ""
    form = SlotChoiceForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                new_booking = booking_reschedule(
                    user=user, booking_id=booking.pk, new_slot_id=form.cleaned_data["slot"]
                )
            except BookingError as refusal:
                error = refusal.message
            else:
                messages.success(request, _booked_message(new_booking))
                return redirect("booking:list")
        else:
            error = str(form.errors["slot"][0])
        booking = sel.booking_for_user(user=user, booking_id=booking_id)
    doctor: Doctor = booking.slot.doctor
    slots = list(sel.free_slots(policy=booking.policy, doctor=doctor)) if booking.status == "active" else []
    chosen = _int(request.GET.get("slot") or request.POST.get("slot"))
    return render(
        request,
        "network/booking/reschedule.html",
        {
            "booking": booking,
            "doctor": doctor,
            "days": sel.by_day(slots),
            "chosen": next((s for s in slots if s.pk == chosen), None),
            "error": error,
            "self_url": reverse("booking:reschedule", args=[booking.pk]),
        },
    )


def _when(slot: Slot) -> str:
    return local_time(slot.starts_at)
