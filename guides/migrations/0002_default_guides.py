"""The default guides (guides/content/*.md): product content every installation gets.

The loader skips guides that already exist, so running it again never overwrites what
editors changed; reversing leaves the guides in place (they may have been edited)."""

from django.db import migrations


def load(apps, schema_editor):
    from guides.content import load_default_guides

    load_default_guides(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("guides", "0001_initial"),
        ("cases", "0002_default_step_types"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
