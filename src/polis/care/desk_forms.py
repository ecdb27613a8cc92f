"""Forms of the desk's request, letter and escalation pages. They parse what was typed; the rules
(who may, which clinic, how long a letter runs) are the services' (care.desk)."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from polis.care.desk_letters import ServiceLine
from polis.care.models import LetterKind, RefusalReason, TimeWindow, Urgency
from polis.care.states import CareError
from polis.money import to_kopecks
from polis.network.models import Clinic, KindOfCare
from polis.phone import MobilePhoneField

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
DATE_ERRORS = {"invalid": _("Введите дату в формате ДД.ММ.ГГГГ.")}


class RefusalMixin:
    """A CareError shown next to its field when the form has one, above the form otherwise."""

    fields: dict[str, forms.Field]
    field_aliases: dict[str, str] = {}

    def add_refusal(self, error: CareError) -> None:
        field = self.field_aliases.get(error.field or "", error.field)
        self.add_error(field if field in self.fields else None, error.message)  # type: ignore[attr-defined]


class RublesField(forms.DecimalField):
    """Rubles as people type them: «50 000,50», «50000.50»."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = "".join(value.split()).replace(",", ".")
        return super().to_python(value)


def _rubles_field(label: Any) -> forms.DecimalField:
    return RublesField(
        label=label,
        required=False,
        min_value=Decimal("0.01"),
        max_digits=14,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "50 000,00"}),
        error_messages={"invalid": _("Введите сумму в рублях, например 50 000,00.")},
    )


def _kopecks(value: Decimal | None) -> int | None:
    return to_kopecks(value) if value is not None else None


CLINIC_ERRORS = {"invalid_choice": _("Выберите клинику из списка."), "required": _("Выберите клинику.")}


def _clinic_choices(clinics: Sequence[Clinic]) -> list[tuple[str, str]]:
    return [(str(c.pk), f"{c.name} — {c.city}, {c.address}") for c in clinics]


class ClinicChoiceMixin:
    clinics: dict[int, Clinic]

    def clean_clinic(self) -> Clinic:
        value = self.cleaned_data["clinic"]  # type: ignore[attr-defined]
        found = self.clinics.get(int(value))
        if found is None:
            raise forms.ValidationError(_("Выберите клинику из списка."))
        return found


class RefuseForm(RefusalMixin, forms.Form):
    reason = forms.ChoiceField(label=_("Почему не страховой случай"), choices=RefusalReason.choices)
    answer = forms.CharField(
        label=_("Ответ застрахованному"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class LetterForm(RefusalMixin, ClinicChoiceMixin, forms.Form):
    clinic = forms.ChoiceField(label=_("Клиника"), error_messages=CLINIC_ERRORS)
    kind = forms.ChoiceField(label=_("Вид помощи"), choices=LetterKind.choices)
    complaints = forms.CharField(
        label=_("Жалобы"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    icd10 = forms.CharField(
        label=_("Диагноз по МКБ-10"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"placeholder": "J06.9"}),
    )
    scope = forms.CharField(
        label=_("Объём помощи"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Словами, или оставьте пустым и перечислите услуги ниже."),
    )
    services = forms.CharField(
        label=_("Услуги"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "B01.047.001; Приём терапевта первичный; 1"}),
        help_text=_("По строке на услугу: код; название; количество."),
    )
    sum_limit = _rubles_field(_("Лимит суммы, ₽"))
    valid_from = forms.DateField(label=_("Действует с"), required=False, widget=DATE, error_messages=DATE_ERRORS)
    valid_to = forms.DateField(
        label=_("Действует по"),
        required=False,
        widget=DATE,
        error_messages=DATE_ERRORS,
        help_text=_("Пусто — месяц со дня начала."),
    )

    def __init__(self, *args: Any, clinics: Sequence[Clinic], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clinics = {c.pk: c for c in clinics}
        self.fields["clinic"].choices = _clinic_choices(clinics)  # type: ignore[attr-defined]

    def clean_services(self) -> list[ServiceLine]:
        lines = []
        for number, raw in enumerate(self.cleaned_data["services"].splitlines(), start=1):
            if not raw.strip():
                continue
            parts = [p.strip() for p in raw.replace("\t", ";").split(";")]
            quantity = parts[2] if len(parts) > 2 and parts[2] else "1"
            if len(parts) < 2 or not parts[0] or not parts[1] or not quantity.isdigit() or int(quantity) < 1:
                raise forms.ValidationError(_("Строка %(n)s: нужно «код; название; количество».") % {"n": number})
            lines.append(ServiceLine(code=parts[0], name=parts[1], quantity=int(quantity)))
        return lines

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "clinic": data["clinic"],
            "kind": data["kind"],
            "scope": data["scope"],
            "complaints": data["complaints"],
            "icd10": data["icd10"],
            "services": data["services"],
            "sum_limit_kopecks": _kopecks(data.get("sum_limit")),
            "valid_from": data.get("valid_from"),
            "valid_to": data.get("valid_to"),
        }


class VisitForm(RefusalMixin, ClinicChoiceMixin, forms.Form):
    clinic = forms.ChoiceField(label=_("Клиника"), error_messages=CLINIC_ERRORS)
    starts_at = forms.DateTimeField(
        label=_("Дата и время"),
        widget=forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local"}),
        error_messages={"invalid": _("Введите дату и время в формате ДД.ММ.ГГГГ ЧЧ:ММ.")},
    )
    specialist = forms.CharField(
        label=_("Специалист"), max_length=200, widget=forms.TextInput(attrs={"placeholder": _("терапевт")})
    )
    doctor = forms.CharField(label=_("Врач"), required=False, max_length=200)
    note = forms.CharField(
        label=_("Что взять с собой"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, clinics: Sequence[Clinic], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clinics = {c.pk: c for c in clinics}
        self.fields["clinic"].choices = _clinic_choices(clinics)  # type: ignore[attr-defined]


class PassForm(RefusalMixin, ClinicChoiceMixin, forms.Form):
    clinic = forms.ChoiceField(label=_("Клиника с пропускной системой"), error_messages=CLINIC_ERRORS)

    def __init__(self, *args: Any, clinics: Sequence[Clinic], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clinics = {c.pk: c for c in clinics}
        self.fields["clinic"].choices = _clinic_choices(clinics)  # type: ignore[attr-defined]


class ApproveForm(RefusalMixin, forms.Form):
    partly = forms.BooleanField(label=_("Согласовать частично"), required=False)
    scope = forms.CharField(
        label=_("Согласованный объём"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    sum_limit = _rubles_field(_("Согласованный лимит, ₽"))
    note = forms.CharField(label=_("Комментарий"), required=False, max_length=2000)

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "partly": data["partly"],
            "scope": data["scope"] or None,
            "sum_limit_kopecks": _kopecks(data.get("sum_limit")),
            "note": data["note"],
        }


class ReasonForm(RefusalMixin, forms.Form):
    reason = forms.CharField(label=_("Причина"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ExtendForm(RefusalMixin, forms.Form):
    valid_to = forms.DateField(label=_("Продлить по"), widget=DATE, error_messages=DATE_ERRORS)
    note = forms.CharField(label=_("Комментарий"), required=False, max_length=2000)


class NarrowForm(RefusalMixin, forms.Form):
    scope = forms.CharField(label=_("Новый объём помощи"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    sum_limit = _rubles_field(_("Новый лимит, ₽"))
    note = forms.CharField(label=_("Комментарий"), required=False, max_length=2000)

    def sum_limit_kopecks(self) -> int | None:
        return _kopecks(self.cleaned_data.get("sum_limit"))


class EscalationAnswerForm(RefusalMixin, forms.Form):
    answer = forms.CharField(
        label=_("Ответ застрахованному"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    reopen = forms.BooleanField(label=_("Вернуть обращение в работу пульта"), required=False)


class CallerRequestForm(RefusalMixin, forms.Form):
    """A request written down during a call."""

    complaints = forms.CharField(label=_("Жалобы"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    kind = forms.ChoiceField(label=_("Вид помощи"), choices=KindOfCare.choices)
    urgency = forms.ChoiceField(label=_("Срочность"), choices=Urgency.choices, initial=Urgency.ROUTINE)
    desired_date = forms.DateField(label=_("Желаемая дата"), widget=DATE, error_messages=DATE_ERRORS)
    time_windows = forms.MultipleChoiceField(
        label=_("Удобное время"), required=False, choices=TimeWindow.choices, widget=forms.CheckboxSelectMultiple
    )
    clinic = forms.ChoiceField(label=_("Желаемая клиника"), required=False, error_messages=CLINIC_ERRORS)
    contact_phone = MobilePhoneField(label=_("Телефон для связи"), required=False)

    def __init__(self, *args: Any, clinics: Sequence[Clinic], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clinics = {c.pk: c for c in clinics}
        choices = [("", _("пусть пульт подберёт")), *_clinic_choices(clinics)]
        self.fields["clinic"].choices = choices  # type: ignore[attr-defined]

    def clean_clinic(self) -> Clinic | None:
        value = self.cleaned_data["clinic"]
        if not value:
            return None
        found = self.clinics.get(int(value))
        if found is None:
            raise forms.ValidationError(_("Выберите клинику из списка."))
        return found
