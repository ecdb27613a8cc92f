"""The progress bar moves while a registry's one transaction runs: the count of lines written is
published from a side connection, and a job row locked by someone else is never waited for.
Real connections are needed, so this runs on PostgreSQL only."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from polis.billing.registries.pipeline import Progress
from polis.jobs.models import Job
from polis.jobs.services import job_create
from polis.testing import factories as f

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="нужен PostgreSQL: отдельное соединение"),
]


def seen_from_elsewhere(job_id: int) -> tuple[int, int]:
    """The job's counts as another connection (the job's page) reads them."""
    result: list[tuple[int, int]] = []

    def read() -> None:
        try:
            result.append(Job.objects.filter(pk=job_id).values_list("done", "total").get())
        finally:
            connections.close_all()

    reader = threading.Thread(target=read)
    reader.start()
    reader.join()
    return result[0]


def wait_for(condition, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_lines_written_are_seen_while_the_transaction_is_still_open(monkeypatch):
    monkeypatch.setattr(Progress, "EVERY", 0.05)
    job = job_create(kind="billing_registry", title="Реестр", user=f.UserFactory(role="backoffice"))
    with transaction.atomic(), Progress(job, total=1000) as progress:
        progress.done = 250
        assert wait_for(lambda: seen_from_elsewhere(job.pk) == (250, 1000))
        progress.done = 1000
        assert wait_for(lambda: seen_from_elsewhere(job.pk) == (1000, 1000))


def test_a_job_row_locked_elsewhere_is_skipped_not_waited_for(monkeypatch):
    monkeypatch.setattr(Progress, "EVERY", 0.05)
    job = job_create(kind="billing_registry", title="Реестр", user=f.UserFactory(role="backoffice"))
    with transaction.atomic():
        Job.objects.select_for_update().get(pk=job.pk)  # this very transaction holds the row
        started = time.monotonic()
        with Progress(job, total=10) as progress:
            progress.done = 10
            time.sleep(0.3)
        assert time.monotonic() - started < 3  # the side thread ended: it did not wait on the lock
    assert seen_from_elsewhere(job.pk) == (0, 0)


def test_a_first_pass_fills_the_first_half_of_the_bar(monkeypatch):
    monkeypatch.setattr(Progress, "EVERY", 0.05)
    job = job_create(kind="billing_registry", title="Реестр", user=f.UserFactory(role="backoffice"))
    with transaction.atomic(), Progress(job, total=1000, passes=2) as progress:
        progress.read = 600  # the file read, nothing written yet
        assert wait_for(lambda: seen_from_elsewhere(job.pk) == (300, 1000))
        progress.read = 1000
        progress.done = 400
        assert wait_for(lambda: seen_from_elsewhere(job.pk) == (700, 1000))
        progress.done = 1000
        assert wait_for(lambda: seen_from_elsewhere(job.pk) == (1000, 1000))
