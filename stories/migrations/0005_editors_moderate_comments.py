"""Editors moderate comments and adjust the community settings."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = {"comment": ["view", "change", "delete"], "communitysettings": ["view", "change"]}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name="Editors")
    for model, actions in PERMISSIONS.items():
        for action in actions:
            group.permissions.add(Permission.objects.get(content_type__app_label="series", codename=f"{action}_{model}"))


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0004_image_sizes"),
        ("series", "0007_community_settings_row"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
