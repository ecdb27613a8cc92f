"""The clinic clerk's schedule: its doctors, their weeks of reception times, opening and closing
times, the day's bookings and cancelling one with a reason. Only the clerk's own clinic."""

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from polis import clock
from polis.accounts.models import Role
from polis.accounts.permissions import role_required, viewer
from polis.network import booking_selectors as sel
from polis.network.booking import BookingError, clinic_booking_cancel, local_time
from polis.network.schedule import slot_block, slot_unblock
from polis.network.schedule import slots_generate as generate
from polis.network.selectors import clinic_of

BOOKINGS_PER_PAGE = 50
WEEKDAYS = [
    (0, gettext_lazy("пн")),
    (1, gettext_lazy("вт")),
    (2, gettext_lazy("ср")),
    (3, gettext_lazy("чт")),
    (4, gettext_lazy("пт")),
    (5, gettext_lazy("сб")),
    (6, gettext_lazy("вс")),
]
DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
TIME_WIDGET = forms.TimeInput(format="%H:%M", attrs={"type": "time"})
DATE_ERRORS = {"required": gettext_lazy("Укажите дату."), "invalid": gettext_lazy("Введите дату в формате ДД.ММ.ГГГГ.")}
TIME_ERRORS = {"required": gettext_lazy("Укажите время."), "invalid": gettext_lazy("Введите время в формате ЧЧ:ММ.")}


class GenerateForm(forms.Form):
    date_from = forms.DateField(label=gettext_lazy("С даты"), widget=DATE_WIDGET, error_messages=DATE_ERRORS)
    date_to = forms.DateField(label=gettext_lazy("По дату"), widget=DATE_WIDGET, error_messages=DATE_ERRORS)
    weekdays = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Дни недели"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Выберите хотя бы один день недели.")},
    )
    time_from = forms.TimeField(label=gettext_lazy("Приём с"), widget=TIME_WIDGET, error_messages=TIME_ERRORS)
    time_to = forms.TimeField(label=gettext_lazy("до"), widget=TIME_WIDGET, error_messages=TIME_ERRORS)
    minutes = forms.IntegerField(
        label=gettext_lazy("Длительность приёма, минут"),
        min_value=5,
        max_value=240,
        error_messages={
            "required": gettext_lazy("Укажите длительность приёма."),
            "invalid": gettext_lazy("Введите целое число минут."),
            "min_value": gettext_lazy("Не меньше 5 минут."),
            "max_value": gettext_lazy("Не больше 240 минут."),
        },
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Причина отмены"),
        max_length=300,
        help_text=gettext_lazy("Её увидит пациент в SMS, письме и личном кабинете."),
        error_messages={"required": gettext_lazy("Укажите причину отмены: её увидит пациент.")},
    )


def _date(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


@role_required(Role.CLINIC)
def doctors(request: HttpRequest) -> HttpResponse:
    clerk = viewer(request)
    return render(
        request,
        "network/schedule/doctors.html",
        {"clinic": clinic_of(viewer=clerk), "doctors": list(sel.clinic_doctors(viewer=clerk))},
    )


@role_required(Role.CLINIC)
def doctor_schedule(request: HttpRequest, doctor_id: int) -> HttpResponse:
    clerk = viewer(request)
    doctor = sel.clinic_doctor(viewer=clerk, doctor_id=doctor_id)
    day = _date(request.GET.get("week"), clock.today())
    monday = day - dt.timedelta(days=day.weekday())
    return render(
        request,
        "network/schedule/doctor.html",
        {
            "doctor": doctor,
            "week": sel.doctor_week(viewer=clerk, doctor=doctor, week_start=monday),
            "monday": monday,
            "sunday": monday + dt.timedelta(days=6),
            "prev_week": monday - dt.timedelta(days=7),
            "next_week": monday + dt.timedelta(days=7),
            "today": clock.today(),
        },
    )


@role_required(Role.CLINIC)
def slots_generate(request: HttpRequest, doctor_id: int) -> HttpResponse:
    clerk = viewer(request)
    doctor = sel.clinic_doctor(viewer=clerk, doctor_id=doctor_id)
    today = clock.today()
    initial: dict[str, Any] = {
        "date_from": today + dt.timedelta(days=1),
        "date_to": today + dt.timedelta(days=14),
        "weekdays": [0, 1, 2, 3, 4],
        "time_from": dt.time(9),
        "time_to": dt.time(18),
        "minutes": 30,
    }
    form = GenerateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            added = generate(clerk=clerk, doctor_id=doctor.pk, **{**data, "weekdays": set(data["weekdays"])})
        except BookingError as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("Добавлено слотов: %(n)s.") % {"n": added})
            url = reverse("clinic:doctor_schedule", args=[doctor.pk])
            return redirect(f"{url}?week={data['date_from'].isoformat()}")
    return render(request, "network/schedule/generate.html", {"doctor": doctor, "form": form})


@require_POST
@role_required(Role.CLINIC)
def slot_block_view(request: HttpRequest, slot_id: int) -> HttpResponse:
    return _slot_action(request, slot_id, block=True)


@require_POST
@role_required(Role.CLINIC)
def slot_unblock_view(request: HttpRequest, slot_id: int) -> HttpResponse:
    return _slot_action(request, slot_id, block=False)


def _slot_action(request: HttpRequest, slot_id: int, *, block: bool) -> HttpResponse:
    clerk = viewer(request)
    slot = sel.clinic_slot(viewer=clerk, slot_id=slot_id)
    try:
        (slot_block if block else slot_unblock)(clerk=clerk, slot_id=slot.pk)
    except BookingError as refusal:
        messages.error(request, refusal.message)
    else:
        done = _("Время %(when)s закрыто для записи.") if block else _("Время %(when)s открыто для записи.")
        messages.success(request, done % {"when": local_time(slot.starts_at)})
    week = slot.starts_at.astimezone(clock.local_zone()).date().isoformat()
    return _back(request, f"{reverse('clinic:doctor_schedule', args=[slot.doctor_id])}?week={week}")


@role_required(Role.CLINIC)
def bookings(request: HttpRequest) -> HttpResponse:
    clerk = viewer(request)
    day = _date(request.GET.get("day"), clock.today())
    page = Paginator(sel.clinic_bookings_on(viewer=clerk, day=day), BOOKINGS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "network/schedule/bookings.html",
        {
            "clinic": clinic_of(viewer=clerk),
            "day": day,
            "prev_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1),
            "page_obj": page,
            "query_string": f"day={day.isoformat()}",
        },
    )


@role_required(Role.CLINIC)
def booking_cancel(request: HttpRequest, booking_id: int) -> HttpResponse:
    clerk = viewer(request)
    booking = sel.clinic_booking(viewer=clerk, booking_id=booking_id)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            clinic_booking_cancel(clerk=clerk, booking_id=booking.pk, reason=form.cleaned_data["reason"])
        except BookingError as refusal:
            form.add_error("reason", refusal.message)
        else:
            messages.success(
                request,
                _("Запись %(name)s на %(when)s отменена, пациент уведомлён.")
                % {"name": booking.policy.insured.full_name, "when": local_time(booking.slot.starts_at)},
            )
            return _back(request, reverse("clinic:bookings"))
    return render(
        request,
        "network/schedule/cancel.html",
        {"booking": booking, "form": form, "next": request.GET.get("next") or request.POST.get("next", "")},
    )
