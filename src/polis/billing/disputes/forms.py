"""Forms of the dispute pages. They parse what was typed; the rules (what may be disputed, which
files are taken, how an answer changes the invoice) are the services'."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from polis.billing.disputes.selectors import QueueFilter
from polis.billing.disputes.services import MAX_COMMENT, DisputeError
from polis.billing.models import DisputeKind, DisputeStatus
from polis.money import to_kopecks
from polis.network.models import Clinic
from polis.uploads import MAX_FILES, MultipleFileField


class DisputeForm(forms.Form):
    kind = forms.ChoiceField(label=_("С чем вы не согласны"), choices=DisputeKind.choices, widget=forms.RadioSelect)
    quantity_claimed = forms.IntegerField(
        label=_("Сколько было на самом деле"),
        required=False,
        min_value=0,
        help_text=_("Только для «Оказана в ином количестве»."),
    )
    comment = forms.CharField(
        label=_("Комментарий"),
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Что было не так: когда вы были в клинике, что сделали, что нет."),
    )
    attachments = MultipleFileField(
        label=_("Файлы"),
        required=False,
        help_text=_("До %(n)s файлов: фото или сканы (JPEG, PNG, HEIC, PDF), каждый до 25 МБ.") % {"n": MAX_FILES},
    )

    def add_refusal(self, error: DisputeError) -> None:
        field = "attachments" if error.field == "files" else error.field
        self.add_error(field if field in self.fields else None, error.message)


class RejectForm(forms.Form):
    answer = forms.CharField(label=_("Ответ застрахованному"), widget=forms.Textarea(attrs={"rows": 5}))

    def add_refusal(self, error: DisputeError) -> None:
        self.add_error("answer" if error.field == "answer" else None, error.message)


class UpholdForm(forms.Form):
    corrected_copay = forms.DecimalField(
        label=_("Франшиза за услугу после исправления, ₽"),
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=2,
        help_text=_("0 — если услуга не оказывалась."),
    )
    answer = forms.CharField(label=_("Ответ застрахованному"), widget=forms.Textarea(attrs={"rows": 5}))

    @property
    def corrected_copay_kopecks(self) -> int:
        return to_kopecks(self.cleaned_data["corrected_copay"])

    def add_refusal(self, error: DisputeError) -> None:
        field = error.field if error.field in self.fields else None
        self.add_error(field, error.message)


STATUS_CHOICES = [
    (DisputeStatus.OPEN.value, _("На рассмотрении")),
    (DisputeStatus.REJECTED.value, _("Отклонённые")),
    (DisputeStatus.UPHELD.value, _("Удовлетворённые")),
    ("all", _("Все")),
]


class QueueFilterForm(forms.Form):
    clinic: forms.ModelChoiceField[Clinic] = forms.ModelChoiceField(
        label=_("Клиника"), queryset=Clinic.objects.none(), required=False, empty_label=_("Все")
    )
    kind = forms.ChoiceField(
        label=_("С чем не согласны"), choices=[("", _("Все")), *DisputeKind.choices], required=False
    )
    status = forms.ChoiceField(label=_("Статус"), choices=STATUS_CHOICES, required=False)

    def __init__(self, *args: Any, clinics: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clinic"].queryset = clinics  # type: ignore[attr-defined]

    def to_filter(self) -> QueueFilter:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        clinic = data.get("clinic")
        status = data.get("status") or DisputeStatus.OPEN
        return QueueFilter(
            clinic_id=clinic.pk if clinic else None,
            kind=data.get("kind") or "",
            status="" if status == "all" else status,
        )
