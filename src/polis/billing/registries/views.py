"""Registry pages of two consoles: the clinic clerk's (the own clinic's registries) and the back
office's (every clinic's, with filters, and the signals of services reported as not provided).
The same views serve both; the console, given by the url module, says whose role is let in and
which urls the pages link to. What a viewer may see is the selectors' job."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from polis import clock
from polis.accounts.models import Role
from polis.accounts.permissions import View, role_required, viewer
from polis.billing.models import Registry, RegistryStatus, RejectReason
from polis.billing.registries import exports, selectors
from polis.billing.registries.forms import BackofficeUploadForm, RegistryFilterForm, RegistryUploadForm
from polis.billing.registries.services import RegistryError, registry_submit
from polis.network.selectors import clinic_of

REGISTRIES_PER_PAGE = 50
LINES_PER_PAGE = 50
SIGNALS_PER_PAGE = 50
# Helper C's list of disputes in the back office; filtered by ?clinic=<id>&kind=not_provided.
DISPUTES_PATH = "/backoffice/disputes/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

URL_NAMES = ("list", "upload", "detail", "progress", "rejected_csv", "rejected_xlsx")


@dataclass(frozen=True)
class Console:
    role: str
    namespace: str
    title: str | Promise

    @property
    def urls(self) -> dict[str, str]:
        """Url names for the templates: {% url urls.detail registry.pk %}."""
        return {name: f"{self.namespace}:{name}" for name in URL_NAMES}

    @property
    def is_backoffice(self) -> bool:
        return self.role == Role.BACKOFFICE


CLINIC = Console(role=Role.CLINIC, namespace="clinic_registries", title=gettext_lazy("Реестры счетов"))
BACKOFFICE = Console(
    role=Role.BACKOFFICE, namespace="backoffice_registries", title=gettext_lazy("Реестры счетов клиник")
)

ConsoleView = Callable[..., HttpResponseBase]


def console_view(view: ConsoleView) -> ConsoleView:
    """Lets in the console's role only (anonymous → login, another role → 403)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, console: Console, **kwargs: Any) -> HttpResponseBase:
        gated = role_required(console.role)(cast(View, view))
        return gated(request, *args, console=console, **kwargs)

    return wrapper


def _query_string(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _upload_form(request: HttpRequest, console: Console, *, bound: bool = False) -> RegistryUploadForm:
    data = (request.POST, request.FILES) if bound else ()
    if console.is_backoffice:
        return BackofficeUploadForm(*data, clinics=selectors.clinics_for_upload(viewer=viewer(request)))
    return RegistryUploadForm(*data)


def _list_page(request: HttpRequest, console: Console, form: RegistryUploadForm) -> HttpResponse:
    me = viewer(request)
    context: dict[str, Any] = {"console": console, "urls": console.urls, "form": form}
    filters: dict[str, Any] = {}
    if console.is_backoffice:
        filter_form = RegistryFilterForm(request.GET, auto_id="filter_%s")  # ids apart from the upload form's
        filter_form.is_valid()  # a wrong field is shown and ignored; the valid ones still filter
        cleaned = getattr(filter_form, "cleaned_data", {})
        filters = {
            "clinic_query": (cleaned.get("q") or "").strip(),
            "period": cleaned.get("period"),
            "status": cleaned.get("status") or "",
        }
        context["filter_form"] = filter_form
    else:
        context["clinic"] = clinic_of(viewer=me)  # a clerk without a clinic: 404
    registries = selectors.registries_list(viewer=me, **filters)
    context["page_obj"] = Paginator(registries, REGISTRIES_PER_PAGE).get_page(request.GET.get("page"))
    context["query_string"] = _query_string(request)
    context["running"] = selectors.RUNNING
    return render(request, "billing/registries/list.html", context)


@console_view
def registry_list(request: HttpRequest, console: Console) -> HttpResponse:
    return _list_page(request, console, _upload_form(request, console))


@console_view
def registry_upload(request: HttpRequest, console: Console) -> HttpResponse:
    if request.method != "POST":
        # The address of a page re-shown after a failed upload, reloaded: back to the list.
        return redirect(console.urls["list"])
    me = viewer(request)
    form = _upload_form(request, console, bound=True)
    if not form.is_valid():
        return _list_page(request, console, form)
    clinic = form.cleaned_data["clinic"] if console.is_backoffice else clinic_of(viewer=me)
    try:
        registry, created = registry_submit(
            clinic=clinic, period=form.cleaned_data["period"], uploaded_file=form.cleaned_data["file"], user=me
        )
    except RegistryError as error:
        form.add_error(None, error.message)
        return _list_page(request, console, form)
    if created:
        messages.success(
            request,
            _(
                "Реестр «%(file)s» принят и проверяется. Страницу можно закрыть и вернуться позже: "
                "ход проверки виден здесь."
            )
            % {"file": registry.file_name},
        )
    else:
        when = registry.uploaded_at.astimezone(clock.local_zone()).strftime("%d.%m.%Y %H:%M")
        messages.info(
            request,
            _("Этот файл уже загружен %(when)s: показан реестр из той загрузки. Повторная загрузка ничего не меняет.")
            % {"when": when},
        )
    return redirect(console.urls["detail"], registry_id=registry.pk)


def _progress_context(registry: Registry) -> dict[str, Any]:
    job = registry.job
    return {
        "registry": registry,
        "job": job,
        "running": registry.status in selectors.RUNNING,
        "percent": 100 if registry.status == RegistryStatus.DONE else (job.percent if job else 0),
        "error": registry.error
        or (job.error if job else "")
        or _("Реестр не удалось обработать. Проверьте файл и загрузите его снова."),
    }


@console_view
def registry_detail(request: HttpRequest, console: Console, registry_id: int) -> HttpResponse:
    me = viewer(request)
    registry = selectors.registry_get(viewer=me, registry_id=registry_id)
    reason = request.GET.get("reason", "")
    if reason not in RejectReason.values:
        reason = ""
    context: dict[str, Any] = {"console": console, "urls": console.urls, **_progress_context(registry)}
    if registry.status not in selectors.RUNNING:
        lines = selectors.rejected_lines(viewer=me, registry=registry, reason=reason)
        page = Paginator(lines, LINES_PER_PAGE).get_page(request.GET.get("page"))
        columns = exports.line_columns()
        reasons = selectors.reject_reason_counts(viewer=me, registry=registry)
        context |= {
            "reason": reason,
            "reason_label": selectors.reason_label(reason) if reason else "",
            "reasons": reasons,
            "rejected_total": sum(r.count for r in reasons),
            "page_obj": page,
            # Each line with the raw text of the cells that did not parse, shown in their place.
            "rows": [(line, exports.raw_cells(line, columns)) for line in page.object_list],
            "query_string": _query_string(request),
            "categories": selectors.accepted_by_category(viewer=me, registry=registry),
        }
    context["changes"] = selectors.registry_changes(registry) if registry.replaces_id else None
    context["newer"] = selectors.registries_visible(viewer=me).filter(replaces_id=registry.pk).first()
    return render(request, "billing/registries/detail.html", context)


@console_view
def registry_progress(request: HttpRequest, console: Console, registry_id: int) -> HttpResponse:
    """The polled part of the detail page. When a registry being watched is finished, the whole
    page reloads, so that the figures, the rejected lines and the downloads appear."""
    registry = selectors.registry_get(viewer=viewer(request), registry_id=registry_id)
    if registry.status not in selectors.RUNNING and request.headers.get("HX-Request") and request.GET.get("watching"):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    context = {"console": console, "urls": console.urls, **_progress_context(registry)}
    return render(request, "billing/registries/_progress.html", context)


@console_view
def rejected_csv(request: HttpRequest, console: Console, registry_id: int) -> StreamingHttpResponse:
    me = viewer(request)
    registry = selectors.registry_get(viewer=me, registry_id=registry_id)
    lines = selectors.rejected_lines(viewer=me, registry=registry)
    response = StreamingHttpResponse(exports.report_csv(lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="registry-{registry.pk}-rejected.csv"'
    return response


@console_view
def rejected_xlsx(request: HttpRequest, console: Console, registry_id: int) -> FileResponse:
    me = viewer(request)
    registry = selectors.registry_get(viewer=me, registry_id=registry_id)
    lines = selectors.rejected_lines(viewer=me, registry=registry)
    return FileResponse(
        exports.report_xlsx(lines),
        as_attachment=True,
        filename=f"registry-{registry.pk}-rejected.xlsx",
        content_type=XLSX,
    )


@role_required(Role.BACKOFFICE)
def signals(request: HttpRequest) -> HttpResponse:
    """«Сигналы о неоказанных услугах»: clinics by the number of services people say they never got."""
    page = Paginator(selectors.not_provided_counts(viewer=viewer(request)), SIGNALS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows: list[Any] = list(page.object_list)
    return render(
        request,
        "billing/registries/signals.html",
        {
            "urls": BACKOFFICE.urls,
            "page_obj": page,
            "signals": selectors.signals_for(rows),
            "disputes_path": DISPUTES_PATH,
        },
    )
