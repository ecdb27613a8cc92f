"""The kinds of network import, and starting one as a background job."""

from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from polis.accounts.models import User
from polis.jobs import services as jobs
from polis.jobs.models import Job
from polis.jobs.services import JobContext
from polis.jobs.tabular_import import TabularImport, run_tabular_import
from polis.network.imports.clinics import ClinicImport
from polis.network.imports.doctors import DoctorImport
from polis.network.imports.price_list import PriceListImport
from polis.network.imports.program_clinics import ProgramClinicImport
from polis.network.imports.schedules import ScheduleImport

JOB_KIND = "network_import"
SAMPLES_DIR = Path(__file__).resolve().parent / "samples"

# In the order a new network is loaded: a clinic before its doctors, a doctor before the schedule.
KINDS: dict[str, type[TabularImport[Any]]] = {
    kind.code: kind for kind in (ClinicImport, ProgramClinicImport, DoctorImport, ScheduleImport, PriceListImport)
}


def import_kind(code: str) -> type[TabularImport[Any]]:
    try:
        return KINDS[code]
    except KeyError:
        raise LookupError(f"unknown network import kind {code!r}") from None


def sample_path(code: str) -> Path:
    return SAMPLES_DIR / f"{import_kind(code).code}.csv"


def network_import_start(*, kind: str, user: User, uploaded_file: UploadedFile) -> Job:
    """A queued import job of one kind; the worker picks it up (see run_job)."""
    title = _("Импорт: %(kind)s — %(file)s") % {"kind": import_kind(kind).title, "file": uploaded_file.name}
    return jobs.job_create(kind=JOB_KIND, title=title, user=user, uploaded_file=uploaded_file, params={"kind": kind})


def run_job(*, job: Job, ctx: JobContext) -> dict[str, Any]:
    """The jobs app's runner for JOB_KIND (polis.jobs.services.RUNNERS)."""
    importer = import_kind(job.params["kind"])()
    return run_tabular_import(job=job, ctx=ctx, importer=importer)
