"""The dispatcher's console under /desk/: the queue, one request (take, refuse, issue a letter,
book the visit, ask for a pass, answer an escalation), a letter (the second doctor's approval,
extend, narrow, revoke), the approvals and escalations queues.

Views parse, call a service or a selector, and render. The request and letter pages are
boosted by htmx (hx-select of the page's main block): a success redirects back to the page, a
refusal renders it again with the failed form as typed."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from polis import clock
from polis.accounts.models import Role
from polis.accounts.permissions import role_required, viewer
from polis.care import desk, desk_letters, metrics
from polis.care import desk_selectors as sel
from polis.care.desk_forms import (
    ApproveForm,
    CallerRequestForm,
    EscalationAnswerForm,
    ExtendForm,
    LetterForm,
    NarrowForm,
    PassForm,
    ReasonForm,
    RefuseForm,
    VisitForm,
)
from polis.care.form_steps import form_step
from polis.care.history import event_lines
from polis.care.models import CareRequest, EscalationStatus, GuaranteeLetter, LetterStatus
from polis.care.selectors import desk_policy
from polis.care.states import CareError

desk_only = role_required(Role.DESK)
QUEUE_PER_PAGE = 50
APPROVALS_PER_PAGE = 50


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# ── The queue ────────────────────────────────────────────────────────────────────────────────


@desk_only
def queue(request: HttpRequest) -> HttpResponse:
    me = viewer(request)
    show = request.GET.get("show", "open")
    if show not in sel.QUEUE_VIEWS:
        show = "open"
    page = Paginator(sel.requests_queue(viewer=me, show=show), QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    now = clock.now()
    context = {
        "show": show,
        "views": sel.QUEUE_VIEWS,
        "page_obj": page,
        "rows": [(r, sel.answer_clock(r, now=now)) for r in page.object_list],
        "query_string": f"show={show}",
        "stats": metrics.answer_stats_today(viewer=me),
        "pending_approvals": sel.pending_approvals_count(viewer=me) if sel.can_approve(me) else 0,
        "open_escalations": sel.escalations_queue(viewer=me).count() if sel.can_handle_escalations(me) else 0,
    }
    return render(request, "care/desk_queue.html", context)


# ── A request by phone ───────────────────────────────────────────────────────────────────────


@desk_only
def request_new(request: HttpRequest, pk: int) -> HttpResponse:
    """The dispatcher writes down a caller's request from the policy page."""
    me = viewer(request)
    policy = desk_policy(viewer=me, pk=pk)
    clinics = sel.clinics_for_policy(viewer=me, policy=policy)
    if request.method == "POST":
        form = CallerRequestForm(request.POST, clinics=clinics)
        if form.is_valid():
            try:
                care = desk.request_create_for_caller(policy=policy, dispatcher=me, **form.cleaned_data)
            except CareError as error:
                form.add_refusal(error)
            else:
                return _done(request, care.pk, _("Обращение № %(n)s записано и в работе у вас.") % {"n": care.number})
    else:
        form = CallerRequestForm(clinics=clinics, initial={"desired_date": clock.today()})
    return render(request, "care/desk_request_new.html", {"form": form, "policy": policy})


# ── One request ──────────────────────────────────────────────────────────────────────────────


def _letter_initial(care: CareRequest, detail: sel.RequestDetail) -> dict[str, Any]:
    today = clock.today()
    clinic = care.clinic_id if any(c.pk == care.clinic_id for c in detail.clinics) else None
    return {
        "clinic": clinic,
        "kind": detail.default_kind,
        "complaints": care.complaints,
        "valid_from": care.desired_date if care.desired_date > today else today,
    }


def _request_page(request: HttpRequest, care: CareRequest, **forms: Any) -> HttpResponse:
    me = viewer(request)
    detail = sel.request_detail(viewer=me, request=care)
    open_escalations = [e for e in detail.escalations if e.status == EscalationStatus.OPEN]
    context = {
        "d": detail,
        "care": care,
        "o": detail.overview,
        "htmx": _htmx(request),
        "refuse_form": forms.get("refuse_form") or RefuseForm(prefix="refuse"),
        "letter_form": forms.get("letter_form")
        or LetterForm(prefix="letter", clinics=detail.clinics, initial=_letter_initial(care, detail)),
        "visit_form": forms.get("visit_form")
        or VisitForm(prefix="visit", clinics=detail.clinics, initial={"clinic": care.clinic_id}),
        "pass_form": forms.get("pass_form") or PassForm(prefix="pass", clinics=detail.access_clinics),
        "escalation": open_escalations[0] if open_escalations and sel.can_handle_escalations(me) else None,
        "escalation_form": forms.get("escalation_form") or EscalationAnswerForm(prefix="escalation"),
        # Said above everything: the form may not be shown any more (the request moved meanwhile).
        "refusals": [str(e) for form in forms.values() for e in form.non_field_errors()],
    }
    return render(request, "care/desk_request.html", context)


def _done(request: HttpRequest, pk: int, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("desk:request", pk=pk)


def _request_step(
    request: HttpRequest, care: CareRequest, form: forms.Form, act: Callable[[dict[str, Any]], str]
) -> HttpResponse:
    """A form on the request's page (refuse, issue a letter, book the visit, ask for a pass,
    answer an escalation)."""

    def again(**failed: forms.Form) -> HttpResponse:
        return _request_page(request, care, **failed)

    return form_step(request, form, act, done=("desk:request", care.pk), again=again)


@desk_only
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _request_page(request, sel.request_for_desk(viewer=viewer(request), pk=pk))


@desk_only
@require_POST
def request_take(request: HttpRequest, pk: int) -> HttpResponse:
    me = viewer(request)
    care = sel.request_for_desk(viewer=me, pk=pk)
    try:
        desk.request_take(request=care, dispatcher=me)
    except CareError as error:
        messages.error(request, error.message)
        return redirect("desk:request", pk=pk)
    return _done(request, pk, _("Обращение в работе у вас."))


@desk_only
@require_POST
def request_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    me = viewer(request)
    care = sel.request_for_desk(viewer=me, pk=pk)
    form = RefuseForm(request.POST, prefix="refuse")

    def act(data: dict[str, Any]) -> str:
        desk.request_refuse(request=care, dispatcher=me, **data)
        return _("Ответ отправлен: не страховой случай.")

    return _request_step(request, care, form, act)


@desk_only
@require_POST
def letter_issue(request: HttpRequest, pk: int) -> HttpResponse:
    me = viewer(request)
    care = sel.request_for_desk(viewer=me, pk=pk)
    form = LetterForm(request.POST, prefix="letter", clinics=sel.clinics_for_letter(viewer=me, request=care))

    def act(data: dict[str, Any]) -> str:
        letter = desk_letters.letter_issue(request=care, dispatcher=me, **form.service_kwargs())
        if letter.status == LetterStatus.PENDING_APPROVAL:
            text = _("Письмо № %(n)s сверх порога: ждёт согласования второго врача.")
        else:
            text = _("Письмо № %(n)s выдано, клинике и застрахованному отправлено.")
        return text % {"n": letter.number}

    return _request_step(request, care, form, act)


@desk_only
@require_POST
def visit_book(request: HttpRequest, pk: int) -> HttpResponse:
    me = viewer(request)
    care = sel.request_for_desk(viewer=me, pk=pk)
    form = VisitForm(request.POST, prefix="visit", clinics=sel.clinics_for_letter(viewer=me, request=care))

    def act(data: dict[str, Any]) -> str:
        desk.visit_book(
            request=care,
            dispatcher=me,
            clinic=data["clinic"],
            starts_at=data["starts_at"],
            specialist=data["specialist"],
            doctor=data["doctor"],
            note=data["note"],
        )
        return _("Визит записан, застрахованному отправлены адрес, врач и время.")

    return _request_step(request, care, form, act)


@desk_only
@require_POST
def pass_request(request: HttpRequest, pk: int) -> HttpResponse:
    me = viewer(request)
    care = sel.request_for_desk(viewer=me, pk=pk)
    clinics = [c for c in sel.clinics_for_letter(viewer=me, request=care) if c.has_access_control]
    form = PassForm(request.POST, prefix="pass", clinics=clinics)

    def act(data: dict[str, Any]) -> str:
        desk.pass_request(request=care, clinic=data["clinic"], dispatcher=me)
        return _("Застрахованного попросили прислать данные для пропуска.")

    return _request_step(request, care, form, act)


@desk_only
@require_POST
def escalation_answer(request: HttpRequest, pk: int, escalation_id: int) -> HttpResponse:
    me = viewer(request)
    if not sel.can_handle_escalations(me):
        raise PermissionDenied
    care = sel.request_for_desk(viewer=me, pk=pk)
    escalation = sel.escalation_for_desk(viewer=me, pk=escalation_id)
    if escalation.request_id != care.pk:
        return redirect("desk:request", pk=escalation.request_id)
    form = EscalationAnswerForm(request.POST, prefix="escalation")

    def act(data: dict[str, Any]) -> str:
        desk.escalation_answer(escalation=escalation, staff=me, **data)
        return _("Ответ на жалобу отправлен.")

    return _request_step(request, care, form, act)


# role_required is typed for HttpResponse; a FileResponse streams the file instead.
@desk_only  # type: ignore[arg-type]
def request_file(request: HttpRequest, file_id: int) -> FileResponse:
    found = sel.request_file_for_desk(viewer=viewer(request), file_id=file_id)
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.name, content_type=found.content_type)


# ── Letters ──────────────────────────────────────────────────────────────────────────────────


def _letter_page(request: HttpRequest, letter: GuaranteeLetter, **forms: Any) -> HttpResponse:
    me = viewer(request)
    valid = letter.is_valid and letter.valid_to >= clock.today()
    context = {
        "letter": letter,
        "services": list(letter.services.all()),
        "events": event_lines(letter.events.select_related("actor")),
        "visits": list(letter.visits.all()),
        "htmx": _htmx(request),
        "can_decide": letter.status == LetterStatus.PENDING_APPROVAL
        and sel.can_approve(me)
        and letter.issued_by_id != me.pk,
        "own_pending": letter.status == LetterStatus.PENDING_APPROVAL and letter.issued_by_id == me.pk,
        "can_change": valid,
        "approve_form": forms.get("approve_form") or ApproveForm(prefix="approve"),
        "refuse_form": forms.get("refuse_form") or ReasonForm(prefix="refuse"),
        "extend_form": forms.get("extend_form") or ExtendForm(prefix="extend"),
        "narrow_form": forms.get("narrow_form") or NarrowForm(prefix="narrow", initial={"scope": letter.scope}),
        "revoke_form": forms.get("revoke_form") or ReasonForm(prefix="revoke"),
        # A refusal of a form the page does not show now (the letter moved meanwhile, or it is
        # the doctor's own letter): said above everything.
        "refusals": [str(e) for form in forms.values() for e in form.non_field_errors()],
    }
    return render(request, "care/desk_letter.html", context)


def _letter_step(
    request: HttpRequest, letter: GuaranteeLetter, form: forms.Form, act: Callable[[dict[str, Any]], str]
) -> HttpResponse:
    """A form on the letter's page (the second doctor's decision, extend, narrow, revoke)."""

    def again(**failed: forms.Form) -> HttpResponse:
        return _letter_page(request, letter, **failed)

    return form_step(request, form, act, done=("desk:letter", letter.pk), again=again)


@desk_only
def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _letter_page(request, sel.letter_for_desk(viewer=viewer(request), pk=pk))


@desk_only
@require_POST
def letter_approve(request: HttpRequest, pk: int) -> HttpResponse:
    me = viewer(request)
    letter = sel.letter_for_desk(viewer=me, pk=pk)
    form = ApproveForm(request.POST, prefix="approve")

    def act(data: dict[str, Any]) -> str:
        desk_letters.letter_approve(letter=letter, doctor=me, **form.service_kwargs())
        return _("Письмо согласовано и отправлено в клинику.")

    return _letter_step(request, letter, form, act)


@desk_only
@require_POST
def letter_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    me = viewer(request)
    letter = sel.letter_for_desk(viewer=me, pk=pk)
    form = ReasonForm(request.POST, prefix="refuse")

    def act(data: dict[str, Any]) -> str:
        desk_letters.letter_refuse(letter=letter, doctor=me, reason=data["reason"])
        return _("В согласовании отказано, диспетчер получил уведомление.")

    return _letter_step(request, letter, form, act)


@desk_only
@require_POST
def letter_extend(request: HttpRequest, pk: int) -> HttpResponse:
    me = viewer(request)
    letter = sel.letter_for_desk(viewer=me, pk=pk)
    form = ExtendForm(request.POST, prefix="extend")

    def act(data: dict[str, Any]) -> str:
        desk_letters.letter_extend(letter=letter, dispatcher=me, **data)
        return _("Письмо продлено, клинике и застрахованному отправлено.")

    return _letter_step(request, letter, form, act)


@desk_only
@require_POST
def letter_narrow(request: HttpRequest, pk: int) -> HttpResponse:
    me = viewer(request)
    letter = sel.letter_for_desk(viewer=me, pk=pk)
    form = NarrowForm(request.POST, prefix="narrow")

    def act(data: dict[str, Any]) -> str:
        desk_letters.letter_narrow(
            letter=letter,
            dispatcher=me,
            scope=data["scope"],
            sum_limit_kopecks=form.sum_limit_kopecks(),
            note=data["note"],
        )
        return _("Объём письма изменён, клинике и застрахованному отправлено.")

    return _letter_step(request, letter, form, act)


@desk_only
@require_POST
def letter_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    me = viewer(request)
    letter = sel.letter_for_desk(viewer=me, pk=pk)
    form = ReasonForm(request.POST, prefix="revoke")

    def act(data: dict[str, Any]) -> str:
        desk_letters.letter_revoke(letter=letter, dispatcher=me, reason=data["reason"])
        return _("Письмо отозвано, клинике и застрахованному отправлено.")

    return _letter_step(request, letter, form, act)


# ── Approvals and escalations ────────────────────────────────────────────────────────────────


@desk_only
def approvals(request: HttpRequest) -> HttpResponse:
    me = viewer(request)
    page = Paginator(sel.approvals_queue(viewer=me), APPROVALS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page_obj": page, "letters": page.object_list, "can_approve": sel.can_approve(me), "me": me}
    return render(request, "care/desk_approvals.html", context)


@desk_only
def escalations(request: HttpRequest) -> HttpResponse:
    me = viewer(request)
    if not sel.can_handle_escalations(me):
        raise PermissionDenied
    answered = request.GET.get("show") == "answered"
    page = Paginator(sel.escalations_queue(viewer=me, answered=answered), QUEUE_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "page_obj": page,
        "escalations": page.object_list,
        "answered": answered,
        "query_string": "show=answered" if answered else "",
    }
    return render(request, "care/desk_escalations.html", context)
