"""Working Saturdays of the government's day-transfer decrees, which the `holidays` package does
not know (it knows only the days off they create). 2026's decree (24.09.2025 No. 1466) moves
3 and 4 January to 9 January and 31 December and makes no Saturday working: nothing to seed."""

import datetime as dt

from django.db import migrations

DECREE_2024 = "Постановление Правительства РФ от 10.08.2023 № 1314 «О переносе выходных дней в 2024 году»"
DECREE_2025 = "Постановление Правительства РФ от 04.10.2024 № 1335 «О переносе выходных дней в 2025 году»"

WORKING_SATURDAYS = [
    (dt.date(2024, 4, 27), f"Рабочая суббота: выходной перенесён на 29.04.2024. {DECREE_2024}"),
    (dt.date(2024, 11, 2), f"Рабочая суббота: выходной перенесён на 30.04.2024. {DECREE_2024}"),
    (dt.date(2024, 12, 28), f"Рабочая суббота: выходной перенесён на 30.12.2024. {DECREE_2024}"),
    (dt.date(2025, 11, 1), f"Рабочая суббота: выходной перенесён на 03.11.2025. {DECREE_2025}"),
]


def seed(apps, schema_editor):
    Override = apps.get_model("polis", "BusinessDayOverride")
    for date, note in WORKING_SATURDAYS:
        # A row the back office entered by hand first is kept as it is.
        Override.objects.get_or_create(date=date, defaults={"is_working": True, "note": note})


def unseed(apps, schema_editor):
    Override = apps.get_model("polis", "BusinessDayOverride")
    for date, note in WORKING_SATURDAYS:
        Override.objects.filter(date=date, is_working=True, note=note).delete()


class Migration(migrations.Migration):
    dependencies = [("polis", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
