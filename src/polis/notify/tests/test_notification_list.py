"""A person's notification list: own only, unread first, marked read one by one or all at once."""

import datetime as dt

import pytest
from django.urls import reverse

from polis.notify.models import Notification
from polis.notify.services import notification_create


def at(day: int) -> dt.datetime:
    return dt.datetime(2026, 11, day, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def titles(response) -> list[str]:
    return [n.title for n in response.context["page_obj"]]


def test_a_person_sees_own_notifications_unread_first_then_newest(alice_client, alice, bob):
    Notification.objects.create(user=alice, title="Старое прочитанное", created_at=at(1), read_at=at(2))
    Notification.objects.create(user=alice, title="Новое прочитанное", created_at=at(10), read_at=at(11))
    Notification.objects.create(user=alice, title="Старое непрочитанное", created_at=at(3))
    Notification.objects.create(user=alice, title="Свежее непрочитанное", created_at=at(15))
    Notification.objects.create(user=bob, title="Уведомление Бориса")

    response = alice_client.get(reverse("notify:list"))

    assert response.status_code == 200
    assert titles(response) == [
        "Свежее непрочитанное",
        "Старое непрочитанное",
        "Новое прочитанное",
        "Старое прочитанное",
    ]
    html = response.content.decode()
    assert "15.11.2026 12:00" in html  # 09:00 UTC, read in Moscow
    assert "Уведомление Бориса" not in html
    assert "Непрочитанных: 2" in html


def test_mark_all_read_marks_only_own_unread_and_keeps_earlier_read_times(alice_client, alice, bob, frozen_now):
    old = Notification.objects.create(user=alice, title="Прочитано раньше", read_at=at(2))
    notification_create(user=alice, title="Полис оформлен")
    bobs = notification_create(user=bob, title="Уведомление Бориса")

    response = alice_client.post(reverse("notify:mark_all_read"))

    assert response.status_code == 302
    assert not Notification.objects.filter(user=alice, read_at__isnull=True).exists()
    old.refresh_from_db()
    bobs.refresh_from_db()
    assert old.read_at == at(2)
    assert bobs.read_at is None


def test_mark_all_read_does_not_answer_a_get(alice_client):
    assert alice_client.get(reverse("notify:mark_all_read")).status_code == 405


def test_opening_a_notification_marks_it_read_and_follows_its_link(alice_client, alice, frozen_now):
    notification = notification_create(user=alice, title="Полис оформлен", link="/my/")

    response = alice_client.post(reverse("notify:open", args=[notification.pk]))

    assert response.status_code == 302
    assert response["Location"] == "/my/"
    notification.refresh_from_db()
    assert notification.read_at == frozen_now.return_value


def test_a_link_to_another_site_is_not_followed(alice_client, alice):
    notification = notification_create(user=alice, title="Подозрительное", link="https://evil.example/")

    response = alice_client.post(reverse("notify:open", args=[notification.pk]))

    assert response["Location"] == reverse("notify:list")


def test_someone_elses_notification_is_not_found_and_stays_unread(alice_client, bob):
    bobs = notification_create(user=bob, title="Уведомление Бориса")

    assert alice_client.post(reverse("notify:open", args=[bobs.pk])).status_code == 404
    bobs.refresh_from_db()
    assert bobs.read_at is None


def test_the_list_pages(alice_client, alice):
    Notification.objects.bulk_create(Notification(user=alice, title=f"№{n}") for n in range(30))

    first = alice_client.get(reverse("notify:list"))
    second = alice_client.get(reverse("notify:list"), {"page": 2})

    assert len(titles(first)) == 25
    assert len(titles(second)) == 5


def test_staff_have_their_own_list_too(client, hr_user):
    notification_create(user=hr_user, title="Застрахованный отозвал согласие")
    client.force_login(hr_user)

    assert titles(client.get(reverse("notify:list"))) == ["Застрахованный отозвал согласие"]


def test_an_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get(reverse("notify:list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
