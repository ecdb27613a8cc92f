"""Domain errors of accounts. Each carries a Russian message for a person; views put it next to
the form field named by `field` (None: above the form), the API returns it as `detail`."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class AccountsError(Exception):
    field: str | None = None

    def __init__(self, message: str | Promise, *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        if field is not None:
            self.field = field


class RegistrationError(AccountsError):
    pass


class RegistrationThrottled(RegistrationError):
    """Too many failed attempts to match an insured record from one address."""


class CodeError(AccountsError):
    """A one-time code is wrong, expired, used up or unknown."""

    field = "code"


class CodeRateLimited(CodeError):
    """A new code was asked for too soon. `retry_after` is in seconds."""

    def __init__(self, message: str | Promise, *, retry_after: int, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_after = retry_after


class InvalidCredentials(AccountsError):
    def __init__(self, message: str | Promise, *, remaining_attempts: int) -> None:
        super().__init__(message)
        self.remaining_attempts = remaining_attempts


class LoginLocked(AccountsError):
    """Too many failed logins for this phone or e-mail. `retry_after` is in seconds."""

    def __init__(self, message: str | Promise, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PasswordRejected(AccountsError):
    """The new password fails the password validators; `messages` lists every reason."""

    field = "password"

    def __init__(self, messages: list[str]) -> None:
        super().__init__(" ".join(messages))
        self.messages = messages


class ConsentError(AccountsError):
    pass


class PolicyAttachError(AccountsError):
    field = "number"


# The one answer to every mismatch: it must not tell which detail was wrong.
MISMATCH_MESSAGE = _(
    "Не удалось найти застрахованного по этим данным. Проверьте фамилию, имя, отчество (как в полисе), "
    "дату рождения и номер полиса или табельный номер. Если всё верно, обратитесь к администратору "
    "договора или на медицинский пульт."
)
