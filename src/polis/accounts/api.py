"""Login, registration, password reset and the profile for the mobile app. The same services as
the web pages: the same checks, limits and messages."""

import datetime as dt
import uuid

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from polis.accounts import selectors, services
from polis.accounts.models import ApiToken, ConsentKind, OneTimeCode, User
from polis.api.errors import ApiError
from polis.api.schemas import ErrorOut, MessageOut
from polis.phone import mask_phone

auth_router = Router(auth=None)
me_router = Router()

ERRORS = {400: ErrorOut, 401: ErrorOut, 429: ErrorOut}


class UserOut(Schema):
    id: int
    email: str
    phone: str | None
    last_name: str
    first_name: str
    patronymic: str
    role: str


class TokenOut(Schema):
    token: str = Field(description="Передавайте в заголовке Authorization: Bearer <token>")
    expires_at: dt.datetime
    user: UserOut


class LoginIn(Schema):
    login: str = Field(description="Телефон в любом привычном виде (8 912…, +7 (912)…) или e-mail")
    password: str
    device: str = Field("", description="Название устройства, видно в профиле")


class RegisterIn(Schema):
    last_name: str
    first_name: str
    patronymic: str = ""
    birth_date: dt.date
    policy_number: str = Field(description="Номер полиса или табельный номер")
    phone: str
    email: str
    password: str
    password_confirm: str
    personal_data_consent: bool = Field(
        description="Согласие на обработку персональных данных, включая сведения о здоровье (обязательно)"
    )
    marketing_consent: bool = False


class PendingOut(Schema):
    confirmation_token: uuid.UUID
    sent_to: str
    expires_at: dt.datetime


class ConfirmIn(Schema):
    confirmation_token: uuid.UUID
    code: str
    device: str = ""


class ResendIn(Schema):
    confirmation_token: uuid.UUID


class ResetIn(Schema):
    login: str


class ResetOut(Schema):
    detail: str
    confirmation_token: uuid.UUID


class ResetConfirmIn(Schema):
    confirmation_token: uuid.UUID
    code: str
    new_password: str
    new_password_confirm: str


class ConsentOut(Schema):
    kind: str
    title: str
    version: str
    given_at: dt.datetime
    withdrawn_at: dt.datetime | None


class WithdrawIn(Schema):
    confirm: bool = Field(description="true: я понимаю, что страхование по моим полисам прекратится")


def _token(user: User, device: str) -> dict:
    key = services.api_token_issue(user=user, name=device[:100])
    token = ApiToken.objects.filter(user=user).order_by("-created_at", "-pk").first()
    assert token is not None
    return {"token": key, "expires_at": token.expires_at, "user": user}


def _pending(code: OneTimeCode) -> dict:
    return {"confirmation_token": code.token, "sent_to": mask_phone(code.destination), "expires_at": code.expires_at}


def _ip(request: HttpRequest) -> str | None:
    return services.client_ip(request)


@auth_router.post("/login", response={200: TokenOut, **ERRORS}, summary="Вход по телефону или e-mail")
def login(request: HttpRequest, payload: LoginIn) -> dict:
    """Five failed attempts in 15 minutes lock the login for 15 minutes (429 with Retry-After)."""
    user = services.credentials_check(login=payload.login, password=payload.password, ip=_ip(request))
    return _token(user, payload.device)


@auth_router.post("/register", response={201: PendingOut, **ERRORS}, summary="Регистрация: шаг 1, SMS-код")
def register(request: HttpRequest, payload: RegisterIn) -> Status[dict]:
    """Only adults register. The person is found by ФИО, birth date and policy (or personnel)
    number; if nothing matches, the answer is the same whatever was wrong."""
    if not payload.personal_data_consent:
        raise ApiError("Без согласия на обработку персональных данных регистрация невозможна", code="consent_required")
    if payload.password != payload.password_confirm:
        raise ApiError("Пароли не совпадают", code="password_mismatch")
    code = services.registration_start(
        last_name=payload.last_name,
        first_name=payload.first_name,
        patronymic=payload.patronymic,
        birth_date=payload.birth_date,
        policy_number=payload.policy_number,
        phone=payload.phone,
        email=payload.email,
        password=payload.password,
        marketing_consent=payload.marketing_consent,
        ip=_ip(request),
    )
    return Status(201, _pending(code))


@auth_router.post("/register/confirm", response={201: TokenOut, **ERRORS}, summary="Регистрация: шаг 2, код")
def register_confirm(request: HttpRequest, payload: ConfirmIn) -> Status[dict]:
    user = services.registration_confirm(token=payload.confirmation_token, code=payload.code, ip=_ip(request))
    return Status(201, _token(user, payload.device))


@auth_router.post("/register/resend", response={200: PendingOut, **ERRORS}, summary="Выслать код ещё раз")
def register_resend(request: HttpRequest, payload: ResendIn) -> dict:
    return _pending(services.code_resend(token=payload.confirmation_token))


@auth_router.post("/password-reset", response={200: ResetOut, **ERRORS}, summary="Восстановление пароля: код")
def password_reset(request: HttpRequest, payload: ResetIn) -> dict:
    """The answer is the same whether or not such a user exists (a token that leads nowhere)."""
    code = services.password_reset_start(login=payload.login)
    return {
        "detail": "Если такой пользователь есть, мы отправили ему код.",
        "confirmation_token": code.token if code else uuid.uuid4(),
    }


@auth_router.post(
    "/password-reset/confirm", response={200: MessageOut, **ERRORS}, summary="Восстановление пароля: новый пароль"
)
def password_reset_confirm(request: HttpRequest, payload: ResetConfirmIn) -> dict:
    if payload.new_password != payload.new_password_confirm:
        raise ApiError("Пароли не совпадают", code="password_mismatch")
    services.password_reset_confirm(
        token=payload.confirmation_token, code=payload.code, new_password=payload.new_password
    )
    return {"detail": "Пароль изменён. Войдите с новым паролем."}


@me_router.post("/logout", response={200: MessageOut}, summary="Выход: токен больше не действует")
def logout(request: HttpRequest) -> dict:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        services.api_token_revoke(key=header[7:].strip())
    return {"detail": "Вы вышли"}


@me_router.get("", response=UserOut, summary="Кто я")
def me(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@me_router.get("/consents", response=list[ConsentOut], summary="Мои согласия с редакциями и датами")
def consents(request: HttpRequest) -> list[dict]:
    assert isinstance(request.user, User)
    return [
        {
            "kind": c.kind,
            "title": c.text.title,
            "version": c.text.version,
            "given_at": c.given_at,
            "withdrawn_at": c.withdrawn_at,
        }
        for c in selectors.consents_of(viewer=request.user).select_related("text")
    ]


@me_router.put("/consents/marketing", response={200: MessageOut, **ERRORS}, summary="Согласиться на новости")
def marketing_give(request: HttpRequest) -> dict:
    assert isinstance(request.user, User)
    services.consent_give(user=request.user, kind=ConsentKind.MARKETING, ip=_ip(request))
    return {"detail": "Согласие на новости по e-mail и SMS дано"}


@me_router.delete("/consents/marketing", response={200: MessageOut, **ERRORS}, summary="Отказаться от новостей")
def marketing_withdraw(request: HttpRequest) -> dict:
    assert isinstance(request.user, User)
    services.consent_withdraw(user=request.user, kind=ConsentKind.MARKETING)
    return {"detail": "Новости больше не приходят"}


@me_router.post(
    "/consents/personal-data/withdraw",
    response={200: MessageOut, **ERRORS},
    summary="Отозвать согласие на обработку персональных данных",
)
def personal_data_withdraw(request: HttpRequest, payload: WithdrawIn) -> dict:
    """Coverage on the person's own policies ends today and the contract administrator is told
    (152-FZ: processing stops, data is destroyed within 30 days unless the law requires it kept)."""
    assert isinstance(request.user, User)
    if not payload.confirm:
        raise ApiError("Подтвердите отзыв согласия: confirm = true", code="confirm_required")
    services.consent_withdraw(user=request.user, kind=ConsentKind.PERSONAL_DATA)
    return {"detail": "Согласие отозвано. Страхование по вашим полисам прекращено с сегодняшнего дня."}
