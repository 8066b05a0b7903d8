"""Delete what is no longer needed: finished jobs and their files, finished webhook deliveries, old events."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from factcheck import jobs
from reviews import events, webhooks


class Command(BaseCommand):
    help = (
        "Delete finished background jobs (and the export files they wrote) and finished webhook deliveries "
        "older than FACTCHECK_KEEP_JOBS_DAYS / FACTCHECK_KEEP_DELIVERIES_DAYS (30 days), and events older "
        "than FACTCHECK_KEEP_EVENTS_DAYS (0: kept). Run it daily (cron, a scheduler)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--jobs-days", type=int, help="Keep finished jobs this many days (0: all).")
        parser.add_argument("--deliveries-days", type=int, help="Keep finished deliveries this many days (0: all).")
        parser.add_argument("--events-days", type=int, help="Keep events this many days (0: all).")

    def handle(self, *args, **options):
        keep = {
            "jobs": settings.FACTCHECK_KEEP_JOBS_DAYS if options["jobs_days"] is None else options["jobs_days"],
            "deliveries": (
                settings.FACTCHECK_KEEP_DELIVERIES_DAYS
                if options["deliveries_days"] is None
                else options["deliveries_days"]
            ),
            "events": settings.FACTCHECK_KEEP_EVENTS_DAYS if options["events_days"] is None else options["events_days"],
        }
        if any(days < 0 for days in keep.values()):
            raise CommandError("Give a number of days to keep, or 0 to keep everything.")
        now = timezone.now()
        done = []
        if keep["jobs"]:
            removed, files = jobs.prune(finished_before=now - timedelta(days=keep["jobs"]))
            done.append(f"{removed} jobs ({files} files)")
        if keep["deliveries"]:
            done.append(f"{webhooks.prune_deliveries(before=now - timedelta(days=keep['deliveries']))} deliveries")
        if keep["events"]:
            done.append(f"{events.prune(before=now - timedelta(days=keep['events']))} events")
        self.stdout.write("Pruned: " + (", ".join(done) if done else "nothing (everything is kept)") + ".")
