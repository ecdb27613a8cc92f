import datetime as dt
import uuid

import pytest
from django.conf import settings

from polis.accounts import services
from polis.accounts.models import CodePurpose, Consent, ConsentKind, OneTimeCode, Role, User
from polis.accounts.services import CodeError, CodeRateLimited, RegistrationError
from polis.accounts.services.errors import MISMATCH_MESSAGE
from polis.notify.models import OutboundMessage

from .conftest import PASSWORD, last_code, registration_data, wrong


def test_a_registered_person_gets_an_account_linked_to_their_insured_record(petrov, frozen_now):
    otc = services.registration_start(**registration_data(marketing_consent=True))

    sms = OutboundMessage.objects.get(recipient="+79265554433")
    assert sms.channel == "sms"
    user = services.registration_confirm(token=otc.token, code=last_code("+79265554433"), ip="192.0.2.11")

    assert (user.role, user.email, user.phone) == (Role.INSURED, "petrov@example.ru", "+79265554433")
    assert user.get_full_name() == "Петров Сергей Иванович"
    assert user.check_password(PASSWORD)
    petrov.refresh_from_db()
    assert petrov.user == user
    consents = {c.kind: c for c in Consent.objects.filter(user=user)}
    assert set(consents) == {ConsentKind.PERSONAL_DATA, ConsentKind.MARKETING}
    personal = consents[ConsentKind.PERSONAL_DATA]
    assert personal.text.version == "1"
    assert personal.given_at == frozen_now.return_value
    assert personal.ip_address == "192.0.2.10"
    assert personal.withdrawn_at is None


def test_without_the_marketing_tick_only_the_personal_data_consent_is_recorded(petrov):
    otc = services.registration_start(**registration_data())
    user = services.registration_confirm(token=otc.token, code=last_code("+79265554433"), ip=None)
    assert list(user.consents.values_list("kind", flat=True)) == [ConsentKind.PERSONAL_DATA]


def test_the_code_is_stored_only_as_a_hash_and_the_password_never_in_clear(petrov):
    otc = services.registration_start(**registration_data())
    code = last_code("+79265554433")
    otc.refresh_from_db()
    assert code not in otc.code_hash
    assert PASSWORD not in str(otc.payload)


def test_a_person_under_18_cannot_register(petrov):
    seventeen = dt.date(2009, 11, 21)  # turns 18 tomorrow
    with pytest.raises(RegistrationError) as error:
        services.registration_start(**registration_data(birth_date=seventeen))
    assert error.value.field == "birth_date"
    assert "совершеннолетн" in error.value.message
    assert not OneTimeCode.objects.exists()


def test_a_person_turning_18_today_may_register(db):
    from polis.testing import factories as f

    person = f.InsuredPersonFactory(
        last_name="Юнг", first_name="Ольга", patronymic="", birth_date=dt.date(2008, 11, 20)
    )
    f.PolicyFactory(insured=person, number="Y-1")
    otc = services.registration_start(
        **registration_data(last_name="Юнг", first_name="Ольга", patronymic="", birth_date=person.birth_date,
                            policy_number="Y-1")
    )  # fmt: skip
    assert otc.payload["insured_id"] == person.pk


@pytest.mark.parametrize(
    "wrong_detail",
    [
        {"last_name": "Петренко"},
        {"first_name": "Семён"},
        {"patronymic": ""},
        {"birth_date": dt.date(1985, 3, 15)},
        {"policy_number": "003-0000043"},
        {"policy_number": "001-0000001"},  # alice's real number: it exists, but is not his
    ],
)
def test_a_mismatch_gets_the_same_message_whatever_was_wrong(petrov, alice, wrong_detail):
    with pytest.raises(RegistrationError) as error:
        services.registration_start(**registration_data(**wrong_detail))
    assert error.value.message == str(MISMATCH_MESSAGE)
    assert error.value.field is None
    assert not OneTimeCode.objects.exists()


def test_an_insured_who_already_has_an_account_is_sent_to_log_in(alice, alice_person):
    with pytest.raises(RegistrationError) as error:
        services.registration_start(
            **registration_data(
                last_name=alice_person.last_name, first_name=alice_person.first_name,
                patronymic=alice_person.patronymic, birth_date=alice_person.birth_date,
                policy_number="001-0000001", email="another@example.ru", phone="+79990001122",
            )
        )  # fmt: skip
    assert "уже есть учётная запись" in error.value.message
    assert "восстановите пароль" in error.value.message


def test_an_email_or_phone_of_an_existing_account_is_refused_with_a_hint_to_log_in(petrov, alice):
    with pytest.raises(RegistrationError) as error:
        services.registration_start(**registration_data(email="ALICE@example.ru"))
    assert error.value.field == "email"
    assert "Войдите" in error.value.message
    with pytest.raises(RegistrationError) as error:
        services.registration_start(**registration_data(phone="+7 916 123-45-67"))
    assert error.value.field == "phone"


def test_a_weak_password_is_refused_before_anything_is_sent(petrov):
    with pytest.raises(RegistrationError) as error:
        services.registration_start(**registration_data(password="12345678"))
    assert error.value.field == "password"
    assert not OutboundMessage.objects.exists()


def test_a_code_expires(petrov, frozen_now):
    otc = services.registration_start(**registration_data())
    code = last_code("+79265554433")
    frozen_now.return_value += dt.timedelta(seconds=settings.POLIS_CODE_TTL_SECONDS + 1)
    with pytest.raises(CodeError, match="истёк"):
        services.registration_confirm(token=otc.token, code=code, ip=None)
    assert not User.objects.filter(email="petrov@example.ru").exists()


def test_a_code_allows_only_a_few_attempts_even_if_the_last_one_is_right(petrov):
    otc = services.registration_start(**registration_data())
    code = last_code("+79265554433")
    for _ in range(settings.POLIS_CODE_MAX_ATTEMPTS):
        with pytest.raises(CodeError, match="Неверный код"):
            services.registration_confirm(token=otc.token, code=wrong(code), ip=None)
    with pytest.raises(CodeError, match="Слишком много"):
        services.registration_confirm(token=otc.token, code=code, ip=None)
    otc.refresh_from_db()
    assert otc.attempts == settings.POLIS_CODE_MAX_ATTEMPTS


def test_the_right_code_on_the_last_allowed_attempt_still_works(petrov):
    otc = services.registration_start(**registration_data())
    code = last_code("+79265554433")
    for _ in range(settings.POLIS_CODE_MAX_ATTEMPTS - 1):
        with pytest.raises(CodeError):
            services.registration_confirm(token=otc.token, code=wrong(code), ip=None)
    assert services.registration_confirm(token=otc.token, code=code, ip=None).email == "petrov@example.ru"


def test_a_code_works_once_so_a_double_submit_creates_one_user(petrov):
    otc = services.registration_start(**registration_data())
    code = last_code("+79265554433")
    services.registration_confirm(token=otc.token, code=code, ip=None)
    with pytest.raises(CodeError, match="уже использован"):
        services.registration_confirm(token=otc.token, code=code, ip=None)
    assert User.objects.filter(email="petrov@example.ru").count() == 1


def test_an_unknown_token_is_refused(db):
    with pytest.raises(CodeError):
        services.registration_confirm(token=uuid.uuid4(), code="123456", ip=None)


def test_a_new_code_can_be_asked_once_a_minute_and_five_times_an_hour(petrov, frozen_now):
    otc = services.registration_start(**registration_data())
    with pytest.raises(CodeRateLimited, match="через 60 с"):
        services.code_resend(token=otc.token)
    with pytest.raises(CodeRateLimited):
        services.registration_start(**registration_data())

    for _ in range(settings.POLIS_CODES_PER_HOUR - 1):
        frozen_now.return_value += dt.timedelta(seconds=settings.POLIS_CODE_RESEND_SECONDS)
        otc = services.code_resend(token=otc.token)
    frozen_now.return_value += dt.timedelta(seconds=settings.POLIS_CODE_RESEND_SECONDS)
    with pytest.raises(CodeRateLimited, match="за час") as error:
        services.code_resend(token=otc.token)
    assert error.value.retry_after > 0
    assert OneTimeCode.objects.filter(destination="+79265554433").count() == settings.POLIS_CODES_PER_HOUR

    frozen_now.return_value += dt.timedelta(hours=1)
    assert services.code_resend(token=otc.token).destination == "+79265554433"


def test_a_resent_code_replaces_the_old_one(petrov, frozen_now):
    old = services.registration_start(**registration_data())
    old_code = last_code("+79265554433")
    frozen_now.return_value += dt.timedelta(minutes=2)
    new = services.code_resend(token=old.token)
    new_code = last_code("+79265554433")
    with pytest.raises(CodeError):
        services.registration_confirm(token=old.token, code=old_code, ip=None)
    assert services.registration_confirm(token=new.token, code=new_code, ip=None).phone == "+79265554433"
    assert new.purpose == CodePurpose.REGISTRATION


def test_two_pending_registrations_for_one_insured_end_in_one_account(petrov, frozen_now):
    first = services.registration_start(**registration_data())
    first_code = last_code("+79265554433")
    second = services.registration_start(**registration_data(phone="+79035550000", email="other@example.ru"))
    services.registration_confirm(token=second.token, code=last_code("+79035550000"), ip=None)
    with pytest.raises(RegistrationError, match="уже есть учётная запись"):
        services.registration_confirm(token=first.token, code=first_code, ip=None)
    assert User.objects.filter(role=Role.INSURED, insured_records=petrov).count() == 1


def test_guessing_policy_numbers_from_one_address_is_slowed_down(petrov):
    for n in range(10):
        with pytest.raises(RegistrationError):
            services.registration_start(**registration_data(policy_number=f"003-99{n}"))
    with pytest.raises(services.RegistrationThrottled):
        services.registration_start(**registration_data())
    assert services.registration_start(**registration_data(ip="198.51.100.7")).destination == "+79265554433"
