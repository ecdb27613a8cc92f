"""The registry upload form (the clinic's and the back office's) and the back office's filters.
The forms check what can be checked without reading the file; whether the file is a registry,
and whether the period may be billed, is the service's answer (RegistryError)."""

import datetime as dt
import re
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from polis import clock, tabular
from polis.billing.models import RegistryStatus
from polis.network.models import Clinic

_ISO_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")  # what <input type="month"> sends
_RU_MONTH = re.compile(r"^\s*(\d{1,2})[./](\d{4})\s*$")  # what a person types: 09.2026


def max_upload_bytes() -> int:
    return int(getattr(settings, "POLIS_REGISTRY_MAX_UPLOAD_MB", 200)) * 1024 * 1024


def parse_month(text: str) -> dt.date | None:
    """ "2026-09" or "09.2026" → 01.09.2026; None when it is neither."""
    if match := _ISO_MONTH.match(text):
        year, month = int(match[1]), int(match[2])
    elif match := _RU_MONTH.match(text):
        month, year = int(match[1]), int(match[2])
    else:
        return None
    if not 1 <= month <= 12 or year < 2000:
        return None
    return dt.date(year, month, 1)


class MonthField(forms.CharField):
    """A month as its first day. The typed text is what a failed form shows again."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget = forms.TextInput(attrs={"type": "month", "placeholder": gettext_lazy("ГГГГ-ММ")})

    def clean(self, value: Any) -> dt.date | None:
        text = super().clean(value)
        if not text:
            return None
        month = parse_month(text)
        if month is None:
            raise forms.ValidationError(_("Укажите месяц в виде ММ.ГГГГ, например 09.2026."), code="invalid")
        return month


class RegistryUploadForm(forms.Form):
    period = MonthField(
        label=gettext_lazy("Период реестра"),
        help_text=gettext_lazy("Месяц, в котором оказаны услуги."),
        error_messages={"required": gettext_lazy("Укажите месяц, за который реестр.")},
    )
    file = forms.FileField(
        label=gettext_lazy("Файл реестра"),
        error_messages={"required": gettext_lazy("Выберите файл реестра.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Set per form, not at import: the latest month to pick moves with the clock.
        self.fields["period"].widget.attrs["max"] = clock.today().strftime("%Y-%m")
        self.fields["file"].help_text = _(
            "CSV (UTF-8 или Windows-1251, разделитель «;» или «,») или XLSX, до %(mb)s МБ. "
            "Первая строка — заголовки столбцов, по-русски или по-английски."
        ) % {"mb": max_upload_bytes() // (1024 * 1024)}

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        limit = max_upload_bytes()
        if upload.size and upload.size > limit:
            raise forms.ValidationError(
                _(
                    "Файл больше %(limit)s МБ (%(mb)s МБ): разделите реестр на части по застрахованным "
                    "или по датам услуг."
                )
                % {"limit": limit // (1024 * 1024), "mb": f"{upload.size / 1024 / 1024:.1f}".replace(".", ",")}
            )
        if not upload.size:
            raise forms.ValidationError(_("Файл пуст."))
        try:
            tabular.file_format(upload.name or "")
        except tabular.TabularError as error:
            raise forms.ValidationError(str(error)) from None
        return upload


class ClinicChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.code}" if obj.code else f"{obj.name} ({obj.city})"


class BackofficeUploadForm(RegistryUploadForm):
    """The back office uploads for any clinic: picked from the list, or by its code in the network."""

    clinic = ClinicChoiceField(
        label=gettext_lazy("Клиника"), queryset=Clinic.objects.none(), required=False, empty_label="—"
    )
    clinic_code = forms.CharField(label=gettext_lazy("или код клиники в сети"), max_length=40, required=False)

    field_order = ["clinic", "clinic_code", "period", "file"]

    def __init__(self, *args: Any, clinics: QuerySet[Clinic], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clinics = clinics
        field = self.fields["clinic"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = clinics

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen: Clinic | None = data.get("clinic")
        code = (data.get("clinic_code") or "").strip()
        if code:
            by_code = self.clinics.filter(code__iexact=code).first()
            if by_code is None:
                self.add_error("clinic_code", _("Клиники с кодом «%(code)s» нет в сети.") % {"code": code})
                return data
            if chosen is not None and chosen.pk != by_code.pk:
                self.add_error("clinic_code", _("Код принадлежит другой клинике, чем выбрана в списке."))
                return data
            data["clinic"] = by_code
        elif chosen is None and "clinic" not in self.errors:
            self.add_error("clinic", _("Выберите клинику или укажите её код."))
        return data


class RegistryFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Клиника"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Название, код или ИНН клиники")}),
    )
    period = MonthField(label=gettext_lazy("Период"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Статус"),
        required=False,
        choices=[("", gettext_lazy("Все")), *RegistryStatus.choices],
    )
