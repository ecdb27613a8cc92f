"""The back office edits the production calendar's overrides in the Django admin."""

import datetime as dt

import pytest
from django.urls import reverse

from polis import calendar
from polis.models import BusinessDayOverride

D = dt.date
CHANGELIST = "admin:polis_businessdayoverride_changelist"


@pytest.fixture
def back(client, backoffice_user):
    client.force_login(backoffice_user)
    return client


def _dates(response) -> list[dt.date]:
    return [row.date for row in response.context["cl"].result_list]


def test_the_list_shows_overrides_by_date_with_what_the_package_would_say(back):
    response = back.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert _dates(response) == [D(2024, 4, 27), D(2024, 11, 2), D(2024, 12, 28), D(2025, 11, 1)]
    assert "выходной" in response.content.decode()  # a working Saturday: off without its row


def test_the_list_filters_by_year_and_by_working_or_not(back):
    BusinessDayOverride.objects.create(date=D(2025, 8, 30), is_working=False, note="День Республики Татарстан")
    assert _dates(back.get(reverse(CHANGELIST), {"year": "2024"})) == [D(2024, 4, 27), D(2024, 11, 2), D(2024, 12, 28)]
    assert _dates(back.get(reverse(CHANGELIST), {"year": "2025", "is_working__exact": "0"})) == [D(2025, 8, 30)]
    assert _dates(back.get(reverse(CHANGELIST), {"is_working__exact": "1", "year": "2025"})) == [D(2025, 11, 1)]


def test_the_list_is_searched_by_the_note(back):
    BusinessDayOverride.objects.create(date=D(2025, 8, 30), is_working=False, note="День Республики Татарстан")
    assert _dates(back.get(reverse(CHANGELIST), {"q": "Татарстан"})) == [D(2025, 8, 30)]
    assert _dates(back.get(reverse(CHANGELIST), {"q": "1335"})) == [D(2025, 11, 1)]


def test_adding_an_override_in_the_admin_changes_the_calendar_at_once(back, monkeypatch):
    assert calendar.is_working_day(D(2026, 11, 23))
    calls = []
    real = calendar.override_set
    monkeypatch.setattr(calendar, "override_set", lambda **kw: calls.append(kw) or real(**kw))
    response = back.post(
        reverse("admin:polis_businessdayoverride_add"),
        {"date": "23.11.2026", "is_working": "", "note": "Региональный праздник"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    override = BusinessDayOverride.objects.get(date=D(2026, 11, 23))
    assert (override.is_working, override.note) == (False, "Региональный праздник")
    assert not calendar.is_working_day(D(2026, 11, 23))
    assert calls == [{"date": D(2026, 11, 23), "is_working": False, "note": "Региональный праздник"}]


def test_adding_a_second_override_for_the_same_date_is_refused_with_a_message(back):
    response = back.post(
        reverse("admin:polis_businessdayoverride_add"), {"date": "01.11.2025", "is_working": "", "note": "Дубль"}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["date"]
    assert BusinessDayOverride.objects.get(date=D(2025, 11, 1)).is_working


def test_changing_an_override_keeps_its_date_and_goes_through_the_calendar(back):
    override = BusinessDayOverride.objects.get(date=D(2025, 11, 1))
    url = reverse("admin:polis_businessdayoverride_change", args=[override.pk])
    response = back.post(url, {"date": "02.11.2025", "is_working": "", "note": "Отменено"})
    assert response.status_code == 302
    override.refresh_from_db()
    assert (override.date, override.is_working, override.note) == (D(2025, 11, 1), False, "Отменено")
    assert BusinessDayOverride.objects.filter(date=D(2025, 11, 2)).count() == 0
    assert not calendar.is_working_day(D(2025, 11, 1))


def test_deleting_an_override_in_the_admin_gives_the_day_back(back):
    override = BusinessDayOverride.objects.get(date=D(2025, 11, 1))
    response = back.post(reverse("admin:polis_businessdayoverride_delete", args=[override.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not calendar.is_working_day(D(2025, 11, 1))


def test_deleting_overrides_in_bulk_goes_through_the_calendar(back, monkeypatch):
    deleted = []
    monkeypatch.setattr(calendar, "override_delete", lambda *, override: deleted.append(override.date))
    ids = list(BusinessDayOverride.objects.filter(date__year=2024).values_list("pk", flat=True))
    response = back.post(reverse(CHANGELIST), {"action": "delete_selected", "_selected_action": ids, "post": "yes"})
    assert response.status_code == 302
    assert sorted(deleted) == [D(2024, 4, 27), D(2024, 11, 2), D(2024, 12, 28)]


def test_an_insured_person_cannot_open_the_calendar_admin(client, alice):
    client.force_login(alice)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 302
    assert "login" in response["Location"]
