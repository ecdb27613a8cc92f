"""Log in by e-mail or by a Russian mobile number in any common spelling."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from polis.accounts.models import User
from polis.phone import InvalidPhone, normalize_phone


def find_user_by_login(login: str) -> User | None:
    login = (login or "").strip()
    if not login:
        return None
    if "@" in login:
        return User.objects.filter(email__iexact=login).first()
    try:
        phone = normalize_phone(login)
    except InvalidPhone:
        return None
    return User.objects.filter(phone=phone).first()


class PhoneOrEmailBackend(ModelBackend):
    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        user = find_user_by_login(username or kwargs.get("email") or "")
        if user is None:
            # Spend the same time as a real check, so timing does not tell who exists.
            User().set_password(password)
            return None
        if password and user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
