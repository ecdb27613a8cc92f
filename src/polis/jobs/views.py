"""A job's page: status and a progress bar that polls itself, the counts, the rejected rows."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from polis.accounts.permissions import viewer
from polis.jobs import exports, selectors
from polis.jobs.models import Job

PROBLEMS_PER_PAGE = 50

# Where the person came from to start a job of this kind: the page's way back.
BACK_LINKS = {"network_import": ("network_import:upload", _("Импорт сети клиник"))}


def _back(job: Job) -> tuple[str, str]:
    """(url, label) of the page this job belongs to: a registry's job goes back to its registry,
    in the console of whoever started it (a clinic clerk or the back office)."""
    if job.kind == "billing_registry":
        registry = getattr(job, "registry", None)
        if registry is not None:
            console = "clinic_registries" if job.created_by.role == "clinic" else "backoffice_registries"
            return reverse(f"{console}:detail", args=[registry.pk]), str(_("Реестр счетов"))
    back = BACK_LINKS.get(job.kind)
    return (reverse(back[0]), str(back[1])) if back else ("", "")


def _context(job: Job) -> dict[str, object]:
    result = job.result if isinstance(job.result, dict) else {}
    back_url, back_label = _back(job)
    return {"job": job, "result": result, "back_url": back_url, "back_label": back_label}


@login_required
def detail(request: HttpRequest, job_id: int) -> HttpResponse:
    me = viewer(request)
    job = selectors.job_get(viewer=me, job_id=job_id)
    problems = selectors.job_problems(viewer=me, job=job)
    page = Paginator(problems, PROBLEMS_PER_PAGE).get_page(request.GET.get("page"))
    columns = exports.problem_columns(job, problems)
    rows = [
        (problem, [(label, problem.data[name]) for name, label in columns if problem.data.get(name)])
        for problem in page.object_list
    ]
    context = _context(job) | {
        "page_obj": page,
        "rows": rows,
        "same_input_before": selectors.job_same_input_before(viewer=me, job=job),
    }
    return render(request, "jobs/detail.html", context)


@login_required
def progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """The polled part of the page. When a job being watched finishes, the whole page reloads,
    so that the rejected rows and the downloads appear."""
    job = selectors.job_get(viewer=viewer(request), job_id=job_id)
    if job.is_finished and request.headers.get("HX-Request") and request.GET.get("watching"):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "jobs/_progress.html", _context(job))


@login_required
def problems_csv(request: HttpRequest, job_id: int) -> StreamingHttpResponse:
    me = viewer(request)
    job = selectors.job_get(viewer=me, job_id=job_id)
    response = StreamingHttpResponse(
        exports.problems_csv(job, selectors.job_problems(viewer=me, job=job)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="job-{job.pk}-problems.csv"'
    return response


@login_required
def problems_xlsx(request: HttpRequest, job_id: int) -> HttpResponse:
    me = viewer(request)
    job = selectors.job_get(viewer=me, job_id=job_id)
    response = HttpResponse(
        exports.problems_xlsx(job, selectors.job_problems(viewer=me, job=job)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="job-{job.pk}-problems.xlsx"'
    return response
