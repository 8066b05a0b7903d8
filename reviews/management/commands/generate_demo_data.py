"""Fill the database fast with realistic demo data: articles, claims, tags, reviews and evidence.

The generator lives in ``reviews.demo``; this command checks the options and reports progress.
"""

import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from reviews.demo.external import write_external_fact_checks
from reviews.demo.writing import PostgresWriter, Writer, write_demo_data


class Command(BaseCommand):
    help = (
        "Generate realistic demo data for benchmarks and demos: articles (~3 KB bodies), claims at real offsets, "
        "tags, reviews (draft, submitted, published, superseded) and evidence, with claim statuses that follow "
        "the reviews. Fast: COPY on PostgreSQL, multi-row INSERTs elsewhere, one transaction per batch. "
        "Running it again appends more data. Bypasses model save() and signals: no history rows are written "
        "for generated data (expected for bulk demo data)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--claims", type=int, required=True, help="How many claims to add (0 with --external-fact-checks)."
        )
        parser.add_argument(
            "--verified-fraction", type=float, default=0.2, help="Share of claims with a published review (0.2)."
        )
        parser.add_argument(
            "--in-review-fraction", type=float, default=0.1, help="Share with a draft or submitted review (0.1)."
        )
        parser.add_argument("--claims-per-article", type=int, default=6, help="Average claims per article (6).")
        parser.add_argument("--batch-size", type=int, default=20_000, help="Claims per transaction (20000).")
        parser.add_argument("--seed", type=int, default=None, help="Random seed, for reproducible data.")
        parser.add_argument(
            "--external-fact-checks",
            type=int,
            default=0,
            help="Also add this many fact-checks from elsewhere: other publishers' ClaimReviews of reworded stored "
            "claims, with their own rating scales (0).",
        )

    def handle(self, *args, claims, batch_size, seed, external_fact_checks=0, **options):
        verified_fraction, in_review_fraction = options["verified_fraction"], options["in_review_fraction"]
        claims_per_article = options["claims_per_article"]
        if external_fact_checks < 0:
            raise CommandError("--external-fact-checks must not be negative.")
        if claims < 1 and not (claims == 0 and external_fact_checks):
            raise CommandError("--claims must be at least 1 (or 0 with --external-fact-checks).")
        if not (0 <= verified_fraction <= 1 and 0 <= in_review_fraction <= 1 - verified_fraction):
            raise CommandError("Fractions must be in [0, 1] and add up to at most 1.")
        if batch_size < 1 or claims_per_article < 1:
            raise CommandError("--batch-size and --claims-per-article must be positive.")
        if seed is None:
            seed = random.SystemRandom().randrange(2**31)
        started = time.monotonic()
        if claims:
            self._claims(claims, batch_size, seed, started, verified_fraction, in_review_fraction, claims_per_article)
        if external_fact_checks:
            self._external(external_fact_checks, batch_size, seed)

    def _external(self, count, batch_size, seed):
        started = time.monotonic()
        self.stdout.write(f"Generating {count:,} external fact-checks of stored claims (seed {seed})…")
        writer_class = PostgresWriter if connection.vendor == "postgresql" else Writer

        def progress(done):
            self.stdout.write(f"  {done:>12,} / {count:,} external fact-checks  {time.monotonic() - started:7.1f}s")

        written = write_external_fact_checks(
            count=count, seed=seed, writer_class=writer_class, progress=progress, batch_size=batch_size
        )
        if connection.vendor == "postgresql":
            # VACUUM too (outside a transaction): it empties the GIN indexes' pending lists, which every
            # lookup would otherwise read through (6 ms instead of 0.1 ms at 100,000 rows).
            with connection.cursor() as cursor:
                vacuum = "" if connection.in_atomic_block else "VACUUM "
                cursor.execute(f"{vacuum}ANALYZE claims_externalfactcheck")
        self.stdout.write(
            self.style.SUCCESS(f"Generated {written:,} external fact-checks in {time.monotonic() - started:.1f}s.")
        )

    def _claims(self, claims, batch_size, seed, started, verified_fraction, in_review_fraction, claims_per_article):
        self.stdout.write(
            f"Generating {claims:,} claims (seed {seed}, {connection.vendor}, batches of {batch_size:,})…"
        )
        done = 0

        def progress(claim_count):
            nonlocal done
            done += claim_count
            elapsed = time.monotonic() - started
            self.stdout.write(
                f"  {done:>12,} / {claims:,} claims ({done / claims:5.1%})  {elapsed:7.1f}s  "
                f"{done / elapsed:>9,.0f} claims/s"
            )

        totals, analyzed = write_demo_data(
            claims=claims,
            batch_size=batch_size,
            seed=seed,
            progress=progress,
            verified_fraction=verified_fraction,
            in_review_fraction=in_review_fraction,
            claims_per_article=claims_per_article,
        )
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {totals['claims']:,} claims in {totals['articles']:,} articles, "
                f"{totals['reviews']:,} reviews, {totals['evidence']:,} evidence, {totals['claim_tags']:,} claim tags "
                f"in {elapsed:.1f}s ({totals['claims'] / elapsed:,.0f} claims/s, seed {seed}, {analyzed}; "
                "no history rows)."
            )
        )
