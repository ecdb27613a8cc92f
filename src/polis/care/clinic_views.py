"""The clinic clerk's pages under /clinic/letters/: the guarantee letters and attachment letters
addressed to the clerk's clinic, receipt, "used" when treatment ended, the pass data the insured
sent. Views parse, call a selector or a service, render; another clinic's letter is 404."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from polis import clock
from polis.accounts.models import Role
from polis.accounts.permissions import role_required, viewer
from polis.care import clinic_selectors as selectors
from polis.care import states
from polis.care.clinic import AlreadyReceived, attachment_receive, letter_receive, letter_use
from polis.care.history import event_lines
from polis.care.models import CareEvent
from polis.care.states import CareError
from polis.network.selectors import clinic_of

clerk_only = role_required(Role.CLINIC)
PER_PAGE = 50
STATE_LABELS = {
    selectors.VALID: gettext_lazy("Действующие"),
    selectors.EXPIRING: gettext_lazy("Скоро истекают"),
    selectors.ALL: gettext_lazy("Все"),
}


def _state(request: HttpRequest) -> str:
    state = request.GET.get("state", selectors.VALID)
    return state if state in selectors.STATES else selectors.VALID


def _back(request: HttpRequest, fallback: str, *args: int) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback, *args)


@clerk_only
def letters(request: HttpRequest) -> HttpResponse:
    clerk = viewer(request)
    clinic = clinic_of(viewer=clerk)  # a clerk without a clinic: 404
    state = _state(request)
    query = request.GET.get("q", "").strip()[:200]
    found = selectors.clinic_letters(viewer=clerk, state=state, query=query)
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "care/clinic_letters.html",
        {
            "clinic": clinic,
            "page_obj": page,
            "state": state,
            "states": [(key, str(label)) for key, label in STATE_LABELS.items()],
            "q": query,
            "query_string": params.urlencode(),
            "warn_until": selectors.warn_until(clock.today()),
            "expiring_count": selectors.clinic_letters(viewer=clerk, state=selectors.EXPIRING).count(),
        },
    )


@clerk_only
def letter(request: HttpRequest, pk: int) -> HttpResponse:
    clerk = viewer(request)
    found = selectors.clinic_letter(viewer=clerk, pk=pk)
    return render(
        request,
        "care/clinic_letter.html",
        {
            "letter": found,
            "person": found.policy.insured,
            "services": list(found.services.all()),
            "clinic_pass": selectors.letter_pass(letter=found),
            "can_receive": states.can(found, "receive") and found.received_at is None,
            "can_use": states.can(found, "use"),
            "events": event_lines(CareEvent.objects.filter(letter=found).select_related("actor")),
            "today": clock.today(),
        },
    )


# role_required is typed for HttpResponse; a FileResponse streams the file instead.
@clerk_only  # type: ignore[arg-type]
def pass_photo(request: HttpRequest, pk: int) -> FileResponse:
    found = selectors.letter_pass(letter=selectors.clinic_letter(viewer=viewer(request), pk=pk))
    if found is None or not found.photo:
        raise Http404
    return FileResponse(found.photo.open("rb"), content_type=found.photo_content_type or "application/octet-stream")


@clerk_only
@require_POST
def receive(request: HttpRequest, pk: int) -> HttpResponse:
    clerk = viewer(request)
    found = selectors.clinic_letter(viewer=clerk, pk=pk)
    try:
        letter_receive(letter=found, clerk=clerk)
    except AlreadyReceived as error:
        messages.info(request, error.message)
    except CareError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Получение гарантийного письма № %(n)s подтверждено.") % {"n": found.number})
    return _back(request, "care_clinic:letter", pk)


@clerk_only
@require_POST
def use(request: HttpRequest, pk: int) -> HttpResponse:
    clerk = viewer(request)
    found = selectors.clinic_letter(viewer=clerk, pk=pk)
    try:
        letter_use(letter=found, clerk=clerk)
    except CareError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Гарантийное письмо № %(n)s отмечено использованным: лечение закончено.") % {"n": found.number}
        )
    return _back(request, "care_clinic:letter", pk)


@clerk_only
def attachments(request: HttpRequest) -> HttpResponse:
    clerk = viewer(request)
    clinic = clinic_of(viewer=clerk)
    state = request.GET.get("state", selectors.VALID)
    state = state if state in (selectors.VALID, selectors.ALL) else selectors.VALID
    query = request.GET.get("q", "").strip()[:200]
    found = selectors.clinic_attachments(viewer=clerk, state=state, query=query)
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "care/clinic_attachments.html",
        {
            "clinic": clinic,
            "page_obj": page,
            "state": state,
            "states": [(selectors.VALID, _("Действующие")), (selectors.ALL, _("Все"))],
            "q": query,
            "query_string": params.urlencode(),
        },
    )


@clerk_only
@require_POST
def attachment_receive_view(request: HttpRequest, pk: int) -> HttpResponse:
    clerk = viewer(request)
    found = selectors.clinic_attachment(viewer=clerk, pk=pk)
    try:
        attachment_receive(attachment=found, clerk=clerk)
    except AlreadyReceived as error:
        messages.info(request, error.message)
    except CareError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Получение письма на прикрепление № %(n)s подтверждено: %(name)s.")
            % {"n": found.number, "name": found.policy.insured.full_name},
        )
    return _back(request, "care_clinic:attachments")
