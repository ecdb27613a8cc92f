"""Taking a registry file and running it: submit (the clerk's click), then the background job
that checks, writes and accrues. Every stage is restartable: a rerun after a crash continues from
what committed (jobs.services resumes a job whose worker died)."""

import datetime as dt
import logging
import time
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from polis import clock, tabular
from polis.accounts.models import User
from polis.billing.models import Registry, RegistryStatus
from polis.billing.registries import accrual, pipeline
from polis.jobs.models import Job
from polis.jobs.services import JobContext, JobInputError, file_sha256, job_create
from polis.network.models import Clinic

logger = logging.getLogger(__name__)

JOB_KIND = "billing_registry"
# Seconds per phase of the last run in this process (the benchmark prints them).
TIMINGS: dict[str, float] = {}
MAX_BYTES = 200 * 1024 * 1024


class RegistryError(Exception):
    """A refusal the clerk can act on (Russian message)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def registry_submit(
    *, clinic: Clinic, period: dt.date, uploaded_file: UploadedFile, user: User
) -> tuple[Registry, bool]:
    """Take a registry file for `clinic` and the month of `period`; (registry, created).

    The same file again (by its SHA-256) for this clinic → the registry it already made, created
    False. Another file for a month that already has a registry → a corrected version that
    replaces it once checked."""
    period = period.replace(day=1)
    if period > clock.today().replace(day=1):
        raise RegistryError(_("Реестр за будущий месяц принять нельзя."))
    if not uploaded_file.size:
        raise RegistryError(_("Файл пустой."))
    if uploaded_file.size > MAX_BYTES:
        raise RegistryError(_("Файл больше 200 МБ: разделите реестр на части."))
    try:
        tabular.file_format(uploaded_file.name or "")
    except tabular.TabularError as error:
        raise RegistryError(str(error)) from error
    digest = file_sha256(uploaded_file)
    existing = Registry.objects.filter(clinic=clinic, file_sha256=digest).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            latest = (
                Registry.objects.select_for_update().filter(clinic=clinic, period=period).order_by("-version").first()
            )
            replaces = None
            if latest is not None and latest.status in (RegistryStatus.QUEUED, RegistryStatus.PROCESSING):
                raise RegistryError(
                    _("Предыдущая версия реестра за этот месяц ещё обрабатывается: дождитесь её и загрузите снова.")
                )
            if latest is not None and latest.status == RegistryStatus.DONE:
                replaces = latest
            registry = Registry.objects.create(
                clinic=clinic,
                period=period,
                version=(latest.version + 1) if latest else 1,
                replaces=replaces,
                file_name=(uploaded_file.name or "registry")[:255],
                file_sha256=digest,
                uploaded_by=user,
            )
            title = _("Реестр %(clinic)s за %(period)s") % {"clinic": clinic.name, "period": f"{period:%m.%Y}"}
            job = job_create(
                kind=JOB_KIND, title=title, user=user, uploaded_file=uploaded_file, params={"registry": registry.pk}
            )
            registry.job = job
            registry.save(update_fields=["job"])
    except IntegrityError:
        # A double click with the same file, or two files for one month at once.
        existing = Registry.objects.filter(clinic=clinic, file_sha256=digest).first()
        if existing is not None:
            return existing, False
        raise RegistryError(_("Реестр за этот месяц загружается одновременно с другим: попробуйте ещё раз.")) from None
    return registry, True


def run_job(*, job: Job, ctx: JobContext) -> dict[str, Any]:
    """The job's runner: check (read, decide, write lines) and accrue, committed whole together
    and skipped when already done, so a rerun after a kill ends as an undisturbed run."""
    registry = Registry.objects.select_related("clinic").get(job=job)
    if registry.status == RegistryStatus.QUEUED:
        Registry.objects.filter(pk=registry.pk).update(status=RegistryStatus.PROCESSING)
    try:
        if registry.checked_at is None:
            _check(registry, job, ctx)
            registry.refresh_from_db()
        accrual.accrue(registry)  # a registry checked, not accrued, by an earlier version of this job
    except JobInputError:
        raise
    except Exception as error:
        Registry.objects.filter(pk=registry.pk).update(
            status=RegistryStatus.FAILED, error=_("Внутренняя ошибка: %(e)s. Сообщите администратору.") % {"e": error}
        )
        raise
    registry.refresh_from_db()
    return {
        "registry": registry.pk,
        "lines": registry.lines_total,
        "accepted": registry.lines_accepted,
        "rejected": registry.lines_rejected,
        "invoices": registry.invoices_count,
    }


def _check(registry: Registry, job: Job, ctx: JobContext) -> None:
    """Read, check and write every line, mark the registry checked and issue its invoices, in
    one transaction."""
    started = time.perf_counter()
    try:
        with transaction.atomic():
            locked = Registry.objects.select_for_update().select_related("clinic").get(pk=registry.pk)
            if locked.checked_at is not None:
                return
            with job.input_file.open("rb") as file:
                figures = pipeline.check(locked, file, filename=job.input_name or registry.file_name, ctx=ctx)
            TIMINGS["checks + writing lines"] = time.perf_counter() - started
            TIMINGS.update(pipeline.TIMINGS)
            pipeline.summarize(locked, figures)
            locked.checked_at = clock.now()
            locked.save(
                update_fields=[
                    "lines_total",
                    "lines_accepted",
                    "lines_rejected",
                    "accepted_kopecks",
                    "rejected_kopecks",
                    "copay_kopecks",
                    "changes",
                    "checked_at",
                ]
            )
            # The invoices in the same transaction, from the sums the check counted: the lines
            # and their invoices appear together or not at all.
            started = time.perf_counter()
            accrual.accrue(locked, figures.sums)
            TIMINGS["accrual (invoices)"] = time.perf_counter() - started
    except JobInputError as error:
        Registry.objects.filter(pk=registry.pk).update(status=RegistryStatus.FAILED, error=str(error))
        raise
    ctx.flush()
