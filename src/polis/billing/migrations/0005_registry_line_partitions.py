"""Registry lines partitioned on PostgreSQL (LIST on `part`).

The lines that were there become the shared partition (part = 0); a big registry is later
written into a partition of its own and attached (billing.registries.pipeline). A partitioned
table's keys must include the partition key, so the database's primary key is (id, part) and the
row key (registry, row, part); `id` comes from a sequence (PostgreSQL 15 has no identity columns
on partitioned tables) and disputes point at a line without a database constraint. Django's own
view of the model is unchanged: `id` is its primary key. SQLite keeps one plain table.
"""

import django.db.models.deletion
from django.db import migrations, models

PARTITION = """
ALTER TABLE billing_registryline RENAME TO billing_registryline_shared;
ALTER TABLE billing_registryline_shared ALTER COLUMN id DROP IDENTITY IF EXISTS;
ALTER TABLE billing_registryline_shared DROP CONSTRAINT billing_registryline_pkey;
ALTER TABLE billing_registryline_shared DROP CONSTRAINT registry_line_row_unique;
DROP INDEX registry_line_policy;
CREATE SEQUENCE billing_registryline_id_seq;
SELECT setval('billing_registryline_id_seq', COALESCE((SELECT MAX(id) FROM billing_registryline_shared), 0) + 1, false);
CREATE TABLE billing_registryline (LIKE billing_registryline_shared INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
    PARTITION BY LIST (part);
ALTER TABLE billing_registryline ALTER COLUMN id SET DEFAULT nextval('billing_registryline_id_seq');
ALTER SEQUENCE billing_registryline_id_seq OWNED BY billing_registryline.id;
ALTER TABLE billing_registryline ADD CONSTRAINT billing_registryline_pkey PRIMARY KEY (id, part);
ALTER TABLE billing_registryline ADD CONSTRAINT registry_line_row_unique UNIQUE (registry_id, "row", part);
CREATE INDEX registry_line_policy ON billing_registryline (policy_id, registry_id);
ALTER TABLE billing_registryline ATTACH PARTITION billing_registryline_shared FOR VALUES IN (0);
"""


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in PARTITION.split(";\n"):
            if statement.strip():
                cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0004_registries_invoices_disputes"),
    ]

    operations = [
        migrations.AddField(
            model_name="registryline",
            name="part",
            field=models.BigIntegerField(db_default=0, default=0, editable=False, verbose_name="раздел таблицы"),
        ),
        migrations.AlterField(
            model_name="dispute",
            name="line",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="disputes",
                to="billing.registryline",
                verbose_name="услуга",
            ),
        ),
        migrations.RunPython(partition, migrations.RunPython.noop, elidable=False),
    ]
