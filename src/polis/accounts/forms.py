"""Forms of the account pages. They check the shape of the input; the rules (who may register,
lockouts, codes) are the services'. Passwords are never sent back into the page."""

from typing import Any

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html, validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from polis.phone import InvalidPhone, normalize_phone

DATE_FORMAT_ERROR = _("Введите дату в формате ДД.ММ.ГГГГ, например 12.04.1988.")
PASSWORDS_DIFFER = _("Пароли не совпадают.")


def _text(label: Any, *, required: bool = True, autocomplete: str = "", **attrs: str) -> forms.CharField:
    widget_attrs = {"autocomplete": autocomplete, **attrs} if autocomplete else dict(attrs)
    return forms.CharField(label=label, required=required, max_length=100, widget=forms.TextInput(attrs=widget_attrs))


def _password(label: Any, autocomplete: str = "new-password") -> forms.CharField:
    return forms.CharField(
        label=label, strip=False, max_length=128, widget=forms.PasswordInput(attrs={"autocomplete": autocomplete})
    )


class LoginForm(forms.Form):
    login = forms.CharField(
        label=_("Телефон или e-mail"),
        max_length=254,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autofocus": True, "placeholder": "+7 912 345-67-89"}
        ),
    )
    password = _password(_("Пароль"), autocomplete="current-password")
    remember = forms.BooleanField(label=_("Запомнить меня"), required=False)


class RegistrationForm(forms.Form):
    last_name = _text(_("Фамилия"), autocomplete="family-name")
    first_name = _text(_("Имя"), autocomplete="given-name")
    patronymic = _text(_("Отчество"), required=False, autocomplete="additional-name")
    birth_date = forms.DateField(
        label=_("Дата рождения"),
        input_formats=["%d.%m.%Y"],
        error_messages={"invalid": DATE_FORMAT_ERROR},
        widget=forms.DateInput(
            format="%d.%m.%Y", attrs={"placeholder": "ДД.ММ.ГГГГ", "inputmode": "numeric", "autocomplete": "bday"}
        ),
    )
    policy_number = forms.CharField(
        label=_("Полис / табельный номер"),
        max_length=40,
        help_text=_("Номер полиса ДМС или ваш табельный номер у работодателя."),
    )
    phone = forms.CharField(
        label=_("Мобильный телефон"),
        max_length=40,
        help_text=_("На него придёт SMS с кодом подтверждения."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "placeholder": "+7 912 345-67-89"}),
    )
    email = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password1 = _password(_("Пароль"))
    password2 = _password(_("Пароль ещё раз"))
    personal_data_consent = forms.BooleanField(
        label=_("Даю согласие на обработку персональных данных, включая сведения о состоянии здоровья"),
        error_messages={"required": _("Без этого согласия страховщик не может вести ваш полис в личном кабинете.")},
    )
    marketing_consent = forms.BooleanField(
        label=_("Хочу получать новости и предложения по e-mail и SMS (необязательно)"), required=False
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["password1"].help_text = password_validators_help_text_html()

    def clean_phone(self) -> str:
        try:
            return normalize_phone(self.cleaned_data["phone"])
        except InvalidPhone:
            raise ValidationError(_("Введите российский мобильный номер, например +7 912 345-67-89.")) from None

    def clean_password2(self) -> str:
        first, second = self.cleaned_data.get("password1"), self.cleaned_data.get("password2", "")
        if first and first != second:
            raise ValidationError(PASSWORDS_DIFFER)
        return second


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Код из SMS"),
        max_length=6,
        min_length=6,
        error_messages={"min_length": _("Код состоит из 6 цифр.")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "class": "code-input", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit():
            raise ValidationError(_("Код состоит из 6 цифр."))
        return code


class PasswordResetForm(forms.Form):
    login = forms.CharField(
        label=_("Телефон или e-mail"),
        max_length=254,
        help_text=_("Если указать телефон, код придёт в SMS; если e-mail — письмом."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )


class PasswordResetConfirmForm(CodeForm):
    new_password1 = _password(_("Новый пароль"))
    new_password2 = _password(_("Новый пароль ещё раз"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["code"].label = _("Код из SMS или письма")
        self.fields["new_password1"].help_text = password_validators_help_text_html()

    def clean_new_password1(self) -> str:
        password = self.cleaned_data["new_password1"]
        # Without the user: the same for everyone, so it cannot tell whether the account exists.
        validate_password(password)
        return password

    def clean_new_password2(self) -> str:
        first, second = self.cleaned_data.get("new_password1"), self.cleaned_data.get("new_password2", "")
        if first and first != second:
            raise ValidationError(PASSWORDS_DIFFER)
        return second


class PolicyAddForm(forms.Form):
    number = forms.CharField(
        label=_("Номер полиса"),
        max_length=40,
        help_text=_("Полис продления или полис по другому договору, оформленный на ваши ФИО и дату рождения."),
    )


class ConsentWithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Я понимаю, что страхование по моим полисам прекратится сегодня"),
        error_messages={"required": _("Подтвердите, что понимаете последствия отзыва согласия.")},
    )
