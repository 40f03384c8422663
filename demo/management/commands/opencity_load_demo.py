from django.core.management.base import BaseCommand

from demo.issues import demo_load, demo_password


class Command(BaseCommand):
    help = "Load the Drohobych demo data and accounts. Safe to run again: existing rows are kept."

    def handle(self, *args, **options) -> None:
        report = demo_load()
        created = ", ".join(f"{kind}: {n}" for kind, n in report.created.items() if n) or "nothing new"
        self.stdout.write(f"Demo data loaded ({created}).")
        self.stdout.write(f"Demo accounts (password: {demo_password()}):")
        for username, role in report.accounts:
            self.stdout.write(f"  {username:<12} {role}")
