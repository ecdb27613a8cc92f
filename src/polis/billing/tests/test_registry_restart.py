"""Killing the worker in the middle of an import or an accrual, then starting it again, ends as
an undisturbed run: no line twice, no invoice twice, nobody told twice.

The kill is a BaseException raised from inside a stage (a killed process runs no `except
Exception` and commits nothing); the job is left "running" with a lease that runs out, as a dead
worker leaves it, and `jobs_resume` queues it again."""

import datetime as dt
from unittest import mock

import pytest

from polis.billing.models import CopayInvoice, Registry, RegistryStatus
from polis.billing.registries import accrual, notices, pipeline, reading
from polis.billing.registries.services import registry_submit
from polis.billing.tests.registry_world import PERIOD, build_world, csv_file, line, twin_clinic
from polis.jobs.models import Job, JobStatus
from polis.jobs.services import LEASE, jobs_resume
from polis.jobs.tasks import run_job
from polis.notify.models import OutboundMessage

pytestmark = pytest.mark.django_db


class Killed(BaseException):
    """What SIGKILL looks like from inside: nothing after it runs, nothing uncommitted stays."""


def lines_for(world) -> list[dict[str, str]]:
    a, s = world.alice, world.son
    return [
        line(a),
        line(a, **{"Код услуги": "2001", "Цена": "512,35", "Сумма": "512,35"}),
        line(s, **{"Код услуги": "3001", "Цена": "6000", "Сумма": "6000", "Зуб": "16"}),
        line(a, **{"Номер полиса": "999"}),
        line(s, **{"Дата услуги": "12.10.2026"}),
        line(world.inactive),
        line(a, **{"Дата услуги": "20/10/2026"}),  # read by Python on either database
        line(a, **{"Дата услуги": "21.10.2026", "Сумма": "2 500,00"}),
    ]


def snapshot(registry: Registry) -> tuple:
    registry.refresh_from_db()
    lines = tuple(registry.lines.order_by("row").values_list("row", "status", "reason", "policy_id", "copay_kopecks"))
    invoices = tuple(
        CopayInvoice.objects.filter(registry=registry)
        .order_by("policy_id")
        .values_list("policy_id", "copay_kopecks", "due_kopecks", "lines_count", "status", "due_on")
    )
    told = sum(
        OutboundMessage.objects.filter(body__contains=number).count()
        for number in CopayInvoice.objects.filter(registry=registry).values_list("number", flat=True)
    )
    return registry.status, registry.lines_total, lines, invoices, told


def submit_queued(clinic, upload, user, capture) -> Registry:
    """Submit; the job's task is captured, not run (the worker has not picked it up)."""
    with capture(execute=False):
        registry, _ = registry_submit(clinic=clinic, period=PERIOD, uploaded_file=upload, user=user)
    return registry


def undisturbed(world, user, capture) -> tuple:
    twin = twin_clinic(world)
    registry = submit_queued(twin, csv_file(lines_for(world)), user, capture)
    with capture(execute=True):
        run_job.call(job_id=registry.job_id)
    return snapshot(registry)


def normalized(snap: tuple, world) -> tuple:
    status, total, lines, invoices, told = snap
    return status, total, tuple(ln[1:] for ln in lines), tuple(inv[:5] for inv in invoices), told


@pytest.mark.parametrize(
    ("where", "target"),
    [
        ("reading the file", (reading, "_blocks")),
        ("reading a line", (reading, "parse_line")),
        ("writing the lines", (pipeline, "summarize")),
        ("issuing the invoices", (accrual, "_offset_deposits")),
    ],
)
def test_killed_worker_resumes_to_the_same_result(
    where, target, world_factory, backoffice_user, django_capture_on_commit_callbacks, frozen_now
):
    world = world_factory()
    expected = normalized(undisturbed(world, backoffice_user, django_capture_on_commit_callbacks), world)

    registry = submit_queued(
        world.clinic, csv_file(lines_for(world)), backoffice_user, django_capture_on_commit_callbacks
    )
    module, name = target
    real = getattr(module, name)
    calls = {"n": 0}

    def dies_midway(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2 or name in ("summarize", "_offset_deposits", "_blocks"):
            raise Killed
        return real(*args, **kwargs)

    with (
        mock.patch.object(module, name, dies_midway),
        pytest.raises(Killed),
        django_capture_on_commit_callbacks(execute=True),
    ):
        run_job.call(job_id=registry.job_id)
    job = Job.objects.get(pk=registry.job_id)
    assert job.status == JobStatus.RUNNING, where  # as a dead worker leaves it

    # Not yet: the lease has not run out, the job may still be alive.
    assert jobs_resume() == []
    frozen_now.return_value = frozen_now.return_value + LEASE + dt.timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs_resume() == [job.pk]
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempts == 2, where
    assert normalized(snapshot(registry), world) == expected, where
    assert registry.status == RegistryStatus.DONE


def test_notification_task_killed_midway_tells_nobody_twice(
    world_factory, backoffice_user, django_capture_on_commit_callbacks
):
    world = world_factory()
    registry = submit_queued(
        world.clinic, csv_file(lines_for(world)), backoffice_user, django_capture_on_commit_callbacks
    )
    with django_capture_on_commit_callbacks(execute=False):  # the job runs; its notification task waits
        run_job.call(job_id=registry.job_id)
    real = notices._tell
    calls = {"n": 0}

    def dies_on_second(invoice):
        calls["n"] += 1
        if calls["n"] == 2:
            raise Killed
        real(invoice)

    with mock.patch.object(notices, "_tell", dies_on_second), pytest.raises(Killed):
        notices.invoices_notify(registry_id=registry.pk)
    notices.invoices_notify(registry_id=registry.pk)
    notices.invoices_notify(registry_id=registry.pk)  # a repeated task
    for invoice in CopayInvoice.objects.filter(registry=registry):
        assert OutboundMessage.objects.filter(body__contains=invoice.number).count() == 2  # one SMS, one e-mail


def test_a_job_that_keeps_dying_fails_instead_of_looping(
    world_factory, backoffice_user, django_capture_on_commit_callbacks, frozen_now
):
    world = world_factory()
    registry = submit_queued(
        world.clinic, csv_file(lines_for(world)), backoffice_user, django_capture_on_commit_callbacks
    )
    for _ in range(3):
        with mock.patch.object(pipeline, "summarize", side_effect=Killed), pytest.raises(Killed):
            run_job.call(job_id=registry.job_id)
        frozen_now.return_value = frozen_now.return_value + LEASE + dt.timedelta(seconds=1)
        with django_capture_on_commit_callbacks(execute=False):
            jobs_resume()
    job = Job.objects.get(pk=registry.job_id)
    assert job.status == JobStatus.FAILED and "прерывалось 3 раза" in job.error


@pytest.fixture
def world_factory(alice_policy):
    return lambda: build_world(alice_policy)
