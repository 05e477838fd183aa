"""The "Editors" group: staff who work the story queue and write posts, with exactly the permissions that needs.

It grants nothing on users, groups or permissions, and no deletion of stories, posts or history.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = {
    "stories": {
        "story": ["view", "change"],
        "storyevent": ["view"],
        "storymessage": ["view", "add"],
        "editorialnote": ["view", "add", "change"],
        "messagetemplate": ["view", "add", "change", "delete"],
        "consentversion": ["view"],
    },
    "series": {
        "post": ["view", "add", "change"],
        "series": ["view", "add", "change"],
        "contributor": ["view", "add", "change"],
        "contentnote": ["view", "add", "change"],
        "topic": ["view", "add", "change"],
        "crisisline": ["view", "add", "change"],
    },
    "ole": {
        "safetyterm": ["view", "add", "change", "delete"],
        "outboundemail": ["view"],
    },
}


def create_group(apps, schema_editor):
    # Permissions are normally made after all migrations; make them now so the group can hold them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name="Editors")
    codenames = [
        (app, f"{action}_{model}")
        for app, models in EDITOR_PERMISSIONS.items()
        for model, actions in models.items()
        for action in actions
    ]
    permissions = [Permission.objects.get(content_type__app_label=app, codename=code) for app, code in codenames]
    group.permissions.set(permissions)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0002_seed_consent_and_templates"),
        ("series", "0003_post_byline_and_reader_stories"),
        ("ole", "0002_seed_safety_terms"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
