"""Building upload files and running imports in tests, through the real task path."""

import io
from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from polis.jobs.models import Job


def csv_bytes(rows: Sequence[Sequence[Any]], *, delimiter: str = ";", encoding: str = "utf-8") -> bytes:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "file.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def run_network_import(capture: Any, *, kind: str, content: bytes, user: Any, name: str = "file.csv") -> Job:
    """Start an import as the upload page does and let the immediate task backend run it.
    `capture` is pytest-django's django_capture_on_commit_callbacks fixture."""
    from polis.network.imports.registry import network_import_start

    with capture(execute=True):
        job = network_import_start(kind=kind, user=user, uploaded_file=upload(content, name))
    job.refresh_from_db()
    return job


def problems(job: Job) -> list[tuple[int, str]]:
    return list(job.problems.order_by("row", "pk").values_list("row", "code"))
