"""On SQLite, make the natural key a named unique index instead of a constraint inside CREATE TABLE.

SQLite cannot drop a UNIQUE constraint written into the table definition, only a separate index; a
separate index lets a large first load write the rows first and build the key once afterwards
(``services._indexes_rebuilt``). The model keeps its UniqueConstraint; on PostgreSQL nothing changes.
If a later migration rebuilds the table, Django writes the constraint inline again, which is correct,
only slower for bulk loads.
"""

from django.db import migrations

NAME = "observation_natural_key"


def split_natural_key(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    model = apps.get_model("observations", "Observation")
    constraints = model._meta.constraints
    model._meta.constraints = [c for c in constraints if c.name != NAME]
    try:
        schema_editor._remake_table(model)
    finally:
        model._meta.constraints = constraints
    table = schema_editor.quote_name(model._meta.db_table)
    schema_editor.execute(
        f'CREATE UNIQUE INDEX "{NAME}" ON {table} ("indicator_id", "area_id", "period", "breakdown")'
    )


def join_natural_key(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(f'DROP INDEX "{NAME}"')
    schema_editor._remake_table(apps.get_model("observations", "Observation"))


class Migration(migrations.Migration):
    dependencies = [
        ("observations", "0005_observation_batch_no_index"),
    ]

    operations = [migrations.RunPython(split_natural_key, join_natural_key)]
