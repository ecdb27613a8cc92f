"""The worker really killed (SIGKILL) in the middle of a registry, then the job taken over: the
result is the undisturbed run's — every line once, every invoice once. A child process runs the
job on the test database, as a worker would; PostgreSQL only (SQLite's test database lives in
this process's memory)."""

import datetime as dt
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

import pytest
from django.db import connection

from polis.billing.models import CopayInvoice, Registry, RegistryStatus
from polis.billing.registries.services import registry_submit
from polis.billing.tests.registry_world import PERIOD, build_world, csv_file, line, twin_clinic
from polis.jobs.models import Job, JobStatus
from polis.jobs.services import LEASE, jobs_resume

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="нужен PostgreSQL: задание выполняет другой процесс"),
]

LINES = 60_000
CHILD = "import sys, django; django.setup(); from polis.jobs.services import job_run; job_run(job_id=int(sys.argv[1]))"


def big_file(world, name: str):
    people = [world.alice, world.son, world.inactive]
    rows = []
    for i in range(LINES):
        day = 1 + i % 31
        rows.append(line(people[i % 3], **{"Дата услуги": f"{day:02d}.10.2026", "Врач": f"Врач {i}"}))
    return csv_file(rows, name=name)


def outcome(registry: Registry) -> tuple:
    registry.refresh_from_db()
    lines = tuple(registry.lines.order_by("row").values_list("row", "status", "reason", "policy_id", "copay_kopecks"))
    invoices = tuple(
        CopayInvoice.objects.filter(registry=registry)
        .order_by("policy_id")
        .values_list("policy_id", "copay_kopecks", "due_kopecks", "lines_count", "status")
    )
    return registry.status, registry.lines_total, lines, invoices


@pytest.fixture
def files_on_disk(settings, tmp_path):
    # The child process reads the uploaded file: it must be on disk, not in this process's memory.
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def test_sigkilled_worker_is_taken_over_and_ends_as_an_undisturbed_run(
    alice_policy, backoffice_user, frozen_now, files_on_disk
):
    world = build_world(alice_policy)
    twin = twin_clinic(world)
    expected_registry, _ = registry_submit(
        clinic=twin, period=PERIOD, uploaded_file=big_file(world, "twin.csv"), user=backoffice_user
    )  # the immediate task backend runs it here, undisturbed
    expected = outcome(expected_registry)
    assert expected[0] == RegistryStatus.DONE and expected[1] == LINES

    with mock.patch("django.db.transaction.on_commit"):  # queued, but no worker has it yet
        registry, _ = registry_submit(
            clinic=world.clinic, period=PERIOD, uploaded_file=big_file(world, "registry.csv"), user=backoffice_user
        )
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
        "DJANGO_SETTINGS_MODULE": "polis.settings",
        "MEDIA_ROOT": str(files_on_disk),
        "TASKS_BACKEND": "database",
    }
    worker = subprocess.Popen([sys.executable, "-c", CHILD, str(registry.job_id)], env=env)
    deadline = time.monotonic() + 60
    while Job.objects.get(pk=registry.job_id).status != JobStatus.RUNNING:
        assert time.monotonic() < deadline and worker.poll() is None, "the worker never took the job"
        time.sleep(0.02)
    time.sleep(0.5)  # in the middle of checking the lines
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    registry.refresh_from_db()
    assert registry.accrued_at is None, "the worker finished before it was killed: make the file bigger"
    assert Job.objects.get(pk=registry.job_id).status == JobStatus.RUNNING  # as a dead worker leaves it
    assert registry.lines.count() in (0, LINES)  # all or nothing

    job = Job.objects.get(pk=registry.job_id)
    frozen_now.return_value = max(frozen_now.return_value, job.heartbeat_at) + LEASE + dt.timedelta(seconds=1)
    assert jobs_resume() == [job.pk]  # and the immediate backend runs it again, here
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempts == 2
    assert outcome(registry) == expected
    # What the killed worker left on disk went with the second attempt, and that one's own too.
    assert not list(Path(tempfile.gettempdir()).glob(f"polis-registry-spill-r{registry.pk}-*"))
