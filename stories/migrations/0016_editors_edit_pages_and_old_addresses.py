"""Editors write the site's simple pages and see and correct a moved blog's old addresses (deleting stays with
administrators, as everywhere)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = [
    ("series", "page", ["view", "add", "change"]),
    ("series", "oldaddress", ["view", "add", "change"]),
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
        ("stories", "0015_editors_trash_posts"),
        ("series", "0027_pages_and_old_addresses"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
