"""Login by phone or e-mail with a lockout per identifier, and password reset by a code.

Failures are counted from `LoginAttempt` rows (no cache needed): POLIS_LOGIN_MAX_FAILURES
failures within POLIS_LOGIN_WINDOW_SECONDS lock the identifier for POLIS_LOGIN_LOCKOUT_SECONDS
from the last of them. Only failures after the identifier's latest success count, so a
successful login or a password reset clears the slate. The identifier is counted whether an
account exists or not, so the lockout tells nothing about who is registered.
"""

import datetime as dt
import math
import uuid
from typing import cast

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from polis import clock
from polis.accounts.backends import find_user_by_login
from polis.accounts.models import ApiToken, CodePurpose, LoginAttempt, OneTimeCode, User
from polis.accounts.services.codes import code_check, code_consume, code_issue, sending_throttle
from polis.accounts.services.errors import CodeError, CodeRateLimited, InvalidCredentials, LoginLocked, PasswordRejected
from polis.phone import InvalidPhone, normalize_phone


def login_identifier(login: str) -> str:
    """One spelling per person: +7XXXXXXXXXX for any phone format, lower-case e-mail."""
    text = (login or "").strip()
    if "@" not in text:
        try:
            return normalize_phone(text)
        except InvalidPhone:
            pass
    return text.lower()[:254]


def _locked_for(identifier: str) -> int:
    """Seconds the identifier stays locked; 0 if it is not locked."""
    now = clock.now()
    since = now - dt.timedelta(seconds=settings.POLIS_LOGIN_WINDOW_SECONDS + settings.POLIS_LOGIN_LOCKOUT_SECONDS)
    attempts = LoginAttempt.objects.filter(identifier=identifier, at__gt=since)
    last_success = attempts.filter(succeeded=True).order_by("-at").values_list("at", flat=True).first()
    failures = attempts.filter(succeeded=False)
    if last_success is not None:
        failures = failures.filter(at__gt=last_success)
    limit = settings.POLIS_LOGIN_MAX_FAILURES
    recent = list(failures.order_by("-at").values_list("at", flat=True)[:limit])
    if len(recent) < limit:
        return 0
    newest, oldest = recent[0], recent[-1]
    if newest - oldest > dt.timedelta(seconds=settings.POLIS_LOGIN_WINDOW_SECONDS):
        return 0
    until = newest + dt.timedelta(seconds=settings.POLIS_LOGIN_LOCKOUT_SECONDS)
    return max(0, math.ceil((until - now).total_seconds()))


def _failures_left(identifier: str) -> int:
    now = clock.now()
    window = LoginAttempt.objects.filter(
        identifier=identifier, at__gt=now - dt.timedelta(seconds=settings.POLIS_LOGIN_WINDOW_SECONDS)
    )
    last_success = window.filter(succeeded=True).order_by("-at").values_list("at", flat=True).first()
    failures = window.filter(succeeded=False)
    if last_success is not None:
        failures = failures.filter(at__gt=last_success)
    return max(0, settings.POLIS_LOGIN_MAX_FAILURES - failures.count())


def _locked_error(seconds: int) -> LoginLocked:
    minutes = math.ceil(seconds / 60)
    return LoginLocked(
        _(
            "Слишком много неудачных попыток входа. Вход заблокирован, попробуйте через %(minutes)d мин. "
            "или восстановите пароль."
        )
        % {"minutes": minutes},
        retry_after=seconds,
    )


def credentials_check(*, login: str, password: str, ip: str | None) -> User:
    """The user with this phone or e-mail and password, under the lockout; records the attempt.

    Free of HttpRequest: the web login and the mobile API both call it. Call it outside any
    transaction a failure would roll back, or the failure would not be counted.
    """
    identifier = login_identifier(login)
    with transaction.atomic():
        existing = find_user_by_login(login)
        if existing is not None:
            # Locking the account's row makes parallel guesses for one person take turns, so a
            # burst of requests cannot all slip in under the limit.
            User.objects.select_for_update().filter(pk=existing.pk).first()
        if seconds := _locked_for(identifier):
            raise _locked_error(seconds)
        user = cast(User | None, auth.authenticate(None, username=login, password=password))
        LoginAttempt.objects.create(
            identifier=identifier, ip_address=ip or None, succeeded=user is not None, at=clock.now()
        )
    if user is None:
        if seconds := _locked_for(identifier):
            raise _locked_error(seconds)
        left = _failures_left(identifier)
        raise InvalidCredentials(
            _("Неверный телефон, e-mail или пароль. Осталось попыток до временной блокировки: %(left)d.")
            % {"left": left},
            remaining_attempts=left,
        )
    return user


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: a forwarded header is whatever the client wants it to be unless a trusted
    # proxy sets it, and that is a deployment's decision (docs/deployment.md).
    return request.META.get("REMOTE_ADDR") or None


def login(*, request: HttpRequest, login: str, password: str, remember: bool) -> User:
    """Log in on the web. Without "remember me" the session ends when the browser closes."""
    user = credentials_check(login=login, password=password, ip=client_ip(request))
    auth.login(request, user)
    request.session.set_expiry(settings.SESSION_COOKIE_AGE if remember else 0)
    return user


def password_reset_start(*, login: str) -> OneTimeCode | None:
    """Send a reset code to the phone (login was a phone) or e-mail (login was an e-mail).

    Returns None when nothing was sent (no such active user, or a code went there moments ago);
    callers must say the same thing either way: "if such a user exists, we sent a code".
    """
    user = find_user_by_login(login)
    if user is None or not user.is_active:
        return None
    by_email = "@" in login
    destination = user.email if by_email else user.phone
    if not destination:
        return None
    try:
        with transaction.atomic():
            sending_throttle(destination=destination)
            return code_issue(
                purpose=CodePurpose.PASSWORD_RESET,
                destination=destination,
                channel="email" if by_email else "sms",
                payload={"user_id": user.pk},
            )
    except CodeRateLimited:
        # Silently: telling "too soon" would reveal that the account exists.
        return None


def password_reset_confirm(*, token: uuid.UUID | str | None, code: str, new_password: str) -> User:
    """Set a new password once the code is right. Clears the login lockout (the code proved who
    it is) and revokes the mobile app's tokens (whoever had the old password loses access).

    Every code failure gets one vague message, and the password is judged only after the code is
    right, so nothing here tells whether the account exists.
    """
    otc = code_check(token=token, purpose=CodePurpose.PASSWORD_RESET, code=code, vague=True)
    user = User.objects.filter(pk=otc.payload.get("user_id"), is_active=True).first()
    if user is None:
        raise CodeError(_("Код неверен или устарел. Запросите новый код."))
    try:
        validate_password(new_password, user)
    except ValidationError as error:
        raise PasswordRejected(list(error.messages)) from None
    now = clock.now()
    with transaction.atomic():
        code_consume(otc=otc)
        user.set_password(new_password)
        user.save(update_fields=["password"])
        identifiers = {user.email.lower()} | ({user.phone} if user.phone else set())
        LoginAttempt.objects.bulk_create(
            LoginAttempt(identifier=identifier, succeeded=True, at=now) for identifier in identifiers
        )
        ApiToken.objects.filter(user=user, revoked_at=None).update(revoked_at=now)
    return user
