"""Login, logout, registration and password reset pages. Thin: parse the form, call a service,
show its error next to the field. The profile pages are in `profile_views`."""

from django import forms
from django.contrib import auth, messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from polis.accounts import selectors, services
from polis.accounts.forms import CodeForm, LoginForm, PasswordResetConfirmForm, PasswordResetForm, RegistrationForm
from polis.accounts.models import CodePurpose, ConsentKind
from polis.accounts.services import AccountsError, PasswordRejected
from polis.phone import mask_phone

# The pending registration and reset live in the session: the token never shows in a URL, and
# a reset page looks the same whether or not a code was really sent.
SESSION_REGISTRATION = "accounts.registration_token"
SESSION_RESET = "accounts.reset_token"
BACKEND = "polis.accounts.backends.PhoneOrEmailBackend"
RESET_SENT = gettext_lazy(
    "Если такой пользователь есть, мы отправили код на указанный телефон или e-mail. "
    "Новый код можно запросить не чаще раза в минуту."
)


def show_error(form: forms.Form, error: AccountsError, renames: dict[str, str] | None = None) -> None:
    """Put a service's message next to its field (renamed where the form names it otherwise)."""
    field = (renames or {}).get(error.field or "", error.field)
    target = field if field in form.fields else None
    for message in error.messages if isinstance(error, PasswordRejected) else [error.message]:
        form.add_error(target, message)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.method == "GET" and request.user.is_authenticated:
        return redirect(_next_url(request))
    form = LoginForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.login(
                request=request,
                login=form.cleaned_data["login"],
                password=form.cleaned_data["password"],
                remember=form.cleaned_data["remember"],
            )
        except AccountsError as error:
            show_error(form, error)
        else:
            return redirect(_next_url(request))
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    auth.logout(request)
    messages.info(request, _("Вы вышли из личного кабинета."))
    return redirect("accounts:login")


def _consent_texts() -> dict[str, object]:
    return {
        "personal_text": selectors.consent_text_current(kind=ConsentKind.PERSONAL_DATA),
        "marketing_text": selectors.consent_text_current(kind=ConsentKind.MARKETING),
    }


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = RegistrationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            otc = services.registration_start(
                last_name=data["last_name"],
                first_name=data["first_name"],
                patronymic=data["patronymic"],
                birth_date=data["birth_date"],
                policy_number=data["policy_number"],
                phone=data["phone"],
                email=data["email"],
                password=data["password1"],
                marketing_consent=data["marketing_consent"],
                ip=services.client_ip(request),
            )
        except AccountsError as error:
            show_error(form, error, {"password": "password1", "code": "phone"})
        else:
            request.session[SESSION_REGISTRATION] = str(otc.token)
            return redirect("accounts:register_confirm")
    return render(request, "accounts/register.html", {"form": form, **_consent_texts()})


@require_http_methods(["GET", "POST"])
def register_confirm(request: HttpRequest) -> HttpResponse:
    token = request.session.get(SESSION_REGISTRATION)
    pending = selectors.pending_code(token=token, purpose=CodePurpose.REGISTRATION)
    if pending is None:
        if request.user.is_authenticated:  # a double submit after the account was created
            return redirect("home")
        messages.info(request, _("Заполните форму регистрации, чтобы получить код."))
        return redirect("accounts:register")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.registration_confirm(
                token=pending.token, code=form.cleaned_data["code"], ip=services.client_ip(request)
            )
        except AccountsError as error:
            show_error(form, error)
        else:
            request.session.pop(SESSION_REGISTRATION, None)
            auth.login(request, user, backend=BACKEND)
            request.session.set_expiry(0)
            messages.success(request, _("Регистрация завершена. Добро пожаловать в личный кабинет!"))
            return redirect("home")
    return render(
        request, "accounts/register_confirm.html", {"form": form, "masked_phone": mask_phone(pending.destination)}
    )


@require_POST
def register_resend(request: HttpRequest) -> HttpResponse:
    try:
        otc = services.code_resend(token=request.session.get(SESSION_REGISTRATION) or "")
    except AccountsError as error:
        text, ok = error.message, False
    else:
        request.session[SESSION_REGISTRATION] = str(otc.token)
        text, ok = _("Новый код отправлен на %(phone)s.") % {"phone": mask_phone(otc.destination)}, True
    if request.headers.get("HX-Request"):
        return render(request, "accounts/_resend_status.html", {"text": text, "ok": ok})
    (messages.success if ok else messages.error)(request, text)
    return redirect("accounts:register_confirm")


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = PasswordResetForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        otc = services.password_reset_start(login=form.cleaned_data["login"])
        if otc is not None:
            request.session[SESSION_RESET] = str(otc.token)
        messages.info(request, RESET_SENT)
        return redirect("accounts:password_reset_confirm")
    return render(request, "accounts/password_reset.html", {"form": form})


@require_http_methods(["GET", "POST"])
def password_reset_confirm(request: HttpRequest) -> HttpResponse:
    form = PasswordResetConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_confirm(
                token=request.session.get(SESSION_RESET),
                code=form.cleaned_data["code"],
                new_password=form.cleaned_data["new_password1"],
            )
        except AccountsError as error:
            show_error(form, error, {"password": "new_password1"})
        else:
            request.session.pop(SESSION_RESET, None)
            messages.success(request, _("Пароль изменён. Войдите с новым паролем."))
            return redirect("accounts:login")
    return render(request, "accounts/password_reset_confirm.html", {"form": form})


def consent_text(request: HttpRequest, kind: str) -> HttpResponse:
    """The current wording of a consent, readable before registering."""
    if kind not in ConsentKind.values:
        raise Http404
    text = selectors.consent_text_current(kind=kind)
    if text is None:
        raise Http404
    return render(request, "accounts/consent_text.html", {"text": text})
