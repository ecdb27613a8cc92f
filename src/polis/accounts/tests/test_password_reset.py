import datetime as dt
import re
import uuid

import pytest
from django.conf import settings
from django.urls import reverse

from polis.accounts import services
from polis.accounts.models import OneTimeCode
from polis.accounts.services import CodeError, LoginLocked, PasswordRejected
from polis.notify.models import OutboundMessage

from .conftest import last_code, wrong

NEW_PASSWORD = "Bereza-Lipa-2026"


def test_a_reset_by_phone_sends_an_sms_and_by_email_an_email(alice, frozen_now):
    by_phone = services.password_reset_start(login="8 916 123-45-67")
    assert by_phone is not None
    assert OutboundMessage.objects.get(recipient="+79161234567").channel == "sms"
    frozen_now.return_value += dt.timedelta(minutes=2)
    by_email = services.password_reset_start(login="Alice@Example.ru")
    assert by_email is not None
    message = OutboundMessage.objects.get(recipient="alice@example.ru")
    assert message.channel == "email"
    assert last_code("alice@example.ru") in message.body


def test_a_reset_sets_the_new_password(alice):
    otc = services.password_reset_start(login="alice@example.ru")
    assert otc is not None
    services.password_reset_confirm(token=otc.token, code=last_code("alice@example.ru"), new_password=NEW_PASSWORD)
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    with pytest.raises(CodeError):
        services.password_reset_confirm(token=otc.token, code=last_code("alice@example.ru"), new_password="Other-9876x")


def test_an_unknown_login_sends_nothing(db):
    assert services.password_reset_start(login="ghost@example.ru") is None
    assert services.password_reset_start(login="+7 999 000-00-00") is None
    assert not OutboundMessage.objects.exists()


def test_every_failure_of_a_reset_code_reads_the_same(alice, frozen_now):
    otc = services.password_reset_start(login="alice@example.ru")
    assert otc is not None
    code = last_code("alice@example.ru")
    messages = set()
    for token, guess in [(otc.token, wrong(code)), (uuid.uuid4(), code), (None, code)]:
        with pytest.raises(CodeError) as error:
            services.password_reset_confirm(token=token, code=guess, new_password=NEW_PASSWORD)
        messages.add(error.value.message)
    frozen_now.return_value += dt.timedelta(seconds=settings.POLIS_CODE_TTL_SECONDS + 1)
    with pytest.raises(CodeError) as error:
        services.password_reset_confirm(token=otc.token, code=code, new_password=NEW_PASSWORD)
    messages.add(error.value.message)
    assert len(messages) == 1


def test_a_reset_clears_the_login_lockout_and_revokes_app_tokens(alice):
    key = services.api_token_issue(user=alice, name="iPhone")
    for _ in range(settings.POLIS_LOGIN_MAX_FAILURES):
        with pytest.raises((services.InvalidCredentials, LoginLocked)):
            services.credentials_check(login="+79161234567", password="wrong", ip=None)
    otc = services.password_reset_start(login="alice@example.ru")
    assert otc is not None
    services.password_reset_confirm(token=otc.token, code=last_code("alice@example.ru"), new_password=NEW_PASSWORD)
    assert services.credentials_check(login="+79161234567", password=NEW_PASSWORD, ip=None) == alice
    assert services.api_token_user(key=key) is None


def test_a_weak_new_password_is_refused_and_the_code_still_works(alice):
    otc = services.password_reset_start(login="alice@example.ru")
    assert otc is not None
    code = last_code("alice@example.ru")
    with pytest.raises(PasswordRejected):
        services.password_reset_confirm(token=otc.token, code=code, new_password="alice@example.ru")
    services.password_reset_confirm(token=otc.token, code=code, new_password=NEW_PASSWORD)


def test_reset_codes_are_rate_limited_silently(alice):
    assert services.password_reset_start(login="alice@example.ru") is not None
    assert services.password_reset_start(login="alice@example.ru") is None
    assert OneTimeCode.objects.count() == 1


# --- the pages ---------------------------------------------------------------------------


def _reset_pages(client, login: str) -> str:
    response = client.post(reverse("accounts:password_reset"), {"login": login}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:password_reset_confirm")
    return response.content.decode()


def test_the_reset_page_says_the_same_whether_or_not_the_user_exists(client, alice):
    known = _reset_pages(client, "alice@example.ru")
    client.cookies.clear()
    unknown = _reset_pages(client, "ghost@example.ru")
    assert "Если такой пользователь есть, мы отправили код" in known
    assert _without_csrf(known) == _without_csrf(unknown)


def _without_csrf(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)


def test_the_reset_pages_change_the_password(client, alice):
    _reset_pages(client, "+7 916 123-45-67")
    response = client.post(
        reverse("accounts:password_reset_confirm"),
        {"code": last_code("+79161234567"), "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


def test_a_wrong_code_on_the_reset_page_is_shown_next_to_the_code(client, alice):
    _reset_pages(client, "alice@example.ru")
    response = client.post(
        reverse("accounts:password_reset_confirm"),
        {"code": wrong(last_code("alice@example.ru")), "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert 'id="id_code_error">Код неверен или устарел' in response.content.decode()


def test_the_reset_page_checks_that_the_passwords_match(client, alice):
    _reset_pages(client, "alice@example.ru")
    response = client.post(
        reverse("accounts:password_reset_confirm"),
        {"code": last_code("alice@example.ru"), "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"},
    )
    assert "Пароли не совпадают" in response.content.decode()
