"""Forms of the back office's service-mode pages. They parse what was typed; the rules (who may
be attached where, what the payment match does) are care.modes'."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from polis.care.models import ModeChangeStatus
from polis.care.modes import ChangeFilter
from polis.care.states import CareError
from polis.network.models import Clinic


class RefusalMixin:
    def add_refusal(self, error: CareError) -> None:
        form: Any = self
        form.add_error(error.field if error.field in form.fields else None, error.message)


class ChangeFilterForm(forms.Form):
    q = forms.CharField(label=_("Полис, фамилия или клиника"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Статус"), required=False, choices=[("", _("Все")), *ModeChangeStatus.choices])

    def to_filter(self) -> ChangeFilter:
        if not self.is_bound or not self.is_valid():
            return ChangeFilter()
        return ChangeFilter(query=self.cleaned_data["q"].strip(), status=self.cleaned_data["status"])


class PolicyLookupForm(forms.Form):
    policy_number = forms.CharField(label=_("Номер полиса"), max_length=40)


def _clinic_label(clinic: Clinic) -> str:
    return f"{clinic.name} — {clinic.address}"


class ModeChangeForm(RefusalMixin, forms.Form):
    policy_number = forms.CharField(widget=forms.HiddenInput, max_length=40)
    clinic = forms.ModelChoiceField(
        label=_("Клиника прикрепления"),
        queryset=Clinic.objects.none(),
        empty_label=_("— выберите клинику —"),
        help_text=_("Только клиники программы её ценовой категории. Сменить клинику до конца срока полиса нельзя."),
    )

    def __init__(self, *args: Any, clinics: QuerySet[Clinic], **kwargs: Any) -> None:
        # Shown under the policy lookup form, whose field has the same name: ids must differ.
        kwargs.setdefault("auto_id", "change_%s")
        super().__init__(*args, **kwargs)
        field = self.fields["clinic"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = clinics
        field.label_from_instance = _clinic_label  # type: ignore[method-assign,assignment]


class MatchPaymentForm(RefusalMixin, forms.Form):
    paid_on = forms.DateField(
        label=_("Дата сопоставления оплаты с полисом"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={"invalid": _("Введите дату в формате ДД.ММ.ГГГГ.")},
    )
    reference = forms.CharField(
        label=_("Платёжный документ"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("п/п № 123 от 20.11.2026")}),
    )


class InstallmentForm(MatchPaymentForm):
    """The next installment of the policy's premium came in: the attachment goes on."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].label = _("Дата поступления взноса")


class CancelForm(RefusalMixin, forms.Form):
    reason = forms.CharField(label=_("Причина отмены"), required=False, max_length=500, widget=forms.TextInput())
