"""Jobs: created by a person, claimed once by a worker, run by their kind's runner.

Every status change goes through `_transition`, a conditional UPDATE: a job is claimed from
"queued" exactly once, so a second worker (or a task the queue delivered twice) finds nothing
to do. A runner reports progress and rejected rows through `JobContext`, which writes them in
cheap batches rather than one UPDATE per row.
"""

import datetime as dt
import hashlib
import logging
import threading
from collections.abc import Callable
from functools import partial
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from polis import clock
from polis.accounts.models import User
from polis.jobs.models import Job, JobProblem, JobStatus

logger = logging.getLogger(__name__)

# Job kind → the runner, `run(*, job, ctx) -> result dict`. Dotted paths, so this app does not
# import the apps whose work it runs; a new kind of long work adds a line here.
RUNNERS: dict[str, str] = {
    "network_import": "polis.network.imports.registry.run_job",
    "billing_registry": "polis.billing.registries.services.run_job",
}

Runner = Callable[..., dict[str, Any]]

# A running job's worker touches `heartbeat_at` every HEARTBEAT; one silent for LEASE is taken
# to be dead (killed, out of memory, machine lost) and `jobs_resume` queues the job again. Runners
# are written to be rerun: each stage commits whole and is skipped once done. After
# MAX_ATTEMPTS starts the job fails rather than loop on something that kills its worker.
HEARTBEAT = dt.timedelta(seconds=30)
LEASE = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 3


class JobInputError(Exception):
    """The input cannot be processed at all (wrong columns, unreadable file): the person fixes
    the file and starts again. Russian message; the job fails with it, nothing is logged as a bug."""


def runner_for(kind: str) -> Runner:
    try:
        return import_string(RUNNERS[kind])
    except KeyError:
        raise LookupError(f"no runner for job kind {kind!r}") from None


def file_sha256(uploaded_file: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    return digest.hexdigest()


@transaction.atomic
def job_create(
    *,
    kind: str,
    title: str,
    user: User,
    uploaded_file: UploadedFile | None = None,
    params: dict[str, Any] | None = None,
) -> Job:
    """A queued job with its input file stored; the task is sent once the row is committed."""
    runner_for(kind)  # an unknown kind fails here, in the request, not later in a worker
    job = Job(kind=kind, title=title[:300], created_by=user, params=params or {})
    if uploaded_file is not None:
        job.input_name = (uploaded_file.name or "")[:255]
        job.input_sha256 = file_sha256(uploaded_file)
        job.input_file.save(job.input_name or "input", uploaded_file, save=False)
    job.save()
    from polis.jobs.tasks import run_job

    transaction.on_commit(lambda: run_job.enqueue(job_id=job.pk))
    return job


def _transition(job_id: int, *, from_status: str, to_status: str, **fields: Any) -> bool:
    """The one place a job's status changes. True if this call made the change."""
    return Job.objects.filter(pk=job_id, status=from_status).update(status=to_status, **fields) == 1


def job_run(*, job_id: int) -> None:
    """Claim the job and run it. Already claimed (another worker, a repeated task) → no-op.

    Not atomic as a whole on purpose: runners commit in batches, so good rows are kept and the
    progress bar moves while the job runs.
    """
    now = clock.now()
    if not _transition(
        job_id,
        from_status=JobStatus.QUEUED,
        to_status=JobStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        attempts=F("attempts") + 1,
    ):
        logger.info("job %s is not queued any more; not running it again", job_id)
        return
    job = Job.objects.get(pk=job_id)
    ctx = JobContext(job)
    heartbeat = _Heartbeat(job_id)
    heartbeat.start()
    try:
        result = runner_for(job.kind)(job=job, ctx=ctx)
        ctx.flush()
    except JobInputError as error:
        logger.warning("job %s (%s) rejected its input: %s", job_id, job.kind, error)
        _fail(ctx, str(error))
        return
    except Exception as error:
        logger.exception("job %s (%s) failed", job_id, job.kind)
        _fail(ctx, _("Внутренняя ошибка: %(error)s. Сообщите администратору.") % {"error": repr(error)[:500]})
        raise
    finally:
        heartbeat.stop()
    _transition(
        job_id,
        from_status=JobStatus.RUNNING,
        to_status=JobStatus.DONE,
        finished_at=clock.now(),
        done=ctx.done,
        total=ctx.done,
        result=result,
    )


class _Heartbeat(threading.Thread):
    """Touches the job's lease from its own thread (and so its own database connection), so a
    runner deep in one long statement still shows it is alive."""

    def __init__(self, job_id: int) -> None:
        super().__init__(name=f"job-{job_id}-heartbeat", daemon=True)
        self.job_id = job_id
        self._stop_event = threading.Event()

    def run(self) -> None:
        try:
            while not self._stop_event.wait(HEARTBEAT.total_seconds()):
                try:
                    Job.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).update(heartbeat_at=clock.now())
                except Exception:  # a locked SQLite file, a blip: the next beat tries again
                    logger.warning("job %s: heartbeat not written", self.job_id, exc_info=True)
        finally:
            connection.close()

    def stop(self) -> None:
        self._stop_event.set()


def jobs_resume() -> list[int]:
    """Queue again the running jobs whose worker stopped touching them (see LEASE); fail those
    that were started MAX_ATTEMPTS times. Returns the ids queued. Run it every minute or so
    (`./polis manage resume_jobs`); a job still alive is never touched."""
    cutoff = clock.now() - LEASE
    stale = Job.objects.filter(status=JobStatus.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )
    queued: list[int] = []
    for job in stale:
        alive_at = {"heartbeat_at": job.heartbeat_at} if job.heartbeat_at else {"heartbeat_at__isnull": True}
        if job.attempts >= MAX_ATTEMPTS:
            Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, **alive_at).update(
                status=JobStatus.FAILED,
                finished_at=clock.now(),
                error=_("Задание прерывалось %(n)s раза и остановлено. Сообщите администратору.") % {"n": job.attempts},
            )
            logger.error("job %s stopped after %s interrupted attempts", job.pk, job.attempts)
            continue
        with transaction.atomic():
            if Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, **alive_at).update(status=JobStatus.QUEUED):
                from polis.jobs.tasks import run_job

                transaction.on_commit(partial(run_job.enqueue, job_id=job.pk))
                queued.append(job.pk)
                logger.warning("job %s: its worker went silent; queued again (attempt %s)", job.pk, job.attempts + 1)
    return queued


def _fail(ctx: "JobContext", message: str) -> None:
    try:
        ctx.flush()  # the rows rejected before the failure are still worth seeing
    except Exception:
        logger.exception("job %s: could not save its problems after a failure", ctx.job.pk)
    _transition(
        ctx.job.pk,
        from_status=JobStatus.RUNNING,
        to_status=JobStatus.FAILED,
        finished_at=clock.now(),
        done=ctx.done,
        error=message,
    )


class JobContext:
    """What a runner reports through: progress and rejected rows, written in batches."""

    def __init__(self, job: Job, *, progress_every: int = 200, problems_every: int = 500) -> None:
        self.job = job
        self.done = 0
        self.problem_count = 0
        self._written_done = 0
        self._progress_every = progress_every
        self._problems_every = problems_every
        self._problems: list[JobProblem] = []

    def set_total(self, total: int) -> None:
        Job.objects.filter(pk=self.job.pk).update(total=max(total, 0))

    def advance(self, rows: int = 1) -> None:
        self.done += rows
        if self.done - self._written_done >= self._progress_every:
            self.flush()

    def problem(self, *, row: int, code: str, message: str, data: dict[str, Any] | None = None) -> None:
        self.problem_count += 1
        self._problems.append(
            JobProblem(job_id=self.job.pk, row=row, code=code[:40], message=message[:500], data=data or {})
        )
        if len(self._problems) >= self._problems_every:
            self._write_problems()

    def flush(self) -> None:
        self._write_problems()
        if self.done != self._written_done:
            # total never trails done: an estimate that was short grows with the work.
            Job.objects.filter(pk=self.job.pk).update(
                done=self.done, total=Greatest("total", Value(self.done)), heartbeat_at=clock.now()
            )
            self._written_done = self.done

    def _write_problems(self) -> None:
        if self._problems:
            JobProblem.objects.bulk_create(self._problems)
            self._problems = []
