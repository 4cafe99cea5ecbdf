"""`kette compilemessages_if_needed`: compile .po files whose .mo is missing or older.

Unlike Django's compilemessages it needs no GNU gettext on the machine (polib
does the work), so a fresh checkout gets its translations with Python alone.
"""

from pathlib import Path
from typing import Any

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile translation catalogues (.po -> .mo) that are missing or out of date."

    def handle(self, *args: Any, **options: Any) -> None:
        compiled = 0
        # The project's catalogue (LOCALE_PATHS) and every kette app's own.
        locale_dirs = [Path(p) for p in settings.LOCALE_PATHS]
        locale_dirs += [
            Path(app.path) / "locale"
            for app in apps.get_app_configs()
            if app.name.startswith("kette.")
        ]
        for locale_dir in locale_dirs:
            for po_path in locale_dir.glob("*/LC_MESSAGES/*.po"):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
                compiled += 1
        if compiled or options["verbosity"] > 1:
            self.stdout.write(f"{compiled} translation catalogue(s) compiled")
