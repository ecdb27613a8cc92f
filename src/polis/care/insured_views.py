"""The insured's desk pages under /my/care/: send a request, follow it (status, the desk's answer,
letters, the visit, a pass, an escalation, its steps), and mark and rate visits. Views parse,
call a selector or a care.requests service, and render; a refusal stays on the page with what
was typed."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from polis.accounts.models import Role
from polis.accounts.permissions import role_required, viewer
from polis.care import insured_selectors as sel
from polis.care import requests as services
from polis.care.insured_forms import EscalationForm, MissedForm, PassForm, RateForm, RequestForm
from polis.care.models import CareRequest, PassStatus, RequestStatus, TimeWindow
from polis.care.states import CareError, can

insured_only = role_required(Role.INSURED)
PER_PAGE = 25


# ── Requests ─────────────────────────────────────────────────────────────────────────────────


@insured_only
def request_list(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    page = Paginator(sel.requests_for_user(user=user), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "care/my_requests.html",
        {"page_obj": page, "requests": page.object_list, "desk_now": sel.desk_now_for_user(user=user)},
    )


@insured_only
def request_new(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    policies = sel.request_policies(user=user)
    # The kinds of care and clinics offered are the chosen policy's program's: the first policy
    # until another is chosen (the page asks again with htmx when the choice changes).
    chosen = request.POST.get("policy") or request.GET.get("policy") or ""
    policy_id = int(chosen) if chosen.isdigit() else (policies[0].pk if policies else None)
    clinics = sel.request_clinics(user=user, policy_id=policy_id)
    kinds = sel.request_kinds(user=user, policy_id=policy_id)
    files_lost = False
    if request.method == "POST":
        form = RequestForm(request.POST, request.FILES, policies=policies, clinics=clinics, kinds=kinds)
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = services.request_submit(
                    user=user,
                    policy=form.chosen_policy(),
                    complaints=data["complaints"],
                    kind=data["kind"],
                    clinic=data.get("clinic"),
                    desired_date=data["desired_date"],
                    time_windows=data.get("time_windows") or [],
                    contact_channel=data["contact_channel"],
                    contact_phone=data.get("contact_phone") or "",
                    urgency=data["urgency"],
                    files=data.get("attachments") or [],
                )
            except CareError as error:
                form.add_refusal(error)
            else:
                messages.success(
                    request,
                    _("Обращение № %(n)s отправлено. Диспетчер пульта свяжется с вами.") % {"n": created.number},
                )
                return redirect("care_my:detail", pk=created.pk)
        files_lost = bool(request.FILES)
    else:
        initial: dict[str, Any] = {}
        wanted = request.GET.get("policy", "")
        if wanted.isdigit() and int(wanted) in {p.pk for p in policies}:
            initial["policy"] = int(wanted)
        form = RequestForm(initial=initial, policies=policies, clinics=clinics, kinds=kinds)
    return render(
        request,
        "care/my_request_new.html",
        {
            "form": form,
            "files_lost": files_lost,
            "has_policies": bool(policies),
            "desk_now": sel.desk_now_for_user(user=user),
        },
    )


def _detail(
    request: HttpRequest,
    found: CareRequest,
    *,
    escalation_form: EscalationForm | None = None,
    pass_forms: dict[int, PassForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = viewer(request)
    escalations = sel.escalations_of(found)
    passes = sel.passes_of(found)
    forms_by_pass = pass_forms or {}
    context = {
        "req": found,
        "windows": [TimeWindow(w).label for w in found.time_windows if w in TimeWindow.values],
        "letters": sel.letters_of(found),
        "visits": sel.visits_of(found),
        "files": sel.files_of(found, user=user),
        "passes": [(p, forms_by_pass.get(p.pk) or PassForm(prefix=f"pass{p.pk}")) for p in passes],
        "pass_requested": PassStatus.REQUESTED.value,
        "escalations": escalations,
        "can_escalate": sel.can_escalate(found, escalations),
        "escalation_form": escalation_form or EscalationForm(),
        "can_cancel": can(found, "cancel"),
        "answered": found.status in (RequestStatus.APPROVED, RequestStatus.REFUSED),
        "history": sel.history_of(found),
        "desk_now": sel.desk_now_for_user(user=user),
    }
    return render(request, "care/my_request_detail.html", context, status=status)


@insured_only
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, sel.request_for_user(user=viewer(request), pk=pk))


@insured_only
@require_POST
def request_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = viewer(request)
    found = sel.request_for_user(user=user, pk=pk)
    try:
        services.request_cancel(request=found, user=user)
    except CareError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Обращение № %(n)s отменено.") % {"n": found.number})
    return redirect("care_my:detail", pk=found.pk)


@insured_only
@require_POST
def escalation_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = viewer(request)
    found = sel.request_for_user(user=user, pk=pk)
    form = EscalationForm(request.POST)
    if form.is_valid():
        try:
            services.escalation_raise(
                request=found, user=user, to=form.cleaned_data["to"], text=form.cleaned_data["text"]
            )
        except CareError as error:
            form.add_refusal(error)
        else:
            messages.success(request, _("Жалоба принята: ответ придёт в личный кабинет."))
            return redirect("care_my:detail", pk=found.pk)
    return _detail(request, found, escalation_form=form, status=400)


@insured_only
@require_POST
def pass_submit(request: HttpRequest, pk: int) -> HttpResponse:
    user = viewer(request)
    clinic_pass = sel.pass_for_user(user=user, pk=pk)
    found = sel.request_for_user(user=user, pk=clinic_pass.request_id)
    form = PassForm(request.POST, request.FILES, prefix=f"pass{clinic_pass.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.pass_submit(
                clinic_pass=clinic_pass,
                user=user,
                photo=data["photo"],
                document=data["document"],
                car_number=data.get("car_number") or "",
            )
        except CareError as error:
            form.add_refusal(error)
        else:
            messages.success(request, _("Данные для пропуска переданы: %(c)s.") % {"c": clinic_pass.clinic.name})
            return redirect("care_my:detail", pk=found.pk)
    return _detail(request, found, pass_forms={clinic_pass.pk: form}, status=400)


# role_required is typed for HttpResponse; a FileResponse streams the file instead.
@insured_only  # type: ignore[arg-type]
def request_file(request: HttpRequest, file_id: int) -> FileResponse:
    found = sel.request_file_for_user(user=viewer(request), file_id=file_id)
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.name, content_type=found.content_type)


# ── Visits ───────────────────────────────────────────────────────────────────────────────────


@insured_only
def visit_list(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    page = Paginator(sel.visits_for_user(user=user), PER_PAGE).get_page(request.GET.get("page"))
    rows = [(visit, sel.visit_actions(visit)) for visit in page.object_list]
    return render(
        request, "care/my_visits.html", {"page_obj": page, "rows": rows, "desk_now": sel.desk_now_for_user(user=user)}
    )


@insured_only
@require_POST
def visit_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    user = viewer(request)
    visit = sel.visit_for_user(user=user, pk=pk)
    try:
        services.visit_confirm(visit=visit, user=user)
    except CareError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Спасибо: визит отмечен как состоявшийся. Оцените врача и работу пульта."))
    return redirect("care_my:visits")


@insured_only
def visit_missed(request: HttpRequest, pk: int) -> HttpResponse:
    user = viewer(request)
    visit = sel.visit_for_user(user=user, pk=pk)
    form = MissedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_report_missed(visit=visit, user=user, reason=form.cleaned_data["reason"])
        except CareError as error:
            form.add_refusal(error)
        else:
            messages.success(request, _("Отметили, что визит не состоялся. Диспетчер пульта свяжется с вами."))
            return redirect("care_my:visits")
    status = 400 if form.errors else 200
    return render(request, "care/my_visit_form.html", {"visit": visit, "form": form, "mode": "missed"}, status=status)


@insured_only
def visit_rate(request: HttpRequest, pk: int) -> HttpResponse:
    user = viewer(request)
    visit = sel.visit_for_user(user=user, pk=pk)
    form = RateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.visit_rate(
                visit=visit,
                user=user,
                doctor_rating=data["doctor_rating"],
                desk_rating=data["desk_rating"],
                comment=data.get("comment") or "",
            )
        except CareError as error:
            form.add_refusal(error)
        else:
            messages.success(request, _("Спасибо за оценку."))
            return redirect("care_my:visits")
    status = 400 if form.errors else 200
    return render(request, "care/my_visit_form.html", {"visit": visit, "form": form, "mode": "rate"}, status=status)
