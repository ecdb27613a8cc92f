"""The back office's network import: pick a kind, upload a CSV/XLSX, watch the job."""

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from polis import tabular
from polis.accounts.models import Role
from polis.accounts.permissions import role_required, viewer
from polis.jobs import selectors as job_selectors
from polis.network.imports import registry

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
RECENT_JOBS = 20


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Что загружаем"),
        choices=[(code, kind.title) for code, kind in registry.KINDS.items()],
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=gettext_lazy("Файл CSV или XLSX"),
        help_text=gettext_lazy("До 20 МБ. Первая строка — заголовки столбцов, по-русски или по-английски."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if upload.size and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("Файл больше 20 МБ (%(mb)s МБ): разделите его на части.")
                % {"mb": f"{upload.size / 1024 / 1024:.1f}".replace(".", ",")}
            )
        if not upload.size:
            raise forms.ValidationError(_("Файл пуст."))
        try:
            tabular.file_format(upload.name or "")
        except tabular.TabularError as error:
            raise forms.ValidationError(str(error)) from None
        return upload

    def clean(self) -> dict[str, Any]:
        """The header is read now, so a wrong file is answered here rather than by a failed job."""
        data = super().clean() or {}
        upload, kind = data.get("file"), data.get("kind")
        if upload is None or not kind:
            return data
        importer = registry.import_kind(kind)
        try:
            header, rows = tabular.read_rows(upload, filename=upload.name or "", aliases=importer.aliases())
            rows.close()
            importer.check_header(header)
        except tabular.TabularError as error:
            self.add_error("file", str(error))
        finally:
            upload.seek(0)
        return data


def _page(request: HttpRequest, form: ImportForm) -> HttpResponse:
    # Each radio button with its kind, whose columns and sample the page describes beside it.
    kinds = list(zip(form["kind"], registry.KINDS.values(), strict=True))
    jobs = job_selectors.jobs_recent(viewer=viewer(request), kind=registry.JOB_KIND, limit=RECENT_JOBS)
    return render(request, "network/import/upload.html", {"form": form, "kinds": kinds, "jobs": jobs})


@role_required(Role.BACKOFFICE)
def upload(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, ImportForm(initial={"kind": request.GET.get("kind") or "clinics"}))
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form)
    job = registry.network_import_start(
        kind=form.cleaned_data["kind"], user=viewer(request), uploaded_file=form.cleaned_data["file"]
    )
    return redirect("jobs:detail", job_id=job.pk)


@role_required(Role.BACKOFFICE)
def sample(request: HttpRequest, kind: str) -> HttpResponse:
    try:
        path = registry.sample_path(kind)
    except LookupError:
        raise Http404 from None
    # A few hundred bytes: read whole, rather than streamed.
    response = HttpResponse(path.read_bytes(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{path.name}"'
    return response
