import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from claims.claimreview_import import ImportConflict, UnreadableFeed, import_claim_reviews, read_text


class Command(BaseCommand):
    help = (
        "Import other organisations' fact-checks from schema.org ClaimReview: a JSON-LD array, a single "
        "ClaimReview, a DataFeed (Google's fact-check feed shape), @graph containers or an HTML page's embedded "
        "JSON-LD; '-' reads standard input. Idempotent by URL. Nothing is stored when an item is invalid, unless "
        "--skip-invalid. Exits with an error when items are invalid (without --skip-invalid) or nothing was imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="JSON-LD or HTML files (UTF-8); '-' for standard input.")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="Store the valid items and report the invalid ones as skipped."
        )
        parser.add_argument("--user", default=None, help="Username recorded as the importer.")

    def handle(self, *args, files, skip_invalid, user, **options):
        importer = None
        if user:
            importer = get_user_model().objects.filter(username=user).first()
            if importer is None:
                raise CommandError(f"No user named {user!r}.")
        sources = []
        for name in files:
            try:
                sources.append((name, read_text(self._read(name))))
            except UnreadableFeed as exc:
                raise CommandError(f"{name}: {exc} Nothing was imported.") from exc
        started = time.monotonic()

        def progress(done, total):
            if total > 1000:
                self.stdout.write(f"  stored {done:,} / {total:,} items  {time.monotonic() - started:6.1f}s")

        try:
            report = import_claim_reviews(sources, by=importer, skip_invalid=skip_invalid, progress=progress)
        except UnreadableFeed as exc:
            raise CommandError(f"{exc} Nothing was imported.") from exc
        except ImportConflict as exc:
            raise CommandError(str(exc)) from exc
        for item in report.items:
            if item.errors or item.warnings:
                where = f"{item.source}#{item.index}" if len(files) > 1 else f"item {item.index}"
                label = item.url or "(no url)"
                for message in item.errors:
                    self.stderr.write(f"{where} {label}: {'skipped: ' if report.stored else ''}{message}")
                for message in item.warnings:
                    self.stdout.write(f"{where} {label}: warning: {message}")
        if not report.stored:
            advice = "" if skip_invalid else " Fix them, or pass --skip-invalid to store the valid ones."
            raise CommandError(report.summary + advice)
        self.stdout.write(self.style.SUCCESS(report.summary))

    def _read(self, name):
        if name == "-":
            return sys.stdin.read()
        try:
            return Path(name).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {name}: {exc}") from exc
