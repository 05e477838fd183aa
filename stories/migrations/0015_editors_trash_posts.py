"""Editors move posts to the trash and restore them; deleting a post for good stays with administrators."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name="Editors")
    group.permissions.add(Permission.objects.get(content_type__app_label="series", codename="delete_post"))


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0014_contact_content_notes"),
        ("series", "0027_pages_and_old_addresses"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
