"""Which jobs a person may see: their own; the back office sees every job."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from polis.accounts.models import Role, User
from polis.jobs.models import Job, JobProblem


def jobs_visible(*, viewer: User) -> QuerySet[Job]:
    jobs = Job.objects.select_related("created_by")
    if viewer.role == Role.BACKOFFICE:
        return jobs
    return jobs.filter(created_by=viewer)


def job_get(*, viewer: User, job_id: int) -> Job:
    """The job, or 404 for a job that is not the viewer's (whether it exists is not told)."""
    return get_object_or_404(jobs_visible(viewer=viewer), pk=job_id)


def jobs_recent(*, viewer: User, kind: str, limit: int = 20) -> QuerySet[Job]:
    return jobs_visible(viewer=viewer).filter(kind=kind).order_by("-created_at", "-pk")[:limit]


def job_problems(*, viewer: User, job: Job) -> QuerySet[JobProblem]:
    # The job itself came through job_get for this viewer; checked again so no caller can skip it.
    job_get(viewer=viewer, job_id=job.pk)
    return JobProblem.objects.filter(job=job).order_by("row", "pk")


def job_same_input_before(*, viewer: User, job: Job) -> Job | None:
    """The latest earlier job of the same kind and parameters over the very same file, if the viewer
    may see it: "this file was already loaded" is worth saying before anyone wonders why nothing changed."""
    if not job.input_sha256:
        return None
    return (
        jobs_visible(viewer=viewer)
        .filter(kind=job.kind, params=job.params, input_sha256=job.input_sha256, created_at__lte=job.created_at)
        .exclude(pk=job.pk)
        .order_by("-created_at", "-pk")
        .first()
    )
