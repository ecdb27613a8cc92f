"""Files people attach (a dispute's scans, a request's photos, a pass photo): what a file is is
read from its first bytes, never from its name or the content type the browser claims.

Shared by billing.disputes and care; each turns UploadError into its own refusal."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

MAX_FILES = 10
MAX_FILE_BYTES = 25 * 1024 * 1024


class UploadError(Exception):
    """A file refused: `message` is shown as is, next to `field`."""

    def __init__(self, message: str, field: str = "files") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"heim", b"heis", b"avif"}
EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/heic": ".heic",
    "image/tiff": ".tif",
    "image/bmp": ".bmp",
}


def sniff_content_type(head: bytes) -> str | None:
    """The type of a file from its first bytes (1 KB is enough): an image or a PDF, else None.
    A PDF may carry a little junk before its signature; readers look within the first 1024 bytes."""
    if b"%PDF-" in head[:1024]:
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "image/heic"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head[:2] == b"BM" and len(head) >= 14:
        return "image/bmp"
    return None


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    name: str
    content_type: str
    size: int

    @property
    def extension(self) -> str:
        """The extension of what the file is: stored under a random name with it, never the sender's."""
        return EXTENSIONS[self.content_type]


def files_check(
    files: Sequence[UploadedFile], *, images_only: bool = False, max_files: int = MAX_FILES, field: str = "files"
) -> list[CheckedFile]:
    """Up to `max_files` files, each an image or a PDF (only an image when `images_only`) of at
    most 25 MB. Raises UploadError naming the first file refused."""
    if len(files) > max_files:
        raise UploadError(_("Можно приложить не больше %(n)s файлов.") % {"n": max_files}, field)
    checked = []
    for upload in files:
        name = (upload.name or "file").replace("\\", "/").rsplit("/", 1)[-1][:255]
        size = upload.size or 0
        if size == 0:
            raise UploadError(_("Файл «%(name)s» пуст.") % {"name": name}, field)
        if size > MAX_FILE_BYTES:
            raise UploadError(_("Файл «%(name)s» больше 25 МБ: уменьшите его или разделите.") % {"name": name}, field)
        upload.seek(0)
        head = upload.read(1024)
        upload.seek(0)
        content_type = sniff_content_type(head)
        if images_only and content_type is not None and not content_type.startswith("image/"):
            raise UploadError(
                _("Файл «%(name)s» — не фотография: приложите снимок (JPEG, PNG, HEIC).") % {"name": name}, field
            )
        if content_type is None:
            refusal = (
                _("Файл «%(name)s» не похож на изображение: приложите фотографию (JPEG, PNG, HEIC).")
                if images_only
                else _("Файл «%(name)s» не похож на изображение или PDF: приложите фото или скан.")
            )
            raise UploadError(refusal % {"name": name}, field)
        checked.append(CheckedFile(upload=upload, name=name, content_type=content_type, size=size))
    return checked


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,application/pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []
