"""The mobile API, /api/v1/: assembled from each app's router. OpenAPI 3.1 at
/api/v1/openapi.json, its docs page at /api/v1/docs (Swagger UI served by the project itself,
because `ninja` is an installed app)."""

from http import HTTPStatus
from typing import Any

from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from polis.accounts.api import auth_router, me_router
from polis.accounts.services import (
    AccountsError,
    CodeRateLimited,
    InvalidCredentials,
    LoginLocked,
)
from polis.api.auth import authenticated
from polis.api.errors import ApiError
from polis.billing.api import franchise_router
from polis.billing.disputes.api import disputes_router
from polis.billing.invoices.api import invoices_router
from polis.care.api import router as desk_router
from polis.care.clinic_api import router as clinic_letters_router
from polis.care.insured_api import router as care_router
from polis.coverage.api import router as policies_router
from polis.network.api_booking import booking_router
from polis.network.api_directory import clinics_router
from polis.payments.api import payments_router

api = NinjaAPI(
    title="Polis API",
    version="1",
    description=(
        "API личного кабинета застрахованного ДМС для мобильного приложения.\n\n"
        "Вход: `POST /auth/login` возвращает токен; дальше заголовок `Authorization: Bearer <токен>`. "
        "Ошибки приходят как `{detail, code, field}` с текстом для человека на русском. "
        "Деньги — целые копейки, даты — ISO 8601."
    ),
    urls_namespace="api-v1",
    auth=authenticated,
)

api.add_router("/auth", auth_router, tags=["Вход и регистрация"])
api.add_router("/me", me_router, tags=["Профиль и согласия"])
api.add_router("/policies", policies_router, tags=["Полисы"])
api.add_router("/desk", desk_router, tags=["Медицинский пульт"])
api.add_router("/care", care_router, tags=["Обращения, гарантийные письма, визиты"])
api.add_router("/clinic", clinic_letters_router, tags=["Клиника: гарантийные письма"])
api.add_router("/clinics", clinics_router, tags=["Клиники"])
api.add_router("/bookings", booking_router, tags=["Запись на приём"])
api.add_router("/franchise", franchise_router, tags=["Франшиза"])
api.add_router("/payments", payments_router, tags=["Платежи"])
api.add_router("", invoices_router, tags=["Счета по франшизе"])
api.add_router("/disputes", disputes_router, tags=["Несогласия с услугами"])


@api.get("/health", auth=None, tags=["Служебное"], summary="Проверка работоспособности")
def health(request: HttpRequest) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok"}


def _error(request: HttpRequest, status: int, detail: str, code: str, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "code": code, **extra}, status=status)


@api.exception_handler(ApiError)
def on_api_error(request: HttpRequest, error: ApiError) -> HttpResponse:
    return _error(request, error.status, error.detail, error.code)


@api.exception_handler(AccountsError)
def on_accounts_error(request: HttpRequest, error: AccountsError) -> HttpResponse:
    if isinstance(error, LoginLocked | CodeRateLimited):
        response = _error(request, HTTPStatus.TOO_MANY_REQUESTS, error.message, "rate_limited", field=error.field)
        response["Retry-After"] = str(error.retry_after)
        return response
    if isinstance(error, InvalidCredentials):
        return _error(request, HTTPStatus.UNAUTHORIZED, error.message, "invalid_credentials")
    code = type(error).__name__.removesuffix("Error").lower() or "invalid"
    return _error(request, HTTPStatus.BAD_REQUEST, error.message, code, field=error.field)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return _error(request, HTTPStatus.NOT_FOUND, "Не найдено", "not_found")


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return _error(request, HTTPStatus.UNAUTHORIZED, "Нужно войти: токен не передан, неверен или истёк", "unauthorized")


_PYDANTIC_MESSAGES = {
    "missing": "Обязательное поле",
    "date_from_datetime_parsing": "Дата в формате ГГГГ-ММ-ДД",
    "date_parsing": "Дата в формате ГГГГ-ММ-ДД",
    "date_type": "Дата в формате ГГГГ-ММ-ДД",
    "string_type": "Ожидается строка",
    "bool_parsing": "Ожидается true или false",
    "bool_type": "Ожидается true или false",
    "int_parsing": "Ожидается целое число",
    "string_too_long": "Слишком длинное значение",
    "string_too_short": "Слишком короткое значение",
    "value_error": "Неверное значение",
    "json_invalid": "Тело запроса — не JSON",
}


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, error: NinjaValidationError) -> HttpResponse:
    errors = []
    for item in error.errors:
        location = [str(p) for p in item.get("loc", ()) if p not in {"body", "query", "path", "payload"}]
        message = _PYDANTIC_MESSAGES.get(item.get("type", ""), "Неверное значение")
        errors.append({"field": ".".join(location), "message": message})
    return _error(request, HTTPStatus.UNPROCESSABLE_ENTITY, "Проверьте данные запроса", "validation", errors=errors)
