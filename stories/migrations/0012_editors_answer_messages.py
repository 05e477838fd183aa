"""Editors read and answer "Write to us" messages, and see readers' reports on comments."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = [
    ("stories", "contactmessage", ["view", "change", "delete"]),
    ("stories", "contactreply", ["view"]),
    ("series", "commentreport", ["view"]),
]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name="Editors")
    for app_label, model, actions in PERMISSIONS:
        for action in actions:
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=f"{action}_{model}"))


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0011_contact_message"),
        ("series", "0021_comment_report"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
