"""Jobs: claimed once, failures recorded loudly, progress written in batches, pages scoped."""

import hashlib
import io
import logging
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from polis.accounts.models import Role
from polis.jobs import services
from polis.jobs.models import Job, JobProblem, JobStatus
from polis.jobs.services import JobContext, JobInputError
from polis.jobs.tests.helpers import csv_bytes, run_network_import
from polis.testing import factories as f

pytestmark = pytest.mark.django_db


def make_job(user, *, status=JobStatus.QUEUED, kind="network_import", **fields) -> Job:
    return Job.objects.create(kind=kind, title="Импорт: клиники", created_by=user, status=status, **fields)


@pytest.fixture
def runner():
    """The job kind's runner, replaced by a mock the test programs."""
    fake = mock.Mock(return_value={"created": 1})
    with mock.patch.object(services, "runner_for", return_value=fake):
        yield fake


def test_job_create_stores_the_file_and_its_hash_and_queues_the_task(
    backoffice_user, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("сеть.csv", b"a;b\n1;2\n")

    with mock.patch("polis.jobs.tasks.run_job") as task, django_capture_on_commit_callbacks(execute=True):
        job = services.job_create(kind="network_import", title="Импорт", user=backoffice_user, uploaded_file=upload)

    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    assert job.input_name == "сеть.csv"
    assert job.input_sha256 == hashlib.sha256(b"a;b\n1;2\n").hexdigest()
    with job.input_file.open("rb") as stored:
        assert stored.read() == b"a;b\n1;2\n"
    task.enqueue.assert_called_once_with(job_id=job.pk)


def test_the_same_bytes_give_the_same_hash(backoffice_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        a = services.job_create(
            kind="network_import", title="1", user=backoffice_user, uploaded_file=SimpleUploadedFile("a.csv", b"x")
        )
        b = services.job_create(
            kind="network_import", title="2", user=backoffice_user, uploaded_file=SimpleUploadedFile("b.csv", b"x")
        )
        c = services.job_create(
            kind="network_import", title="3", user=backoffice_user, uploaded_file=SimpleUploadedFile("c.csv", b"y")
        )
    assert a.input_sha256 == b.input_sha256 != c.input_sha256


def test_an_unknown_job_kind_is_refused_when_the_job_is_created(backoffice_user):
    with pytest.raises(LookupError):
        services.job_create(kind="no_such_kind", title="?", user=backoffice_user)
    assert not Job.objects.exists()


def test_a_job_runs_once_even_when_the_task_is_delivered_twice(backoffice_user, runner):
    job = make_job(backoffice_user)

    services.job_run(job_id=job.pk)
    services.job_run(job_id=job.pk)

    assert runner.call_count == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.result == {"created": 1}
    assert job.started_at is not None and job.finished_at is not None


def test_a_job_another_worker_has_claimed_is_left_alone(backoffice_user, runner):
    job = make_job(backoffice_user, status=JobStatus.RUNNING)

    services.job_run(job_id=job.pk)

    runner.assert_not_called()
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING


def test_a_crash_fails_the_job_with_its_error_logs_it_and_is_raised(backoffice_user, runner, caplog):
    job = make_job(backoffice_user)

    def crash(*, job, ctx):
        ctx.problem(row=2, code="bad_inn", message="ИНН …")
        ctx.advance(5)
        raise RuntimeError("disk full")

    runner.side_effect = crash

    with caplog.at_level(logging.ERROR, logger="polis.jobs.services"), pytest.raises(RuntimeError):
        services.job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "disk full" in job.error
    assert job.done == 5
    assert job.problems.count() == 1  # what was found before the crash is kept
    assert any(r.levelno == logging.ERROR and r.exc_info for r in caplog.records)


def test_a_bad_input_fails_the_job_with_the_clerks_message_without_raising(backoffice_user, runner):
    job = make_job(backoffice_user)
    runner.side_effect = JobInputError("В файле нет обязательных столбцов: «Адрес».")

    services.job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "В файле нет обязательных столбцов: «Адрес»."


def test_progress_is_written_every_n_rows_not_every_row(backoffice_user, django_assert_num_queries):
    job = make_job(backoffice_user, status=JobStatus.RUNNING)
    ctx = JobContext(job, progress_every=100)

    with django_assert_num_queries(0):
        ctx.advance(99)
    with django_assert_num_queries(1):
        ctx.advance(1)
    job.refresh_from_db()
    assert job.done == 100
    assert job.total == 100  # an estimate that fell short grows with the work


def test_problems_are_saved_in_bulk(backoffice_user, django_assert_num_queries):
    job = make_job(backoffice_user, status=JobStatus.RUNNING)
    ctx = JobContext(job, problems_every=1000)
    for row in range(2, 152):
        ctx.problem(row=row, code="bad_price", message="Цена: «x» — не число", data={"price": "x"})

    with django_assert_num_queries(1):
        ctx.flush()
    assert JobProblem.objects.filter(job=job).count() == 150
    assert ctx.problem_count == 150


def test_a_real_import_job_reports_progress_and_counts(backoffice_user, django_capture_on_commit_callbacks):
    rows = [["Код клиники", "Название", "Город", "Адрес"]] + [
        [f"K-{i}", f"Клиника {i}", "Москва", f"ул. Тверская, {i}"] for i in range(450)
    ]

    job = run_network_import(
        django_capture_on_commit_callbacks, kind="clinics", content=csv_bytes(rows), user=backoffice_user
    )

    assert job.status == JobStatus.DONE, job.error
    assert (job.done, job.total, job.percent) == (450, 450, 100)
    assert job.result["created"] == 450


# --- pages -----------------------------------------------------------------------------------


@pytest.fixture
def finished_job(backoffice_user):
    job = make_job(
        backoffice_user,
        status=JobStatus.DONE,
        total=3,
        done=3,
        input_name="clinics.csv",
        result={
            "rows": 3, "created": 1, "updated": 0, "unchanged": 0, "rejected": 2,
            "columns": [["code", "Код клиники"], ["phones", "Телефоны"]],
        },
    )  # fmt: skip
    JobProblem.objects.create(
        job=job, row=3, code="unknown_kind", message="Неизвестный вид помощи «зубы»", data={"code": "K-2"}
    )
    JobProblem.objects.create(
        job=job, row=2, code="bad_inn", message="ИНН должен содержать 10 или 12 цифр",
        data={"code": "=HYPERLINK(\"http://evil\")", "phones": "+7 495 111-22-33"},
    )  # fmt: skip
    return job


def test_the_creator_sees_the_job_page_with_counts_and_problems(client, backoffice_user, finished_job):
    client.force_login(backoffice_user)

    response = client.get(reverse("jobs:detail", args=[finished_job.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-count="created">1<' in html
    assert 'data-count="rejected">2<' in html
    assert html.index("ИНН должен содержать") < html.index("Неизвестный вид помощи")  # by row
    assert "hx-trigger" not in html  # finished: nothing to poll
    assert reverse("jobs:problems_xlsx", args=[finished_job.pk]) in html


def test_problems_are_paged_fifty_to_a_page(client, backoffice_user):
    job = make_job(backoffice_user, status=JobStatus.DONE, result={"rejected": 120})
    JobProblem.objects.bulk_create(JobProblem(job=job, row=r, code="c", message=f"строка-{r}-") for r in range(2, 122))
    client.force_login(backoffice_user)

    first = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    third = client.get(reverse("jobs:detail", args=[job.pk]), {"page": 3}).content.decode()

    assert "строка-51-" in first and "строка-52-" not in first
    assert "строка-102-" in third and "строка-101-" not in third


def test_a_running_job_page_polls_its_progress_every_second(client, backoffice_user):
    job = make_job(backoffice_user, status=JobStatus.RUNNING, total=1000, done=250)
    client.force_login(backoffice_user)

    html = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()

    assert f'hx-get="{reverse("jobs:progress", args=[job.pk])}?watching=1"' in html
    assert 'hx-trigger="every 1s"' in html
    assert 'aria-valuenow="25"' in html


def test_the_progress_partial_shows_the_bar_and_keeps_polling_while_running(client, backoffice_user):
    job = make_job(backoffice_user, status=JobStatus.RUNNING, total=200, done=50)
    client.force_login(backoffice_user)

    response = client.get(reverse("jobs:progress", args=[job.pk]), {"watching": 1}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'aria-valuenow="25"' in html and "every 1s" in html


def test_the_progress_partial_reloads_the_page_when_the_watched_job_finishes(client, backoffice_user, finished_job):
    client.force_login(backoffice_user)

    response = client.get(
        reverse("jobs:progress", args=[finished_job.pk]), {"watching": 1}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 204
    assert response["HX-Refresh"] == "true"


def test_a_failed_job_shows_its_error(client, backoffice_user):
    job = make_job(backoffice_user, status=JobStatus.FAILED, error="В файле нет обязательных столбцов: «Адрес».")
    client.force_login(backoffice_user)

    html = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()

    assert "В файле нет обязательных столбцов: «Адрес»." in html


def test_problems_download_as_csv_for_excel_with_the_files_own_headers(client, backoffice_user, finished_job):
    client.force_login(backoffice_user)

    response = client.get(reverse("jobs:problems_csv", args=[finished_job.pk]))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8")
    lines = text.lstrip("\ufeff").splitlines()
    assert text.startswith("\ufeff")
    assert lines[0] == "Строка;Код;Причина;Код клиники;Телефоны"
    assert lines[1].startswith("2;bad_inn;ИНН должен содержать 10 или 12 цифр;")
    assert "'=HYPERLINK" in lines[1]  # a formula from the upload is defused
    assert lines[1].endswith(";+7 495 111-22-33")  # a phone keeps its plus
    assert lines[2] == "3;unknown_kind;Неизвестный вид помощи «зубы»;K-2;"


def test_problems_download_as_xlsx_with_formulas_kept_as_text(client, backoffice_user, finished_job):
    client.force_login(backoffice_user)

    response = client.get(reverse("jobs:problems_xlsx", args=[finished_job.pk]))

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Строка", "Код", "Причина", "Код клиники", "Телефоны"]
    assert rows[1][:3] == [2, "bad_inn", "ИНН должен содержать 10 или 12 цифр"]
    assert sheet.cell(row=2, column=4).data_type == "s"
    assert rows[2] == [3, "unknown_kind", "Неизвестный вид помощи «зубы»", "K-2", None]


@pytest.mark.parametrize("url_name", ["jobs:detail", "jobs:progress", "jobs:problems_csv", "jobs:problems_xlsx"])
def test_someone_elses_job_is_not_found(client, alice, url_name):
    owner = f.UserFactory(role=Role.HR, phone=None)
    job = make_job(owner, status=JobStatus.DONE)
    client.force_login(alice)

    assert client.get(reverse(url_name, args=[job.pk])).status_code == 404


def test_a_person_sees_their_own_job_and_the_back_office_sees_everyones(client, backoffice_user):
    owner = f.UserFactory(role=Role.HR, phone=None)
    job = make_job(owner, status=JobStatus.DONE)

    client.force_login(owner)
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 200
    client.force_login(backoffice_user)
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 200


def test_an_anonymous_visitor_is_sent_to_log_in(client, backoffice_user):
    job = make_job(backoffice_user)
    response = client.get(reverse("jobs:detail", args=[job.pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_page_says_when_the_same_file_was_loaded_before_but_only_from_jobs_the_viewer_may_see(
    client, backoffice_user
):
    other = f.UserFactory(role=Role.HR, phone=None)
    same = {"kind": "network_import", "params": {"kind": "clinics"}, "input_sha256": "a" * 64}
    earlier = make_job(other, status=JobStatus.DONE, **same)
    make_job(other, status=JobStatus.DONE, **{**same, "params": {"kind": "doctors"}})  # another kind: not the same
    later = make_job(backoffice_user, status=JobStatus.DONE, **same)

    client.force_login(backoffice_user)
    page = client.get(reverse("jobs:detail", args=[later.pk])).content.decode()
    assert "Этот же файл уже загружали" in page
    assert reverse("jobs:detail", args=[earlier.pk]) in page

    third = f.UserFactory(role=Role.HR, phone=None)
    theirs = make_job(third, status=JobStatus.DONE, **same)
    client.force_login(third)
    assert "уже загружали" not in client.get(reverse("jobs:detail", args=[theirs.pk])).content.decode()
    client.force_login(other)
    assert "уже загружали" not in client.get(reverse("jobs:detail", args=[earlier.pk])).content.decode()
