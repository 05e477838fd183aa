import datetime
from typing import Any

from django.apps import apps
from django.core.files.storage import Storage
from django.core.management.base import BaseCommand
from django.db import models
from django.utils import timezone

from ole.images import GeneratedPath


class Command(BaseCommand):
    help = (
        "Delete uploaded files that no record points to (left by a crash between storing a file and saving its "
        "row, or by a replaced image). Only files older than --older-than minutes are touched, so uploads in "
        "progress are safe. Safe to run at any time and to re-run."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--older-than", type=int, default=60, help="Minutes (default 60).")

    def handle(self, *args: Any, **options: Any) -> None:
        # Each folder of generated names belongs to one storage (public media or private), listed through the
        # storage API so the same sweep works on a local disk and in object storage.
        folders: dict[str, Storage] = {}
        referenced: set[str] = set()
        for model in apps.get_models():
            for field in model._meta.get_fields():
                if isinstance(field, models.FileField) and isinstance(field.upload_to, GeneratedPath):
                    folders[field.upload_to.folder] = field.storage
                    names = model._default_manager.exclude(**{field.name: ""}).values_list(field.name, flat=True)
                    referenced.update(name for name in names if name)
            # Files a model keeps by name outside a file field (an earlier revision's image, kept for a restore).
            if hasattr(model, "referenced_files"):
                referenced.update(model.referenced_files())
        cutoff = timezone.now() - datetime.timedelta(minutes=options["older_than"])
        removed = 0
        for folder, storage in sorted(folders.items()):
            try:
                _dirs, files = storage.listdir(folder)
            except FileNotFoundError:
                continue
            for file in files:
                name = f"{folder}/{file}"
                if name not in referenced and storage.get_modified_time(name) < cutoff:
                    storage.delete(name)
                    removed += 1
        self.stdout.write(f"Removed {removed} orphan file(s).")
