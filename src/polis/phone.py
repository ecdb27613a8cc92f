"""Russian mobile numbers in every common spelling, reduced to one form: +7XXXXXXXXXX."""

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

_NON_DIGITS = re.compile(r"\D+")


class InvalidPhone(ValueError):
    pass


def normalize_phone(raw: str) -> str:
    """`8 912 345-67-89`, `+7 (912) 345 67 89`, `9123456789` → `+79123456789`.

    Raises InvalidPhone for anything that is not a Russian mobile number (+7 9XX …).
    """
    text = (raw or "").strip()
    if not text or re.search(r"[^\d\s()+\-.]", text) or text.count("+") > 1:
        raise InvalidPhone(raw)
    digits = _NON_DIGITS.sub("", text)
    if len(digits) == 11 and digits[0] in "78":
        digits = digits[1:]
    elif len(digits) != 10:
        raise InvalidPhone(raw)
    if text.startswith("+") and not text.startswith("+7"):
        raise InvalidPhone(raw)
    if digits[0] != "9":
        raise InvalidPhone(raw)
    return "+7" + digits


def format_phone(normalized: str) -> str:
    """+79123456789 → +7 912 345-67-89 for reading."""
    d = normalized[2:]
    if not normalized.startswith("+7") or len(d) != 10:
        return normalized
    return f"+7 {d[:3]} {d[3:6]}-{d[6:8]}-{d[8:]}"


def mask_phone(normalized: str) -> str:
    """+79123456789 → +7 912 ***-**-89: enough to recognise one's own number."""
    d = normalized[2:]
    if len(d) != 10:
        return "***"
    return f"+7 {d[:3]} ***-**-{d[8:]}"


class MobilePhoneField(forms.CharField):
    """A form field for a Russian mobile number in any common spelling: cleans to +7XXXXXXXXXX
    ("" when left empty and not required), with the one message every form shows."""

    default_error_messages = {"phone": _("Введите мобильный номер, например +7 912 345-67-89.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "tel", "placeholder": "+7 912 345-67-89"}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        text = super().clean(value).strip()
        if not text:
            return ""
        try:
            return normalize_phone(text)
        except InvalidPhone:
            raise forms.ValidationError(self.error_messages["phone"], code="phone") from None
