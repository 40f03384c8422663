"""Delete uploads that were never attached to anything (abandoned report forms), files and rows."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from media_store.services import media_prune_orphan_files, media_prune_unattached


class Command(BaseCommand):
    help = (
        "Delete photos and videos never attached to a report and older than --hours "
        "(default OPENCITY_MEDIA_UNATTACHED_HOURS). Run it from cron or a timer, e.g. hourly."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--hours",
            type=int,
            default=settings.OPENCITY_MEDIA_UNATTACHED_HOURS,
            help="minimum age of an unattached upload before it is deleted",
        )
        parser.add_argument(
            "--orphan-files",
            action="store_true",
            help="also delete stored files that no upload owns (after a crash); lists the whole uploads/ tree",
        )

    def handle(self, *args, hours: int, orphan_files: bool, **options) -> None:
        if hours < 1:
            raise CommandError("--hours must be at least 1: a citizen may still be typing the report.")
        deleted = media_prune_unattached(older_than=timedelta(hours=hours))
        self.stdout.write(f"Deleted {deleted} unattached media older than {hours} h.")
        if orphan_files:
            files = media_prune_orphan_files(older_than=timedelta(hours=hours))
            self.stdout.write(f"Deleted {files} orphan files.")
