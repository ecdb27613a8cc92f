"""Bearer tokens for the mobile app. The raw key is shown once; only its SHA-256 is stored
(a random 256-bit key needs no slow hash, and a lookup by hash stays one indexed query)."""

import datetime as dt
import hashlib
import secrets

from django.conf import settings

from polis import clock
from polis.accounts.models import ApiToken, User


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_issue(*, user: User, name: str) -> str:
    now = clock.now()
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        key_hash=_key_hash(key),
        name=(name or "")[:100],
        created_at=now,
        expires_at=now + dt.timedelta(days=settings.POLIS_API_TOKEN_DAYS),
    )
    return key


def api_token_user(*, key: str) -> User | None:
    """The active user a live token belongs to, or None (unknown, revoked, expired, user blocked)."""
    if not key:
        return None
    now = clock.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_key_hash(key), revoked_at=None, expires_at__gt=now, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def api_token_revoke(*, key: str) -> bool:
    """Revoke a token (logout in the app); False if it was unknown or already revoked."""
    return bool(ApiToken.objects.filter(key_hash=_key_hash(key), revoked_at=None).update(revoked_at=clock.now()))
