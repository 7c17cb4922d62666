"""Protocols' content types follow the models from infusions (issue 19).

Renaming the rows (rather than letting Django create new ones) keeps their ids, so the
permissions the role groups hold and the admin's log entries stay attached to them.
"""

from django.db import migrations

MODELS = ["protocol", "protocolversion"]


def rename(apps, schema_editor, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        if ContentType.objects.using(db).filter(app_label=new, model=model).exists():
            continue  # already there (e.g. a database where this ran before)
        ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)


def forwards(apps, schema_editor) -> None:
    rename(apps, schema_editor, "infusions", "protocols")


def backwards(apps, schema_editor) -> None:
    rename(apps, schema_editor, "protocols", "infusions")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("protocols", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
