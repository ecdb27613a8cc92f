"""Registration of an insured person: match the insured record, confirm the phone by SMS,
create the account with its consents."""

import datetime as dt
import math
import uuid

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from polis import clock
from polis.accounts.models import CodePurpose, ConsentKind, LoginAttempt, OneTimeCode, Role, User
from polis.accounts.selectors import consent_text_current
from polis.accounts.services.codes import code_check, code_consume, code_issue, sending_throttle
from polis.accounts.services.consent import consent_record
from polis.accounts.services.errors import MISMATCH_MESSAGE, CodeError, RegistrationError, RegistrationThrottled
from polis.coverage.matching import find_insured
from polis.coverage.models import InsuredPerson
from polis.phone import InvalidPhone, normalize_phone

ADULT_AGE = 18
# Failed matches from one IP address per window. Name, birth date and a policy number are all the
# proof registration asks for, so guessing numbers for a known name must be slowed down.
REGISTRATION_MISMATCHES_PER_WINDOW = 10
REGISTRATION_MISMATCH_WINDOW = dt.timedelta(hours=1)


def _mismatch_identifier(ip: str) -> str:
    # Kept among login attempts: the same table, the same "failures in a window" question. Upper
    # case, because login identifiers are always lower case: typing this as a login cannot
    # lock someone's registrations.
    return f"REGISTRATION-IP:{ip}"


def _mismatch_throttle(ip: str | None) -> None:
    if not ip:
        return
    since = clock.now() - REGISTRATION_MISMATCH_WINDOW
    failures = LoginAttempt.objects.filter(identifier=_mismatch_identifier(ip), succeeded=False, at__gt=since)
    if failures.count() >= REGISTRATION_MISMATCHES_PER_WINDOW:
        oldest = failures.order_by("at").values_list("at", flat=True).first()
        assert oldest is not None
        minutes = math.ceil((oldest + REGISTRATION_MISMATCH_WINDOW - clock.now()).total_seconds() / 60)
        raise RegistrationThrottled(
            _("Слишком много неудачных попыток регистрации. Попробуйте через %(minutes)d мин.") % {"minutes": minutes}
        )


def _email_taken(email: str) -> bool:
    return User.objects.filter(email__iexact=email).exists()


def _phone_taken(phone: str) -> bool:
    return User.objects.filter(phone=phone).exists()


EMAIL_TAKEN = gettext_lazy("Этот e-mail уже зарегистрирован. Войдите в личный кабинет или восстановите пароль.")
PHONE_TAKEN = gettext_lazy("Этот телефон уже зарегистрирован. Войдите в личный кабинет или восстановите пароль.")
ALREADY_REGISTERED = gettext_lazy(
    "Для этого застрахованного уже есть учётная запись. Войдите в личный кабинет или восстановите пароль."
)


def registration_start(
    *,
    last_name: str,
    first_name: str,
    patronymic: str,
    birth_date: dt.date,
    policy_number: str,
    phone: str,
    email: str,
    password: str,
    marketing_consent: bool,
    ip: str | None,
) -> OneTimeCode:
    """Check the details, find the insured record and send an SMS code to the phone.

    Calling it means the person ticked the consent to processing personal and health data (the
    form and the API require the tick); the consent is recorded when the code is confirmed.
    Nothing but the code row is stored until then; the password only as a hash.
    """
    last_name, first_name, patronymic = (" ".join((s or "").split()) for s in (last_name, first_name, patronymic))
    email = (email or "").strip().lower()
    if not last_name:
        raise RegistrationError(_("Укажите фамилию."), field="last_name")
    if not first_name:
        raise RegistrationError(_("Укажите имя."), field="first_name")
    today = clock.today()
    if birth_date > today:
        raise RegistrationError(_("Дата рождения не может быть в будущем."), field="birth_date")
    if clock.age_on(birth_date, today) < ADULT_AGE:
        raise RegistrationError(
            _(
                "Зарегистрироваться могут только совершеннолетние. Полис ребёнка виден в личном кабинете "
                "родителя, который его оформил."
            ),
            field="birth_date",
        )
    try:
        phone = normalize_phone(phone)
    except InvalidPhone:
        raise RegistrationError(
            _("Введите российский мобильный номер, например +7 912 345-67-89."), field="phone"
        ) from None
    if _email_taken(email):
        raise RegistrationError(EMAIL_TAKEN, field="email")
    if _phone_taken(phone):
        raise RegistrationError(PHONE_TAKEN, field="phone")
    try:
        validate_password(
            password, User(email=email, phone=phone, last_name=last_name, first_name=first_name, patronymic=patronymic)
        )
    except ValidationError as error:
        raise RegistrationError(" ".join(error.messages), field="password") from None

    _mismatch_throttle(ip)
    insured = find_insured(
        last_name=last_name,
        first_name=first_name,
        patronymic=patronymic,
        birth_date=birth_date,
        policy_or_personnel_number=policy_number,
    )
    if insured is None:
        # Recorded outside the transaction below, so the failure counts even though we raise.
        if ip:
            LoginAttempt.objects.create(identifier=_mismatch_identifier(ip), ip_address=ip, at=clock.now())
        raise RegistrationError(MISMATCH_MESSAGE)
    if insured.user_id is not None:
        raise RegistrationError(ALREADY_REGISTERED)

    personal_text = consent_text_current(kind=ConsentKind.PERSONAL_DATA)
    if personal_text is None:
        raise RegistrationError(_("Регистрация временно недоступна: не опубликован текст согласия."))
    marketing_text = consent_text_current(kind=ConsentKind.MARKETING) if marketing_consent else None
    with transaction.atomic():
        sending_throttle(destination=phone)
        return code_issue(
            purpose=CodePurpose.REGISTRATION,
            destination=phone,
            channel="sms",
            payload={
                "last_name": last_name,
                "first_name": first_name,
                "patronymic": patronymic,
                "email": email,
                "phone": phone,
                "password_hash": make_password(password),
                "insured_id": insured.pk,
                "consent_text_ids": {
                    ConsentKind.PERSONAL_DATA: personal_text.pk,
                    **({ConsentKind.MARKETING: marketing_text.pk} if marketing_text else {}),
                },
                # The tick was made now, from here: that is what the consent records.
                "consent_given_at": clock.now().isoformat(),
                "ip": ip,
            },
        )


def registration_confirm(*, token: uuid.UUID | str, code: str, ip: str | None) -> User:
    """Create the account once the SMS code is right: the user, the link to the insured record
    and the consents. A double submit creates one user: the second gets "code already used"."""
    otc = code_check(token=token, purpose=CodePurpose.REGISTRATION, code=code)
    data = otc.payload
    with transaction.atomic():
        code_consume(otc=otc)
        # The account could have appeared meanwhile (another pending registration confirmed first).
        if _email_taken(data["email"]):
            raise RegistrationError(EMAIL_TAKEN, field="email")
        if _phone_taken(data["phone"]):
            raise RegistrationError(PHONE_TAKEN, field="phone")
        insured = InsuredPerson.objects.select_for_update().filter(pk=data["insured_id"]).first()
        if insured is None:
            raise CodeError(_("Запрос не найден. Начните регистрацию заново."))
        if insured.user_id is not None:
            raise RegistrationError(ALREADY_REGISTERED)
        user = User(
            email=data["email"],
            phone=data["phone"],
            last_name=data["last_name"],
            first_name=data["first_name"],
            patronymic=data["patronymic"],
            role=Role.INSURED,
            date_joined=clock.now(),
        )
        user.password = data["password_hash"]
        user.save()
        InsuredPerson.objects.filter(pk=insured.pk, user=None).update(user=user)
        given_at = dt.datetime.fromisoformat(data["consent_given_at"])
        for kind, text_id in data["consent_text_ids"].items():
            consent_record(user=user, kind=kind, text_id=text_id, given_at=given_at, ip=data.get("ip") or ip)
    return user
