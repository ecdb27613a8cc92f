"""The back office's service-mode pages under /backoffice/care/: the list of moves to registry
mode, a new move (policy → clinic, with the extra premium), the payment match that attaches the
policy and generates the attachment letter, and the cancellation of an unpaid move."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from polis import clock
from polis.accounts.models import Role
from polis.accounts.permissions import role_required, viewer
from polis.care import modes, states
from polis.care.backoffice_forms import (
    CancelForm,
    ChangeFilterForm,
    InstallmentForm,
    MatchPaymentForm,
    ModeChangeForm,
    PolicyLookupForm,
)
from polis.care.form_steps import form_step
from polis.care.history import event_lines
from polis.care.models import CareEvent, ModeChangeStatus, ServiceModeChange
from polis.care.states import CareError
from polis.coverage.models import Policy
from polis.money import format_rub

staff_only = role_required(Role.BACKOFFICE)
PER_PAGE = 50


@staff_only
def changes(request: HttpRequest) -> HttpResponse:
    form = ChangeFilterForm(request.GET or None)
    found = modes.mode_changes_for_staff(staff=viewer(request), filters=form.to_filter())
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "care/backoffice_changes.html",
        {"form": form, "page_obj": page, "query_string": params.urlencode()},
    )


def _new_page(
    request: HttpRequest, *, lookup: PolicyLookupForm, policy: Policy | None, form: ModeChangeForm | None
) -> HttpResponse:
    context: dict[str, Any] = {"lookup": lookup, "policy": policy, "form": form}
    if policy is not None:
        context["refusal"] = modes.mode_change_refusal(policy=policy)
        extra = modes.extra_premium_kopecks(policy)
        context["extra_premium"] = format_rub(extra) if extra is not None else ""
        context["changes"] = list(policy.mode_changes.select_related("clinic").order_by("-requested_at"))
    return render(request, "care/backoffice_new.html", context)


@staff_only
def change_new(request: HttpRequest) -> HttpResponse:
    staff = viewer(request)
    data = request.POST if request.method == "POST" else request.GET
    lookup = PolicyLookupForm(data or None)
    if not lookup.is_bound or not lookup.is_valid():
        return _new_page(request, lookup=lookup, policy=None, form=None)
    policy = modes.policy_for_staff(staff=staff, number=lookup.cleaned_data["policy_number"])
    if policy is None:
        lookup.add_error("policy_number", _("Полис с таким номером не найден."))
        return _new_page(request, lookup=lookup, policy=None, form=None)
    clinics = modes.eligible_clinics(policy=policy)
    if request.method != "POST":
        form = ModeChangeForm(initial={"policy_number": policy.number}, clinics=clinics)
        return _new_page(request, lookup=lookup, policy=policy, form=form)
    form = ModeChangeForm(request.POST, clinics=clinics)
    if form.is_valid():
        try:
            change = modes.mode_change_request(policy=policy, clinic=form.cleaned_data["clinic"], staff=staff)
        except CareError as error:
            form.add_refusal(error)
        else:
            messages.success(
                request,
                _(
                    "Переход оформлен: доплата %(sum)s. Письмо на прикрепление будет сформировано "
                    "в день сопоставления оплаты."
                )
                % {"sum": format_rub(change.extra_premium_kopecks)},
            )
            return redirect("care_backoffice:change", pk=change.pk)
    return _new_page(request, lookup=lookup, policy=policy, form=form)


def _detail(
    request: HttpRequest,
    change: ServiceModeChange,
    *,
    match_form: MatchPaymentForm | None = None,
    cancel_form: CancelForm | None = None,
    installment_form: InstallmentForm | None = None,
) -> HttpResponse:
    return render(
        request,
        "care/backoffice_change.html",
        {
            "change": change,
            "policy": change.policy,
            "letters": list(change.attachment_letters.order_by("-generated_on", "-pk")),
            "events": event_lines(CareEvent.objects.filter(mode_change=change).select_related("actor")),
            "can_match": states.can(change, "match_payment"),
            "can_cancel": states.can(change, "cancel"),
            "match_form": match_form or MatchPaymentForm(prefix="match", initial={"paid_on": clock.today()}),
            "cancel_form": cancel_form or CancelForm(prefix="cancel"),
            "can_renew": change.status == ModeChangeStatus.ATTACHED
            and not modes.attachment_renewal_refusal(change=change),
            "installment_form": installment_form
            or InstallmentForm(prefix="installment", initial={"paid_on": clock.today()}),
        },
    )


@staff_only
def change(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, modes.mode_change_for_staff(staff=viewer(request), pk=pk))


def _change_step(
    request: HttpRequest, change: ServiceModeChange, form: forms.Form, act: Callable[[dict[str, Any]], str]
) -> HttpResponse:
    """A form on the mode change's page (the payment match, an installment, the cancellation)."""
    return form_step(
        request,
        form,
        act,
        done=("care_backoffice:change", change.pk),
        again=lambda **failed: _detail(
            request, modes.mode_change_for_staff(staff=viewer(request), pk=change.pk), **failed
        ),
    )


@staff_only
@require_POST
def match(request: HttpRequest, pk: int) -> HttpResponse:
    staff = viewer(request)
    found = modes.mode_change_for_staff(staff=staff, pk=pk)

    def act(data: dict[str, Any]) -> str:
        letter = modes.mode_change_match_payment(
            change=found, staff=staff, paid_on=data["paid_on"], reference=data["reference"]
        )
        if letter.sent_at is not None:
            when = _("уже отправлено в клинику")
        else:
            when = _("будет отправлено в клинику %(d)s") % {"d": letter.send_on.strftime("%d.%m.%Y")}
        return _(
            "Оплата сопоставлена, полис прикреплён к клинике. Письмо на прикрепление № %(n)s сформировано и %(when)s."
        ) % {"n": letter.number, "when": when}

    return _change_step(request, found, MatchPaymentForm(request.POST, prefix="match"), act)


@staff_only
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    staff = viewer(request)
    found = modes.mode_change_for_staff(staff=staff, pk=pk)

    def act(data: dict[str, Any]) -> str:
        modes.mode_change_cancel(change=found, staff=staff, reason=data["reason"])
        return _("Переход отменён: полис по-прежнему обслуживается через медицинский пульт.")

    return _change_step(request, found, CancelForm(request.POST, prefix="cancel"), act)


@staff_only
@require_POST
def installment(request: HttpRequest, pk: int) -> HttpResponse:
    staff = viewer(request)
    found = modes.mode_change_for_staff(staff=staff, pk=pk)

    def act(data: dict[str, Any]) -> str:
        letter = modes.attachment_renew(change=found, staff=staff, paid_on=data["paid_on"], reference=data["reference"])
        return _("Прикрепление продлено: письмо № %(n)s действует с %(a)s по %(b)s.") % {
            "n": letter.number,
            "a": letter.valid_from.strftime("%d.%m.%Y"),
            "b": letter.valid_to.strftime("%d.%m.%Y"),
        }

    return _change_step(request, found, InstallmentForm(request.POST, prefix="installment"), act)
