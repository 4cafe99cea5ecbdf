"""`kette set_need_index --municipality SLUG KEY=WEIGHT …`: choose the need index's indicators."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kette.core.models import Municipality
from kette.monitoring import services
from kette.monitoring.errors import ImportRejected


class Command(BaseCommand):
    help = (
        "Set the indicators and weights of a municipality's need index, e.g. "
        "sgb2-quote-u15=2 alleinerziehende=1. Indicators not named are removed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("weights", nargs="+", metavar="KEY=WEIGHT")
        parser.add_argument("--municipality", required=True, help="slug of the municipality")

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = Municipality.objects.filter(slug=options["municipality"]).first()
        if municipality is None:
            raise CommandError(f"Unbekannte Kommune „{options['municipality']}“.")
        weights: dict[str, float] = {}
        for item in options["weights"]:
            key, _, weight = item.partition("=")
            try:
                weights[key.strip()] = float(weight.replace(",", ".")) if weight else 1.0
            except ValueError as error:
                raise CommandError(f"„{item}“: Gewicht ist keine Zahl.") from error
        try:
            rows = services.need_index_weights_set(
                actor=None, municipality=municipality, weights=weights
            )
        except ImportRejected as error:
            raise CommandError("\n".join(error.errors)) from error
        summary = ", ".join(f"{row.indicator.key}={row.weight:g}" for row in rows)
        self.stdout.write(f"{municipality.name}: Bedarfsindex aus {summary}.")
