"""`kette demo`: load or refresh the demo data; safe to run again."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from rich.console import Console
from rich.table import Table

from kette.core import demo
from kette.core.models import Municipality, Role


class Command(BaseCommand):
    help = "Load (or refresh) the demo data into the configured database. Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=self.stdout, highlight=False)
        for name, step in demo.steps():
            with console.status(f"Demo: {name} …"), transaction.atomic():
                step(lambda text, name=name: console.print(f"[green]✓[/] {name}: {text}"))
        table = Table(title=f"Demo-Zugänge (Passwort für alle: {demo.DEMO_PASSWORD})")
        table.add_column("Benutzername")
        table.add_column("Rolle")
        table.add_column("Kommune")
        names = {user.municipality for user in demo.DEMO_USERS}
        municipalities = {
            m.official_key: m.name for m in Municipality.objects.filter(official_key__in=names)
        }
        for user in demo.DEMO_USERS:
            table.add_row(
                user.username,
                str(Role(user.role).label),
                municipalities.get(user.municipality or "", "alle (Programm)"),
            )
        console.print(table)
