import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse

from polis.accounts import services
from polis.accounts.models import LoginAttempt
from polis.accounts.services import InvalidCredentials, LoginLocked

ALICE_PASSWORD = "Secret-pass-42"  # the factories' password


@pytest.mark.parametrize(
    "login",
    ["+79161234567", "8 916 123-45-67", "+7 (916) 123-45-67", "89161234567", "9161234567", "ALICE@example.ru "],
)
def test_a_person_logs_in_by_phone_in_any_common_format_or_by_email(alice, login):
    assert services.credentials_check(login=login, password=ALICE_PASSWORD, ip="192.0.2.1") == alice


def test_a_wrong_password_is_refused_and_recorded(alice):
    with pytest.raises(InvalidCredentials) as error:
        services.credentials_check(login="8 916 123 45 67", password="nope", ip="192.0.2.1")
    assert error.value.remaining_attempts == settings.POLIS_LOGIN_MAX_FAILURES - 1
    attempt = LoginAttempt.objects.get()
    assert (attempt.identifier, attempt.succeeded, attempt.ip_address) == ("+79161234567", False, "192.0.2.1")


def test_an_unknown_login_gets_the_same_refusal_as_a_wrong_password(alice):
    with pytest.raises(InvalidCredentials) as unknown:
        services.credentials_check(login="nobody@example.ru", password="nope", ip=None)
    with pytest.raises(InvalidCredentials) as wrong_password:
        services.credentials_check(login="alice@example.ru", password="nope", ip=None)
    assert unknown.value.message == wrong_password.value.message


def _fail(login: str, times: int) -> None:
    for _ in range(times):
        with pytest.raises(InvalidCredentials):
            services.credentials_check(login=login, password="wrong", ip=None)


def test_repeated_failures_lock_the_login_whatever_phone_format_is_used(alice):
    _fail("+79161234567", settings.POLIS_LOGIN_MAX_FAILURES - 1)
    with pytest.raises(LoginLocked) as error:
        services.credentials_check(login="8 (916) 123-45-67", password="wrong", ip=None)
    assert "15 мин" in error.value.message
    # Locked: even the right password does not get in, and is not even checked.
    with pytest.raises(LoginLocked):
        services.credentials_check(login="+7 916 123 45 67", password=ALICE_PASSWORD, ip=None)
    assert LoginAttempt.objects.count() == settings.POLIS_LOGIN_MAX_FAILURES


def test_the_lock_is_released_after_the_lockout_time(alice, frozen_now):
    _fail("alice@example.ru", settings.POLIS_LOGIN_MAX_FAILURES - 1)
    with pytest.raises(LoginLocked):
        services.credentials_check(login="alice@example.ru", password="wrong", ip=None)
    frozen_now.return_value += dt.timedelta(seconds=settings.POLIS_LOGIN_LOCKOUT_SECONDS - 60)
    with pytest.raises(LoginLocked, match="1 мин"):
        services.credentials_check(login="alice@example.ru", password=ALICE_PASSWORD, ip=None)
    frozen_now.return_value += dt.timedelta(seconds=61)
    assert services.credentials_check(login="alice@example.ru", password=ALICE_PASSWORD, ip=None) == alice


def test_failures_spread_wider_than_the_window_do_not_lock(alice, frozen_now):
    step = dt.timedelta(seconds=settings.POLIS_LOGIN_WINDOW_SECONDS // (settings.POLIS_LOGIN_MAX_FAILURES - 1) + 1)
    for _ in range(settings.POLIS_LOGIN_MAX_FAILURES + 2):
        with pytest.raises(InvalidCredentials):
            services.credentials_check(login="alice@example.ru", password="wrong", ip=None)
        frozen_now.return_value += step


def test_a_successful_login_clears_earlier_failures(alice):
    _fail("alice@example.ru", settings.POLIS_LOGIN_MAX_FAILURES - 1)
    services.credentials_check(login="alice@example.ru", password=ALICE_PASSWORD, ip=None)
    _fail("alice@example.ru", settings.POLIS_LOGIN_MAX_FAILURES - 1)


def test_an_unknown_identifier_is_locked_too_so_the_lock_reveals_nothing(db):
    _fail("ghost@example.ru", settings.POLIS_LOGIN_MAX_FAILURES - 1)
    with pytest.raises(LoginLocked):
        services.credentials_check(login="ghost@example.ru", password="wrong", ip=None)


def test_a_blocked_account_cannot_log_in(alice):
    alice.is_active = False
    alice.save()
    with pytest.raises(InvalidCredentials):
        services.credentials_check(login="alice@example.ru", password=ALICE_PASSWORD, ip=None)


# --- the pages ---------------------------------------------------------------------------


def test_the_login_page_logs_in_and_goes_home(client, alice):
    response = client.post(
        reverse("accounts:login"), {"login": "8 916 123-45-67", "password": ALICE_PASSWORD, "remember": "on"}
    )
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert int(client.session["_auth_user_id"]) == alice.pk


def test_without_remember_me_the_session_ends_with_the_browser(client, alice):
    client.post(reverse("accounts:login"), {"login": "alice@example.ru", "password": ALICE_PASSWORD})
    assert client.session.get_expire_at_browser_close()
    assert not client.cookies["sessionid"]["max-age"]


def test_with_remember_me_the_session_outlives_the_browser(client, alice):
    client.post(reverse("accounts:login"), {"login": "alice@example.ru", "password": ALICE_PASSWORD, "remember": "on"})
    assert not client.session.get_expire_at_browser_close()
    assert client.cookies["sessionid"]["max-age"] == settings.SESSION_COOKIE_AGE


def test_login_goes_to_a_safe_next_page_but_never_to_another_site(client, alice):
    data = {"login": "alice@example.ru", "password": ALICE_PASSWORD}
    response = client.post(reverse("accounts:login") + "?next=/accounts/profile/", data)
    assert response.url == "/accounts/profile/"
    client.logout()
    response = client.post(reverse("accounts:login"), {**data, "next": "https://evil.example/"})
    assert response.url == reverse("home")


def test_a_failed_login_keeps_the_login_and_says_why_in_russian(client, alice):
    response = client.post(reverse("accounts:login"), {"login": "8 916 123-45-67", "password": "wrong"})
    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="8 916 123-45-67"' in content
    assert "Неверный телефон, e-mail или пароль" in content
    assert "wrong" not in content


def test_the_login_page_tells_how_long_the_lock_lasts(client, alice):
    for _ in range(settings.POLIS_LOGIN_MAX_FAILURES):
        response = client.post(reverse("accounts:login"), {"login": "alice@example.ru", "password": "wrong"})
    assert "попробуйте через 15 мин" in response.content.decode()


def test_the_login_page_links_to_registration_and_reset(client, db):
    content = client.get(reverse("accounts:login")).content.decode()
    assert reverse("accounts:register") in content
    assert reverse("accounts:password_reset") in content
    assert "Запомнить меня" in content


def test_logout_needs_a_post_and_ends_the_session(client, alice):
    client.force_login(alice)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.url == reverse("accounts:login")
    assert "_auth_user_id" not in client.session
