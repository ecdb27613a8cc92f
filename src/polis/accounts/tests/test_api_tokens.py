import datetime as dt
import hashlib

from django.conf import settings

from polis.accounts import services
from polis.accounts.models import ApiToken


def test_a_token_identifies_its_user_and_only_its_hash_is_stored(alice, frozen_now):
    key = services.api_token_issue(user=alice, name="Pixel 8")
    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in token.key_hash
    assert token.expires_at == frozen_now.return_value + dt.timedelta(days=settings.POLIS_API_TOKEN_DAYS)

    frozen_now.return_value += dt.timedelta(hours=1)
    assert services.api_token_user(key=key) == alice
    token.refresh_from_db()
    assert token.last_used_at == frozen_now.return_value


def test_unknown_revoked_and_expired_tokens_are_refused(alice, frozen_now):
    assert services.api_token_user(key="") is None
    assert services.api_token_user(key="not-a-key") is None

    revoked = services.api_token_issue(user=alice, name="old phone")
    assert services.api_token_revoke(key=revoked) is True
    assert services.api_token_revoke(key=revoked) is False
    assert services.api_token_user(key=revoked) is None

    expiring = services.api_token_issue(user=alice, name="tablet")
    frozen_now.return_value += dt.timedelta(days=settings.POLIS_API_TOKEN_DAYS, seconds=1)
    assert services.api_token_user(key=expiring) is None


def test_a_blocked_users_token_is_refused(alice):
    key = services.api_token_issue(user=alice, name="phone")
    alice.is_active = False
    alice.save()
    assert services.api_token_user(key=key) is None
