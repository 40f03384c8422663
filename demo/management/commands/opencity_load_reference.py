from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from demo.issues import FIXTURES_DIR, reference_load


class Command(BaseCommand):
    help = (
        "Load a community's territory and reference data (calendar, SLA policies, executors, categories, "
        "routing rules) from a directory laid out like fixtures/drohobych/ (territory.geojson, reference.json). "
        "Creates no accounts: allowed with the production settings. Safe to run again: existing rows are kept."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--directory", type=Path, default=FIXTURES_DIR, help="default: fixtures/drohobych")

    def handle(self, *args, directory: Path, **options) -> None:
        missing = [name for name in ("territory.geojson", "reference.json") if not (directory / name).is_file()]
        if missing:
            raise CommandError(f"{directory} has no {', '.join(missing)}.")
        report = reference_load(directory=directory)
        created = ", ".join(f"{kind}: {n}" for kind, n in report.created.items() if n) or "nothing new"
        self.stdout.write(f"Reference data loaded from {directory} ({created}).")
