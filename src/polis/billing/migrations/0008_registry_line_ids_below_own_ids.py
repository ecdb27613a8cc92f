"""The sequence of registry line ids stops below 2⁵²: the lines of a registry in a partition of
its own are numbered above it (billing.registries.pipeline.OWN_IDS). PostgreSQL only."""

from django.db import migrations

MAXVALUE = (1 << 52) - 1


def cap(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"ALTER SEQUENCE billing_registryline_id_seq MAXVALUE {MAXVALUE}")


def uncap(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("ALTER SEQUENCE billing_registryline_id_seq NO MAXVALUE")


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0007_invoice_number_without_like_index"),
    ]

    operations = [migrations.RunPython(cap, uncap, elidable=False)]
