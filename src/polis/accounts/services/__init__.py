"""Every write about accounts, for the web pages and the mobile API alike. Keyword-only, atomic,
free of HttpRequest except `login`; errors are exceptions from `errors` with a Russian message."""

from polis.accounts.services.codes import code_resend
from polis.accounts.services.consent import consent_give, consent_withdraw
from polis.accounts.services.errors import (
    AccountsError,
    CodeError,
    CodeRateLimited,
    ConsentError,
    InvalidCredentials,
    LoginLocked,
    PasswordRejected,
    PolicyAttachError,
    RegistrationError,
    RegistrationThrottled,
)
from polis.accounts.services.login import (
    client_ip,
    credentials_check,
    login,
    login_identifier,
    password_reset_confirm,
    password_reset_start,
)
from polis.accounts.services.policies import policy_attach
from polis.accounts.services.registration import registration_confirm, registration_start
from polis.accounts.services.tokens import api_token_issue, api_token_revoke, api_token_user

__all__ = [
    "AccountsError",
    "CodeError",
    "CodeRateLimited",
    "ConsentError",
    "InvalidCredentials",
    "LoginLocked",
    "PasswordRejected",
    "PolicyAttachError",
    "RegistrationError",
    "RegistrationThrottled",
    "api_token_issue",
    "api_token_revoke",
    "api_token_user",
    "client_ip",
    "code_resend",
    "consent_give",
    "consent_withdraw",
    "credentials_check",
    "login",
    "login_identifier",
    "password_reset_confirm",
    "password_reset_start",
    "policy_attach",
    "registration_confirm",
    "registration_start",
]
