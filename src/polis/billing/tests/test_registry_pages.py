"""The clinic clerk's registry pages: the own clinic's registries only, the detail with its
progress, rejected lines and their report, a corrected version's changes. Registries here come
from the factories, as the pipeline would have left them (the pipeline has its own tests)."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from polis.accounts.models import User
from polis.billing.models import Registry, RegistryLine
from polis.jobs.models import Job
from polis.network.models import Clinic
from polis.testing import factories as f

pytestmark = pytest.mark.django_db


def url(name: str, *args: object) -> str:
    return reverse(f"clinic_registries:{name}", args=args)


def rejected_line(registry: Registry, line_no: int, reason: str = "unknown_policy", **fields: object) -> RegistryLine:
    defaults: dict[str, object] = {
        "status": "rejected",
        "reason": reason,
        "reason_detail": f"Строка {line_no}: проверьте данные",
        "policy": None,
        "policy_number": f"999-{line_no:07d}",
        "person_name": "Неизвестный Пётр Ильич",
        "copay_kopecks": 0,
        "copay_rule": "",
    }
    defaults.update(fields)
    line: RegistryLine = f.RegistryLineFactory(registry=registry, line_no=line_no, **defaults)
    return line


def registry_for(clinic: Clinic, *, rejected: int = 0, accepted: int = 0, **fields: object) -> Registry:
    """A checked registry with `accepted` accepted lines (consultations, 2 500 ₽, co-pay 750 ₽)
    and `rejected` lines rejected as an unknown policy, numbered after them."""
    registry: Registry = f.RegistryFactory(
        clinic=clinic,
        lines_total=accepted + rejected,
        lines_accepted=accepted,
        lines_rejected=rejected,
        accepted_kopecks=accepted * 250000,
        copay_kopecks=accepted * 75000,
        **fields,
    )
    if accepted:
        policy = f.PolicyFactory()
        for number in range(1, accepted + 1):
            f.RegistryLineFactory(registry=registry, line_no=number, policy=policy)
    for number in range(accepted + 1, accepted + rejected + 1):
        rejected_line(registry, number)
    return registry


@pytest.fixture
def other_clinic(db: None) -> Clinic:
    clinic: Clinic = f.ClinicFactory(name="Чужая клиника")
    return clinic


# ── Who sees what ────────────────────────────────────────────────────────────────────────────


def test_the_clerk_lists_the_own_clinics_registries_with_their_figures(client, clinic_user, other_clinic):
    registry_for(clinic_user.clinic, accepted=2, rejected=1, number="Р-0925", period=dt.date(2026, 9, 1))
    registry_for(other_clinic, number="ЧУЖОЙ-1")
    client.force_login(clinic_user)

    page = client.get(url("list")).content.decode()

    assert "Р-0925" in page and "09.2026" in page
    assert '2 / <strong class="error">1</strong>' in page
    assert "5\xa0000,00\xa0₽" in page  # accepted
    assert "1\xa0500,00\xa0₽" in page  # co-pay
    assert "ЧУЖОЙ-1" not in page


@pytest.mark.parametrize("name", ["detail", "progress", "rejected_csv", "rejected_xlsx"])
def test_another_clinics_registry_is_not_found_on_any_of_its_pages(client, clinic_user, other_clinic, name):
    elsewhere = registry_for(other_clinic, rejected=1)
    client.force_login(clinic_user)

    assert client.get(url(name, elsewhere.pk)).status_code == 404


def test_a_registry_that_does_not_exist_is_not_found_either(client, clinic_user):
    client.force_login(clinic_user)

    assert client.get(url("detail", 999_999)).status_code == 404


@pytest.mark.parametrize("who", ["alice", "hr_user", "desk_user", "backoffice_user"])
def test_other_roles_are_refused_the_clinic_console(client, request, clinic_user, who):
    registry = registry_for(clinic_user.clinic, rejected=1)
    client.force_login(request.getfixturevalue(who))

    for name, args in [("list", ()), ("detail", (registry.pk,)), ("rejected_csv", (registry.pk,))]:
        assert client.get(url(name, *args)).status_code == 403


def test_a_clerk_cannot_open_the_back_office_registry_pages(client, clinic_user):
    registry = registry_for(clinic_user.clinic)
    client.force_login(clinic_user)

    assert client.get(reverse("backoffice_registries:list")).status_code == 403
    assert client.get(reverse("backoffice_registries:detail", args=[registry.pk])).status_code == 403
    assert client.get(reverse("backoffice_registries:signals")).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client, clinic_user):
    response = client.get(url("list"))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# ── The detail page ──────────────────────────────────────────────────────────────────────────


def test_the_detail_shows_the_figures_and_each_rejected_line_with_its_reason(client, clinic_user):
    registry = registry_for(clinic_user.clinic, accepted=3, number="Р-77", period=dt.date(2026, 9, 1))
    rejected_line(
        registry,
        10,
        reason="sum_mismatch",
        reason_detail="3 × 1 000,00 ₽ = 3 000,00 ₽, а в реестре 2 900,00 ₽",
        policy_number="001-0000009",
        person_name="Козлова Анна Сергеевна",
        birth_date=dt.date(1990, 1, 2),
        service_date=dt.date(2026, 9, 15),
        service_code="B01.047",
        service_name="Приём терапевта",
        quantity=3,
        price_kopecks=100000,
        sum_kopecks=290000,
    )
    client.force_login(clinic_user)

    page = client.get(url("detail", registry.pk)).content.decode()

    assert "Реестр № Р-77 за 09.2026" in page
    assert 'data-line="10"' in page
    assert "Сумма не равна количеству × цене" in page and "sum_mismatch" in page
    assert "3 × 1 000,00 ₽ = 3 000,00 ₽, а в реестре 2 900,00 ₽" in page
    assert "001-0000009" in page and "Козлова Анна Сергеевна" in page and "02.01.1990" in page
    assert "15.09.2026" in page and "B01.047" in page and "2\xa0900,00\xa0₽" in page
    # Accepted lines are summed by category, not listed.
    assert 'data-line="1"' not in page
    assert 'data-category="consultation"' in page and "Приёмы врачей" in page
    assert "7\xa0500,00\xa0₽" in page and "2\xa0250,00\xa0₽" in page


def test_rejected_lines_are_counted_per_reason_and_filtered_by_one(client, clinic_user):
    registry = registry_for(clinic_user.clinic, rejected=3)  # lines 1–3: unknown policy
    rejected_line(registry, 4, reason="not_insured")
    client.force_login(clinic_user)

    page = client.get(url("detail", registry.pk)).content.decode()
    assert "Отклонено строк: 4" in page
    assert "Полис не найден (3)" in page and "Человек не был застрахован на дату услуги (1)" in page
    assert page.index("Полис не найден (3)") < page.index("Человек не был застрахован на дату услуги (1)")

    filtered = client.get(url("detail", registry.pk), {"reason": "not_insured"}).content.decode()
    assert 'data-line="4"' in filtered
    assert not any(f'data-line="{n}"' in filtered for n in (1, 2, 3))


def test_an_unknown_reason_in_the_address_shows_every_rejected_line(client, clinic_user):
    registry = registry_for(clinic_user.clinic, rejected=2)
    client.force_login(clinic_user)

    page = client.get(url("detail", registry.pk), {"reason": "<script>"}).content.decode()

    assert 'data-line="1"' in page and 'data-line="2"' in page
    assert "<script>" not in page


def test_rejected_lines_are_paged_and_the_reason_filter_stays_on_the_next_page(client, clinic_user):
    registry = registry_for(clinic_user.clinic, rejected=51)
    client.force_login(clinic_user)

    first = client.get(url("detail", registry.pk), {"reason": "unknown_policy"}).content.decode()
    second = client.get(url("detail", registry.pk), {"reason": "unknown_policy", "page": 2}).content.decode()

    assert 'data-line="50"' in first and 'data-line="51"' not in first
    assert "?reason=unknown_policy&page=2" in first
    assert 'data-line="51"' in second and 'data-line="50"' not in second


def test_a_line_that_did_not_parse_shows_the_values_the_clinic_sent(client, clinic_user):
    registry = registry_for(clinic_user.clinic)
    rejected_line(
        registry,
        7,
        reason="bad_value",
        policy_number="",
        person_name="",
        service_date=None,
        sum_kopecks=None,
        price_kopecks=None,
        quantity=None,
        raw={
            "policy_number": "001-000000l",
            "last_name": "Петров",
            "first_name": "Иван",
            "service_date": "31.09.2026",
            "sum": "две тысячи",
            "note": "доп. столбец",
        },
    )
    client.force_login(clinic_user)

    page = client.get(url("detail", registry.pk)).content.decode()

    assert "001-000000l" in page and "Петров Иван" in page and "31.09.2026" in page and "две тысячи" in page
    assert "note: доп. столбец" in page


def test_a_registry_without_rejected_lines_says_all_were_accepted(client, clinic_user):
    registry = registry_for(clinic_user.clinic, accepted=2)
    client.force_login(clinic_user)

    page = client.get(url("detail", registry.pk)).content.decode()

    assert 'data-testid="all-accepted"' in page
    assert "rejected.csv" not in page


def test_registries_are_paged(client, clinic_user):
    for n in range(51):
        f.RegistryFactory(clinic=clinic_user.clinic, number=f"N-{n:03d}", period=dt.date(2026, 1, 1), version=n + 1)
    client.force_login(clinic_user)

    first = client.get(url("list")).content.decode()
    second = client.get(url("list"), {"page": 2}).content.decode()

    assert "Реестров: 51" in first and "Страница 1 из 2" in first
    assert "N-050" in first and "N-000" not in first  # the newest first
    assert "N-000" in second and "N-050" not in second


def test_the_list_costs_the_same_few_queries_however_many_registries(
    client, clinic_user, django_assert_max_num_queries
):
    for n in range(20):
        registry_for(clinic_user.clinic, version=n + 1, period=dt.date(2026, 1, 1))
    client.force_login(clinic_user)

    with django_assert_max_num_queries(8):
        assert client.get(url("list")).status_code == 200


# ── Progress of a registry being checked ─────────────────────────────────────────────────────


def running_registry(clinic: Clinic, user: User) -> Registry:
    job = Job.objects.create(kind="billing_registry", title="Реестр", created_by=user, status="running", total=200)
    Job.objects.filter(pk=job.pk).update(done=50)
    registry: Registry = f.RegistryFactory(clinic=clinic, status="processing", job=job)
    return registry


def test_a_registry_being_checked_shows_its_progress_and_polls_for_more(client, clinic_user):
    registry = running_registry(clinic_user.clinic, clinic_user)
    client.force_login(clinic_user)

    page = client.get(url("detail", registry.pk)).content.decode()

    assert 'aria-valuenow="25"' in page and "Обработано 50 из 200 строк (25 %)" in page
    assert f'hx-get="{url("progress", registry.pk)}?watching=1"' in page
    assert "Страницу можно закрыть и вернуться позже" in page
    assert 'data-testid="rejected-lines"' not in page  # not before the check is over


def test_the_polled_progress_reloads_the_page_once_the_registry_is_done(client, clinic_user):
    registry = running_registry(clinic_user.clinic, clinic_user)
    client.force_login(clinic_user)
    htmx = {"HX-Request": "true"}

    still = client.get(url("progress", registry.pk), {"watching": 1}, headers=htmx)
    assert still.status_code == 200 and "<html" not in still.content.decode()

    Registry.objects.filter(pk=registry.pk).update(status="done")
    done = client.get(url("progress", registry.pk), {"watching": 1}, headers=htmx)
    assert done.status_code == 204 and done["HX-Refresh"] == "true"


def test_a_failed_registry_shows_why(client, clinic_user):
    registry = f.RegistryFactory(clinic=clinic_user.clinic, status="failed", error="В файле нет столбцов: цена.")
    client.force_login(clinic_user)

    page = client.get(url("detail", registry.pk)).content.decode()

    assert "В файле нет столбцов: цена." in page and "hx-get" not in page


# ── The rejection report ─────────────────────────────────────────────────────────────────────


def report_registry(clinic: Clinic) -> Registry:
    registry = registry_for(clinic, accepted=2)  # accepted lines 1 and 2
    rejected_line(registry, 3, reason="not_insured", policy_number="001-0000003", sum_kopecks=123456)
    rejected_line(
        registry,
        4,
        reason="bad_value",
        reason_detail="Дата услуги «31.09.2026» не распознана",
        policy_number="",
        service_date=None,
        raw={"policy_number": '=HYPERLINK("x")', "service_date": "31.09.2026"},
    )
    return registry


def accepted_policy_number(registry: Registry) -> str:
    number = registry.lines.filter(status="accepted").values_list("policy_number", flat=True).first()
    assert number
    return number


def test_the_csv_report_holds_the_rejected_lines_and_only_them(client, clinic_user):
    registry = report_registry(clinic_user.clinic)
    client.force_login(clinic_user)

    response = client.get(url("rejected_csv", registry.pk))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="registry-{registry.pk}-rejected.csv"'
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[:5] == ["№ строки", "Код причины", "Причина", "Пояснение", "Номер полиса"]
    assert [row[0] for row in body] == ["3", "4"]
    assert body[0][1:3] == ["not_insured", "Человек не был застрахован на дату услуги"]
    assert body[0][header.index("Сумма, ₽")] == "1234,56"
    assert body[0][header.index("Дата услуги")] == "10.09.2026"
    # The unparsed line carries what the clinic wrote, a formula made harmless.
    assert body[1][header.index("Дата услуги")] == "31.09.2026"
    assert body[1][header.index("Номер полиса")] == '\'=HYPERLINK("x")'
    assert accepted_policy_number(registry) not in text


def test_the_xlsx_report_holds_the_rejected_lines_and_only_them(client, clinic_user):
    registry = report_registry(clinic_user.clinic)
    client.force_login(clinic_user)

    response = client.get(url("rejected_xlsx", registry.pk))

    assert response.status_code == 200
    assert f'filename="registry-{registry.pk}-rejected.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[:4] == ("№ строки", "Код причины", "Причина", "Пояснение")
    assert [row[0] for row in body] == [3, 4]
    assert body[0][1] == "not_insured"
    assert float(body[0][header.index("Сумма, ₽")]) == 1234.56
    assert body[1][header.index("Дата услуги")] == "31.09.2026"
    assert not any(accepted_policy_number(registry) in str(cell) for row in rows for cell in row)


# ── A corrected version ──────────────────────────────────────────────────────────────────────


def test_a_corrected_version_says_what_changed_and_links_both_ways(client, clinic_user):
    first = registry_for(clinic_user.clinic, status="replaced")
    second = registry_for(
        clinic_user.clinic,
        version=2,
        replaces=first,
        changes={
            "added": {"count": 2, "lines": [11, 12]},
            "removed": {"count": 0, "lines": []},
            "changed": {"count": 203, "lines": list(range(1, 201))},
        },
    )
    client.force_login(clinic_user)

    page = client.get(url("detail", second.pk)).content.decode()
    assert "Что изменилось" in page
    assert "Добавлены строки: 2" in page and "№ 11, 12" in page
    assert "Удалены строки: 0" in page
    assert "Изменены строки: 203" in page and "и ещё 3" in page
    assert url("detail", first.pk) in page

    older = client.get(url("detail", first.pk)).content.decode()
    assert 'data-testid="replaced-by"' in older and url("detail", second.pk) in older
    assert "Что изменилось" not in older


def test_changes_in_an_unexpected_shape_do_not_break_the_page(client, clinic_user):
    first = registry_for(clinic_user.clinic, status="replaced")
    second = registry_for(
        clinic_user.clinic,
        version=2,
        replaces=first,
        changes={
            "added": "много",
            "removed": 4,
            "changed": [{"line_no": 5, "before": {"sum_kopecks": 100000}, "after": {"sum_kopecks": 120000}}],
        },
    )
    client.force_login(clinic_user)

    response = client.get(url("detail", second.pk))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Удалены строки: 4" in page
    assert "№ 5 — сумма, коп.: было 1\xa0000,00\xa0₽, стало 1\xa0200,00\xa0₽" in page
