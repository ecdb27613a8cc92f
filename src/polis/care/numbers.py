"""Numbers people read out on the phone: ОБ-2026-000123 (request), ГП-2026-000045 (guarantee
letter), ПП-2026-000007 (attachment letter). Taken from the row's id after the insert, so two
dispatchers issuing at the same moment never get one number."""

import uuid

from django.db import models

from polis import clock

REQUEST = "ОБ"
LETTER = "ГП"
ATTACHMENT = "ПП"


def placeholder() -> str:
    """A unique stand-in for the number until the row has its id."""
    return uuid.uuid4().hex[:20]


def assign_number(obj: models.Model, prefix: str) -> str:
    number = f"{prefix}-{clock.today().year}-{obj.pk:06d}"
    type(obj)._default_manager.filter(pk=obj.pk).update(number=number)
    setattr(obj, "number", number)  # noqa: B010
    return number
