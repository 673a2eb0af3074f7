from django.db import migrations


def forward(apps, schema_editor):
    from livsvillkor.observations.dimensions import load_dimensions

    load_dimensions(apps.get_model("observations", "Dimension"), apps.get_model("observations", "Category"))


class Migration(migrations.Migration):
    dependencies = [("observations", "0001_initial")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
