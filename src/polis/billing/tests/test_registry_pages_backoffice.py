"""The back office's registry pages: every clinic's registries with filters, uploads for any
clinic, the same detail and report, and the signals of services people say they never got."""

import datetime as dt

import pytest
from django.urls import reverse

from polis.accounts.models import User
from polis.billing.models import Dispute, RegistryLine
from polis.billing.tests.test_registry_pages import registry_for, rejected_line
from polis.network.models import Clinic
from polis.testing import factories as f

pytestmark = pytest.mark.django_db


def url(name: str, *args: object) -> str:
    return reverse(f"backoffice_registries:{name}", args=args)


@pytest.fixture
def north(db: None) -> Clinic:
    clinic: Clinic = f.ClinicFactory(name="Клиника Север", code="NORTH", inn="7701000001")
    return clinic


@pytest.fixture
def south(db: None) -> Clinic:
    clinic: Clinic = f.ClinicFactory(name="Клиника Юг", code="SOUTH", inn="7701000002")
    return clinic


# ── The list and its filters ─────────────────────────────────────────────────────────────────


def test_the_back_office_lists_every_clinics_registries(client, backoffice_user, north, south):
    registry_for(north, number="С-1")
    registry_for(south, number="Ю-1")
    client.force_login(backoffice_user)

    page = client.get(url("list")).content.decode()

    assert "С-1" in page and "Ю-1" in page
    assert "Клиника Север" in page and "NORTH" in page
    assert url("signals") in page


@pytest.mark.parametrize(
    ("params", "shown", "hidden"),
    [
        ({"q": "Север"}, "С-9", "Ю-8"),
        ({"q": "south"}, "Ю-8", "С-9"),  # the code, in any case
        ({"q": "7701000002"}, "Ю-8", "С-9"),  # the INN
        ({"period": "2026-09"}, "С-9", "Ю-8"),
        ({"period": "08.2026"}, "Ю-8", "С-9"),
        ({"status": "failed"}, "Ю-8", "С-9"),
    ],
)
def test_the_list_filters_by_clinic_period_and_status(client, backoffice_user, north, south, params, shown, hidden):
    registry_for(north, number="С-9", period=dt.date(2026, 9, 1))
    registry_for(south, number="Ю-8", period=dt.date(2026, 8, 1), status="failed")
    client.force_login(backoffice_user)

    page = client.get(url("list"), params).content.decode()

    assert shown in page and hidden not in page


def test_a_wrong_period_filter_is_explained_and_the_others_still_apply(client, backoffice_user, north, south):
    registry_for(north, number="С-9")
    registry_for(south, number="Ю-8")
    client.force_login(backoffice_user)

    page = client.get(url("list"), {"period": "сентябрь", "q": "Север"}).content.decode()

    assert "Укажите месяц в виде ММ.ГГГГ" in page
    assert "С-9" in page and "Ю-8" not in page


def test_the_filters_stay_on_the_next_page(client, backoffice_user, north):
    for n in range(51):
        f.RegistryFactory(clinic=north, period=dt.date(2026, 1, 1), version=n + 1)
    client.force_login(backoffice_user)

    page = client.get(url("list"), {"q": "Север"}).content.decode()

    assert "?q=%D0%A1%D0%B5%D0%B2%D0%B5%D1%80&page=2" in page


# ── Upload for a clinic: what the form refuses before the file is read ───────────────────────


def test_an_upload_without_a_clinic_asks_for_one_and_keeps_the_period(client, backoffice_user):
    client.force_login(backoffice_user)

    response = client.post(url("upload"), {"period": "2026-09"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Выберите клинику или укажите её код." in page
    assert 'value="2026-09"' in page


def test_an_unknown_clinic_code_is_refused(client, backoffice_user, north):
    client.force_login(backoffice_user)

    page = client.post(url("upload"), {"clinic_code": "NOWHERE", "period": "2026-09"}).content.decode()

    assert "Клиники с кодом «NOWHERE» нет в сети." in page
    assert 'value="NOWHERE"' in page and 'value="2026-09"' in page


def test_a_code_that_contradicts_the_chosen_clinic_is_refused(client, backoffice_user, north, south):
    client.force_login(backoffice_user)

    page = client.post(
        url("upload"), {"clinic": north.pk, "clinic_code": "SOUTH", "period": "2026-09"}
    ).content.decode()

    assert "Код принадлежит другой клинике" in page


# ── Detail and report of any clinic's registry ───────────────────────────────────────────────


def test_the_back_office_opens_any_registry_and_downloads_its_report(client, backoffice_user, north):
    registry = registry_for(north, accepted=1, rejected=2)
    client.force_login(backoffice_user)

    page = client.get(url("detail", registry.pk)).content.decode()
    report = b"".join(client.get(url("rejected_csv", registry.pk)).streaming_content).decode()

    assert "Клиника Север" in page and 'data-line="2"' in page and 'data-line="3"' in page
    assert url("rejected_xlsx", registry.pk) in page
    assert [line.split(";")[0] for line in report.lstrip("\ufeff").splitlines()[1:]] == ["2", "3"]


@pytest.mark.parametrize("who", ["alice", "hr_user", "desk_user"])
def test_other_roles_are_refused_the_back_office_registry_pages(client, request, north, who):
    registry = registry_for(north)
    client.force_login(request.getfixturevalue(who))

    assert client.get(url("list")).status_code == 403
    assert client.get(url("detail", registry.pk)).status_code == 403
    assert client.get(url("signals")).status_code == 403


# ── «Сигналы о неоказанных услугах» ──────────────────────────────────────────────────────────


def dispute(line: RegistryLine, *, kind: str = "not_provided", status: str = "open") -> Dispute:
    assert line.policy is not None
    holder = line.policy.holder or line.policy.insured
    user = holder.user or f.UserFactory()
    return Dispute.objects.create(
        line=line,
        policy=line.policy,
        kind=kind,
        comment="Я не был в клинике в этот день",
        submitted_by=user,
        answer_due_on=dt.date(2026, 12, 5),
        status=status,
    )


def accepted_lines(clinic: Clinic, count: int, **registry: object) -> list[RegistryLine]:
    reg = registry_for(clinic, accepted=count, **registry)
    return list(reg.lines.order_by("line_no"))


def test_signals_count_not_provided_reports_per_clinic_most_first(client, backoffice_user, north, south):
    north_lines = accepted_lines(north, 4)
    south_lines = accepted_lines(south, 10)
    dispute(north_lines[0])
    dispute(south_lines[0], status="upheld")
    dispute(south_lines[1], status="rejected")
    dispute(south_lines[2])
    dispute(south_lines[3], kind="quality")  # another kind of disagreement: not a signal
    client.force_login(backoffice_user)

    page = client.get(url("signals")).content.decode()

    assert page.index("Клиника Юг") < page.index("Клиника Север")
    south_row = page[page.index(f'data-clinic="{south.pk}"') :].split("</tr>")[0]
    link = f'<a href="/backoffice/disputes/?clinic={south.pk}&amp;kind=not_provided" data-count="total">3</a>'
    assert link in south_row
    assert '<td data-count="open">1</td>' in south_row and '<td data-count="upheld">1</td>' in south_row
    assert '<td data-count="share">30,00</td>' in south_row  # 3 reports on 10 accepted lines
    north_row = page[page.index(f'data-clinic="{north.pk}"') :].split("</tr>")[0]
    assert '<td data-count="share">25,00</td>' in north_row


def test_lines_of_a_replaced_version_do_not_count_towards_the_share(client, backoffice_user, north):
    lines = accepted_lines(north, 2, status="replaced")
    accepted_lines(north, 4, version=2)
    dispute(lines[0])
    client.force_login(backoffice_user)

    page = client.get(url("signals")).content.decode()

    assert '<td data-count="share">25,00</td>' in page


def test_no_reports_no_signals(client, backoffice_user, north):
    dispute(accepted_lines(north, 1)[0], kind="quantity")
    client.force_login(backoffice_user)

    page = client.get(url("signals")).content.decode()

    assert "Сообщений о неоказанных услугах пока не было." in page


def test_a_clinic_clerk_reaches_none_of_this(client, clinic_user: User, north):
    registry = registry_for(north, rejected=1)
    rejected_line(registry, 5)
    client.force_login(clinic_user)

    assert client.get(url("signals")).status_code == 403
    assert client.get(url("rejected_csv", registry.pk)).status_code == 403
    assert client.get(reverse("clinic_registries:rejected_csv", args=[registry.pk])).status_code == 404
