"""The default step catalogue, shared by every organisation (organisation = NULL).

Labels are French catalogue content (editable data, like an organisation's own steps)."""

from django.db import migrations

DEFAULTS = [
    # code, label, category, order
    ("create_email", "Créer une adresse e-mail", "digital", 10),
    ("send_attachment", "Envoyer un e-mail avec une pièce jointe", "digital", 20),
    ("write_cv", "Rédiger un CV", "job_search", 30),
    ("upload_cv", "Mettre le CV en ligne sous forme de fichier", "digital", 40),
    ("register_france_travail", "S'inscrire à France Travail", "job_search", 50),
    ("first_online_application", "Envoyer une première candidature en ligne", "job_search", 60),
    ("get_device", "Obtenir un téléphone ou un ordinateur", "equipment", 70),
    ("get_data_plan", "Obtenir un forfait ou une carte SIM solidaire", "equipment", 80),
]


def load(apps, schema_editor):
    StepType = apps.get_model("cases", "StepType")
    for code, label, category, order in DEFAULTS:
        StepType.objects.update_or_create(
            organization=None,
            code=code,
            defaults={"label": label, "category": category, "order": order, "is_active": True},
        )


def unload(apps, schema_editor):
    StepType = apps.get_model("cases", "StepType")
    StepType.objects.filter(
        organization=None, code__in=[code for code, *_ in DEFAULTS], steps__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
