"""One-time codes: issued by SMS or e-mail, kept only as an HMAC, limited in time, tries and
sending rate. Everything is counted from `OneTimeCode` rows, so the limits hold on SQLite
without Redis and across all web processes."""

import datetime as dt
import math
import secrets
import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from polis import clock
from polis.accounts.models import CodePurpose, OneTimeCode
from polis.accounts.services.errors import CodeError, CodeRateLimited
from polis.notify.services import email_send, sms_send

CODE_DIGITS = 6
SENDING_WINDOW = dt.timedelta(hours=1)


def code_generate() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_hash(*, token: uuid.UUID | str, code: str) -> str:
    # An HMAC keyed with SECRET_KEY and bound to the row's token: a copy of the table alone does
    # not let anyone try the million six-digit codes offline.
    return salted_hmac("polis.accounts.one-time-code", f"{token}:{code.strip()}", algorithm="sha256").hexdigest()


def sending_throttle(*, destination: str) -> None:
    """Refuse a new code to this phone or address if one went out less than
    POLIS_CODE_RESEND_SECONDS ago or POLIS_CODES_PER_HOUR went out within the hour.

    Must run inside the transaction that creates the code. The newest row is locked, so on
    PostgreSQL two requests for the same destination count one after the other; only the very
    first code to a new destination has no row to lock, which lets at most one extra code through.
    """
    now = clock.now()
    recent = OneTimeCode.objects.filter(destination=destination, created_at__gt=now - SENDING_WINDOW)
    last = recent.select_for_update().order_by("-created_at").first()
    if last is None:
        return
    resend_after = last.created_at + dt.timedelta(seconds=settings.POLIS_CODE_RESEND_SECONDS)
    if now < resend_after:
        seconds = math.ceil((resend_after - now).total_seconds())
        raise CodeRateLimited(
            _("Код уже отправлен. Новый код можно запросить через %(seconds)d с.") % {"seconds": seconds},
            retry_after=seconds,
        )
    if recent.count() >= settings.POLIS_CODES_PER_HOUR:
        oldest = recent.order_by("created_at").values_list("created_at", flat=True).first()
        assert oldest is not None
        seconds = math.ceil((oldest + SENDING_WINDOW - now).total_seconds())
        raise CodeRateLimited(
            _("Слишком много кодов за час. Попробуйте через %(minutes)d мин.") % {"minutes": math.ceil(seconds / 60)},
            retry_after=seconds,
        )


def code_issue(*, purpose: str, destination: str, channel: str, payload: dict[str, Any]) -> OneTimeCode:
    """Create a code and put its message in the outbox (sent after commit). Caller holds the
    transaction and has called `sending_throttle`."""
    now = clock.now()
    code = code_generate()
    otc = OneTimeCode(
        purpose=purpose,
        destination=destination,
        created_at=now,
        expires_at=now + dt.timedelta(seconds=settings.POLIS_CODE_TTL_SECONDS),
        payload={**payload, "channel": channel},
    )
    otc.code_hash = code_hash(token=otc.token, code=code)
    otc.save()
    minutes = settings.POLIS_CODE_TTL_SECONDS // 60
    if purpose == CodePurpose.REGISTRATION:
        text = _("Код для регистрации в личном кабинете ДМС: %(code)s. Действует %(minutes)d мин.")
    else:
        text = _("Код для восстановления пароля: %(code)s. Действует %(minutes)d мин. Никому его не сообщайте.")
    text = text % {"code": code, "minutes": minutes}
    if channel == "sms":
        sms_send(phone=destination, text=text)
    else:
        email_send(to=destination, subject=_("Код подтверждения"), text=text)
    return otc


def code_find(*, token: uuid.UUID | str | None, purpose: str) -> OneTimeCode | None:
    try:
        token = uuid.UUID(str(token))
    except ValueError:
        return None
    return OneTimeCode.objects.filter(token=token, purpose=purpose).first()


def code_check(*, token: uuid.UUID | str | None, purpose: str, code: str, vague: bool = False) -> OneTimeCode:
    """Count one try and compare the code; the code stays unused (see `code_consume`).

    Call outside any transaction that the caller's error would roll back: the try must stay
    counted when the code is wrong. `vague` gives one message for every failure (password reset,
    where a precise message would tell whether the account exists).
    """
    vague_error = CodeError(_("Код неверен или устарел. Запросите новый код."))
    otc = code_find(token=token, purpose=purpose)
    if otc is None:
        raise vague_error if vague else CodeError(_("Запрос не найден. Начните заново."))
    now = clock.now()
    # Counting the try with a conditional UPDATE: parallel guesses each take one of the few
    # tries, and none gets past the limit.
    counted = OneTimeCode.objects.filter(
        pk=otc.pk, used_at=None, expires_at__gt=now, attempts__lt=settings.POLIS_CODE_MAX_ATTEMPTS
    ).update(attempts=F("attempts") + 1)
    if not counted:
        otc.refresh_from_db()
        if vague:
            raise vague_error
        if otc.used_at is not None:
            raise CodeError(_("Этот код уже использован."))
        if otc.expires_at <= now:
            raise CodeError(_("Срок действия кода истёк. Запросите новый код."))
        raise CodeError(_("Слишком много неверных попыток. Запросите новый код."))
    if not constant_time_compare(otc.code_hash, code_hash(token=otc.token, code=code or "")):
        if vague:
            raise vague_error
        left = settings.POLIS_CODE_MAX_ATTEMPTS - otc.attempts - 1
        if left <= 0:
            raise CodeError(_("Неверный код. Попытки закончились, запросите новый код."))
        raise CodeError(_("Неверный код. Осталось попыток: %(left)d.") % {"left": left})
    return otc


def code_consume(*, otc: OneTimeCode) -> None:
    """Mark the code used, inside the transaction that does what it confirms. Of two parallel
    submissions exactly one passes this conditional UPDATE; the other waits and gets 0 rows.
    The payload (names, contacts, a password hash) has done its job and is dropped."""
    if not OneTimeCode.objects.filter(pk=otc.pk, used_at=None).update(used_at=clock.now(), payload={}):
        raise CodeError(_("Этот код уже использован."))


@transaction.atomic
def code_resend(*, token: uuid.UUID | str) -> OneTimeCode:
    """A new code for a pending registration (or reset) under the same limits: a new row with a
    new token and fresh tries; the old code stops working."""
    try:
        token = uuid.UUID(str(token))
    except ValueError:
        raise CodeError(_("Запрос не найден. Начните заново.")) from None
    old = OneTimeCode.objects.select_for_update().filter(token=token, used_at=None).first()
    if old is None:
        raise CodeError(_("Запрос не найден или уже завершён. Начните заново."))
    sending_throttle(destination=old.destination)
    now = clock.now()
    OneTimeCode.objects.filter(pk=old.pk, expires_at__gt=now).update(expires_at=now)
    payload = {k: v for k, v in old.payload.items() if k != "channel"}
    return code_issue(
        purpose=old.purpose, destination=old.destination, channel=old.payload.get("channel", "sms"), payload=payload
    )
