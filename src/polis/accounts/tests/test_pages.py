"""The registration pages end to end, and who may open the insured's pages."""

import datetime as dt

import pytest
from django.urls import reverse

from polis.accounts.models import OneTimeCode, User
from polis.coverage.models import InsuredPerson

from .conftest import PASSWORD, last_code, wrong

FORM = {
    "last_name": "петров",
    "first_name": "Сергей",
    "patronymic": "Иванович",
    "birth_date": "14.03.1985",
    "policy_number": "тн-7781",
    "phone": "+7 (926) 555-44-33",
    "email": "petrov@example.ru",
    "password1": PASSWORD,
    "password2": PASSWORD,
    "personal_data_consent": "on",
}


def test_a_newcomer_registers_confirms_the_sms_code_and_is_logged_in(client, petrov):
    page = client.get(reverse("accounts:register")).content.decode()
    assert "Полис / табельный номер" in page
    assert "Текст согласия (редакция 1)" in page

    response = client.post(reverse("accounts:register"), FORM)
    assert response.url == reverse("accounts:register_confirm")
    page = client.get(reverse("accounts:register_confirm")).content.decode()
    assert "+7 926 ***-**-33" in page
    assert "hx-post" in page

    response = client.post(reverse("accounts:register_confirm"), {"code": last_code("+79265554433")})
    assert response.url == reverse("home")
    user = User.objects.get(email="petrov@example.ru")
    assert int(client.session["_auth_user_id"]) == user.pk
    assert InsuredPerson.objects.get(pk=petrov.pk).user == user
    assert client.session.get_expire_at_browser_close()


def test_a_wrong_code_is_shown_next_to_the_code_field(client, petrov):
    client.post(reverse("accounts:register"), FORM)
    response = client.post(reverse("accounts:register_confirm"), {"code": wrong(last_code("+79265554433"))})
    assert response.status_code == 200
    assert 'id="id_code_error">Неверный код. Осталось попыток: 4.' in response.content.decode()


def test_the_confirm_page_without_a_pending_registration_goes_back_to_the_form(client, db):
    assert client.get(reverse("accounts:register_confirm")).url == reverse("accounts:register")


def test_the_resend_button_answers_htmx_with_a_fragment(client, petrov, frozen_now):
    client.post(reverse("accounts:register"), FORM)
    response = client.post(reverse("accounts:register_resend"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Новый код можно запросить через 60 с" in response.content.decode()
    assert "<html" not in response.content.decode()

    frozen_now.return_value += dt.timedelta(minutes=1)
    response = client.post(reverse("accounts:register_resend"), HTTP_HX_REQUEST="true")
    assert "Новый код отправлен на +7 926 ***-**-33" in response.content.decode()
    assert OneTimeCode.objects.count() == 2
    # The session now follows the new code.
    response = client.post(reverse("accounts:register_confirm"), {"code": last_code("+79265554433")})
    assert response.url == reverse("home")


def test_a_failed_registration_keeps_what_was_typed_and_explains_in_russian(client, petrov):
    response = client.post(reverse("accounts:register"), {**FORM, "policy_number": "003-9999999"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Не удалось найти застрахованного по этим данным" in content
    for typed in ('value="петров"', 'value="14.03.1985"', 'value="003-9999999"', 'value="+7 (926) 555-44-33"',
                  'value="petrov@example.ru"'):  # fmt: skip
        assert typed in content
    assert PASSWORD not in content
    assert not OneTimeCode.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"birth_date": "1985-03-14"}, "birth_date", "ДД.ММ.ГГГГ"),
        ({"birth_date": "21.11.2008"}, "birth_date", "только совершеннолетние"),
        ({"phone": "+7 495 123-45-67"}, "phone", "мобильный номер"),
        ({"password2": "Something-else-1"}, "password2", "Пароли не совпадают"),
        ({"password1": "12345678", "password2": "12345678"}, "password1", "пароль"),
        ({"personal_data_consent": ""}, "personal_data_consent", "Без этого согласия"),
        ({"last_name": ""}, "last_name", "Обязательное поле"),
    ],
)
def test_each_registration_error_is_shown_next_to_its_field(client, petrov, change, field, message):
    response = client.post(reverse("accounts:register"), {**FORM, **change})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message.lower() in " ".join(errors[field]).lower()
    assert f'id="id_{field}_error"' in response.content.decode()


@pytest.mark.parametrize("name", ["accounts:profile", "accounts:policy_add", "accounts:consent_withdraw"])
def test_insured_pages_refuse_other_roles(client, hr_user, desk_user, clinic_user, backoffice_user, name):
    for user in (hr_user, desk_user, clinic_user, backoffice_user):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 403
    client.logout()
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_the_profile_shows_the_persons_name_phone_and_email(client, alice):
    client.force_login(alice)
    content = client.get(reverse("accounts:profile")).content.decode()
    assert "Смирнова Ирина" in content
    assert "+7 916 123-45-67" in content
    assert "alice@example.ru" in content
    assert reverse("accounts:policy_add") in content
