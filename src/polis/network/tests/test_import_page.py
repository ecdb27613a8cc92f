"""The back office's import page: who may open it, what the form refuses, where it leads."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from polis.jobs.models import Job, JobStatus
from polis.jobs.tests.helpers import csv_bytes, xlsx_bytes
from polis.network.import_views import MAX_UPLOAD_BYTES
from polis.network.imports.registry import SAMPLES_DIR
from polis.network.models import Clinic

URL = "/backoffice/network/import/"


@pytest.fixture
def back_client(client, backoffice_user):
    client.force_login(backoffice_user)
    return client


def post(client, kind: str, name: str, content: bytes, capture=None):
    data = {"kind": kind, "file": SimpleUploadedFile(name, content)}
    if capture is None:
        return client.post(URL, data)
    with capture(execute=True):
        return client.post(URL, data)


def test_the_page_lives_where_the_back_office_expects_it():
    assert reverse("network_import:upload") == URL


def test_the_back_office_sees_every_kind_with_its_columns_and_sample(back_client):
    response = back_client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    for title in ["Клиники", "Клиники программ", "Врачи", "Расписания врачей", "Прейскуранты клиник"]:
        assert title in html
    assert "Юридическое название" in html and "<code>Legal name</code>" in html
    assert reverse("network_import:sample", args=["price_list"]) in html


@pytest.mark.parametrize("who", ["alice", "hr_user", "desk_user", "clinic_user"])
def test_everyone_but_the_back_office_is_refused(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"kind": "clinics"}).status_code == 403
    assert client.get(reverse("network_import:sample", args=["clinics"])).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_an_upload_starts_a_job_and_leads_to_its_page(back_client, django_capture_on_commit_callbacks):
    response = post(
        back_client,
        "clinics",
        "clinics.csv",
        (SAMPLES_DIR / "clinics.csv").read_bytes(),
        django_capture_on_commit_callbacks,
    )

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert (job.kind, job.params, job.input_name) == ("network_import", {"kind": "clinics"}, "clinics.csv")
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert Clinic.objects.count() == 3
    page = back_client.get(response["Location"]).content.decode()
    assert 'data-count="created">3<' in page


def test_uploading_the_same_file_again_says_so(back_client, django_capture_on_commit_callbacks):
    content = (SAMPLES_DIR / "clinics.csv").read_bytes()
    post(back_client, "clinics", "clinics.csv", content, django_capture_on_commit_callbacks)

    response = post(back_client, "clinics", "clinics-copy.csv", content, django_capture_on_commit_callbacks)

    page = back_client.get(response["Location"]).content.decode()
    assert "Этот же файл уже загружали " in page
    assert 'data-count="unchanged">3<' in page


def test_an_xlsx_upload_is_accepted(back_client, django_capture_on_commit_callbacks):
    content = xlsx_bytes([["Код клиники", "Название", "Город", "Адрес"], ["K-1", "Клиника", "Москва", "ул. Арбат, 1"]])

    response = post(back_client, "clinics", "network.xlsx", content, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert Clinic.objects.filter(code="K-1").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("clinics.pdf", b"%PDF-1.4", "Поддерживаются файлы CSV и XLSX"),
        ("clinics.xls", b"\xd0\xcf\x11\xe0old", "Старый формат Excel (.xls) не поддерживается"),
        ("clinics.xlsx", b"not a zip at all", "это не книга Excel"),
        ("clinics.csv", b"\x00\x01binary", "не похож на текстовый CSV"),
        ("clinics.csv", "Код клиники;Название\nK-1;А\n".encode(), "нет обязательных столбцов: «Город», «Адрес»"),
        ("clinics.csv", "Имя;Фамилия\n".encode(), "нет ни одного известного заголовка"),
        ("clinics.csv", b"", "Отправленный файл пуст"),
    ],
)
def test_a_wrong_file_is_refused_next_to_the_field_and_the_kind_stays_chosen(back_client, name, content, message):
    response = post(back_client, "clinics", name, content)

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'class="error"' in html
    assert not Job.objects.exists()


def test_the_chosen_kind_is_kept_when_the_file_is_refused(back_client):
    response = post(back_client, "price_list", "prices.txt.pdf", b"x")
    checked = re.findall(r'<input type="radio" name="kind" value="(\w+)"[^>]*checked', response.content.decode())
    assert checked == ["price_list"]


def test_a_file_over_twenty_megabytes_is_refused(back_client, monkeypatch):
    monkeypatch.setattr("polis.network.import_views.MAX_UPLOAD_BYTES", 10)
    response = post(back_client, "clinics", "clinics.csv", (SAMPLES_DIR / "clinics.csv").read_bytes())
    assert "Файл больше 20 МБ" in response.content.decode()
    assert MAX_UPLOAD_BYTES == 20 * 1024 * 1024


def test_a_missing_kind_or_file_is_asked_for(back_client):
    response = back_client.post(URL, {})
    assert response.content.decode().count("Обязательное поле") == 2


@pytest.mark.parametrize("kind", ["clinics", "program_clinics", "doctors", "schedules", "price_list"])
def test_each_sample_file_downloads(back_client, kind):
    response = back_client.get(reverse("network_import:sample", args=[kind]))

    assert response.status_code == 200
    assert f'filename="{kind}.csv"' in response["Content-Disposition"]
    assert response.content == (SAMPLES_DIR / f"{kind}.csv").read_bytes()


def test_an_unknown_sample_is_not_found(back_client):
    assert back_client.get(reverse("network_import:sample", args=["passwords"])).status_code == 404


def test_recent_imports_are_listed_with_links_to_their_jobs(back_client, backoffice_user):
    job = Job.objects.create(
        kind="network_import", title="Импорт: Врачи — doctors.csv", created_by=backoffice_user, status=JobStatus.DONE,
        result={"created": 5, "updated": 1, "unchanged": 2, "rejected": 3},
    )  # fmt: skip
    Job.objects.create(kind="other", title="Чужое задание", created_by=backoffice_user)

    html = back_client.get(URL).content.decode()

    assert reverse("jobs:detail", args=[job.pk]) in html
    assert "Импорт: Врачи — doctors.csv" in html
    assert "+5 · ↻1 · =2" in html and "3" in html
    assert "Чужое задание" not in html


def test_the_job_page_leads_back_to_the_import(back_client, django_capture_on_commit_callbacks):
    content = csv_bytes([["Код клиники", "Название", "Город", "Адрес"], ["K-1", "Клиника", "Москва", ""]])
    response = post(back_client, "clinics", "clinics.csv", content, django_capture_on_commit_callbacks)

    page = back_client.get(response["Location"]).content.decode()

    assert f'href="{URL}"' in page
    assert "Не заполнено поле «Адрес»" in page
