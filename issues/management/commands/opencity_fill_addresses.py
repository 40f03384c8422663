"""manage.py opencity_fill_addresses — give every issue made without an address one from the
gazetteer (run once after importing it with opencity_import_addresses)."""

from django.core.management.base import BaseCommand

from issues.services.reporting import issues_fill_addresses


class Command(BaseCommand):
    help = (
        "Give every issue without an address the gazetteer's name for its point (the nearest address, or "
        "“біля <street>, <district>”), a batch at a time. Issues that have an address keep it."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000, help="issues named per query (default 1000)")

    def handle(self, *args, **options) -> None:
        filled = issues_fill_addresses(batch_size=max(1, options["batch_size"]))
        self.stdout.write(f"{filled} issue(s) got an address.")
