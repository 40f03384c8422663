"""Insert synthetic issues with their event histories, for benchmarks (see demo/generator.py)."""

from django.core.management.base import BaseCommand, CommandError

from demo.generator import issues_generate
from demo.issues import demo_require_allowed
from geo.models import District
from issues.models import Category


class Command(BaseCommand):
    help = "Insert N synthetic issues (set-based SQL) inside the districts, with realistic event histories."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--count", type=int, required=True, help="how many issues")
        parser.add_argument("--days", type=int, default=730, help="spread over this many days before now")
        parser.add_argument("--seed", type=float, default=0.42, help="random seed in (0, 1)")
        parser.add_argument("--prefix", default="GEN", help="prefix of the generated references")

    def handle(self, *args, count: int, days: int, seed: float, prefix: str, **options) -> None:
        demo_require_allowed()  # generated issues are demo data too: never with production settings
        if count < 1 or days < 1 or not 0 < seed < 1:
            raise CommandError("--count and --days must be positive, --seed between 0 and 1.")
        if not District.objects.exists() or not Category.objects.exists():
            raise CommandError("No districts or categories: load the reference data first (opencity_load_demo).")
        written = issues_generate(count=count, days=days, seed=seed, prefix=prefix.upper())
        self.stdout.write(f"Inserted {written['issues']} issues and {written['events']} events.")
