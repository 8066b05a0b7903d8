"""Writing demo data fast: ``COPY … FROM STDIN`` on PostgreSQL, multi-row ``INSERT``s elsewhere.

Each batch is written in its own transaction. Model ``save()``, signals and django-simple-history are
bypassed, so bulk demo data has no history rows; every invariant the database enforces still holds
(the quote triggers, one published review per claim, …).
"""

import queue
import threading
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction

from claims.claimants import resolve_many
from claims.models import Claim, Tag
from factcheck.roles import EDITORS, REVIEWERS
from reviews.demo.newsroom import Newsroom
from reviews.demo.records import TABLES
from reviews.demo.vocabulary import SPEAKERS, TAG_NAMES

DEMO_REVIEWERS = 20
DEMO_EDITORS = 5


class Writer:
    """Inserts rows with explicit ids; ids are taken so that no other writer can take them too."""

    def __init__(self, cursor):
        self.cursor = cursor
        self.quote = connection.ops.quote_name
        self._next_free = {}

    def next_ids(self, model, count):
        table = model._meta.db_table
        if table not in self._next_free:
            self.cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {self.quote(table)}")
            self._next_free[table] = self.cursor.fetchone()[0]
        first = self._next_free[table]
        self._next_free[table] = first + count
        return range(first, first + count)

    def forget_ids(self):
        self._next_free.clear()

    def write(self, model, columns, rows):
        if not rows:
            return
        ops = connection.ops
        adapt = {datetime: ops.adapt_datetimefield_value, date: ops.adapt_datefield_value}
        names = ", ".join(self.quote(column) for column in columns)
        per_statement = max(1, 900 // len(columns))  # SQLite allows 999 parameters per statement
        for first in range(0, len(rows), per_statement):
            chunk = rows[first : first + per_statement]
            placeholders = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(chunk))
            params = [adapt[type(value)](value) if type(value) in adapt else value for row in chunk for value in row]
            self.cursor.execute(
                f"INSERT INTO {self.quote(model._meta.db_table)} ({names}) VALUES {placeholders}", params
            )


class PostgresWriter(Writer):
    """COPY into the tables; ids come from the tables' own sequences, so concurrent writers never clash."""

    def next_ids(self, model, count):
        if count == 0:
            return []
        self.cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [row[0] for row in self.cursor.fetchall()]

    # Claims are checked against their article bodies by a statement-level trigger (migration 0004). Its
    # first version scanned the statement's rows once per article, and databases migrated then still run
    # it: 500-row statements keep that quadratic scan short (20,000 claims: 17 s -> 2 s) and cost nothing
    # with the current single-pass version.
    ROWS_PER_STATEMENT = {Claim: 500}

    def write(self, model, columns, rows):
        names = ", ".join(self.quote(column) for column in columns)
        chunk = self.ROWS_PER_STATEMENT.get(model, len(rows))
        for first in range(0, len(rows), chunk):
            with self.cursor.cursor.copy(f"COPY {self.quote(model._meta.db_table)} ({names}) FROM STDIN") as copy:
                for row in rows[first : first + chunk]:
                    copy.write_row(row)


def write_demo_data(*, claims, batch_size, seed, verified_fraction, in_review_fraction, claims_per_article, progress):
    """Generate and write ``claims`` claims with their articles, tags, reviews and evidence.

    ``progress(claim_count)`` is called after each batch is committed. Returns the rows written per
    ``Batch`` attribute and how the tables' statistics were refreshed.
    """
    reviewers, editors = demo_users()
    tags = {tag.name: tag.pk for tag in Tag.objects.for_names(TAG_NAMES)}
    totals = dict.fromkeys([label for _, _, label in TABLES], 0)
    vendor = connection.vendor
    with connection.cursor() as cursor:
        writer = PostgresWriter(cursor) if vendor == "postgresql" else Writer(cursor)
        newsroom = Newsroom(
            seed=seed,
            next_ids=writer.next_ids,
            reviewers=reviewers,
            editors=editors,
            tags=tags,
            total_claims=claims,
            verified_fraction=verified_fraction,
            in_review_fraction=in_review_fraction,
            claims_per_article=claims_per_article,
            claimants=demo_claimants(),
        )
        sizes = [min(batch_size, claims - done) for done in range(0, claims, batch_size)]
        if vendor == "postgresql" and not connection.in_atomic_block:
            _write_pipelined(newsroom, sizes, totals, progress)
        else:
            for size in sizes:
                with transaction.atomic():
                    writer.forget_ids()
                    _write_batch(writer, newsroom.batch(size), totals, progress)
        analyzed = _analyze(cursor)
    return totals, analyzed


def _write_batch(writer, batch, totals, progress):
    for model, columns, label in TABLES:
        rows = getattr(batch, label)
        writer.write(model, columns, rows)
        totals[label] += len(rows)
    progress(len(batch.claims))


def _write_pipelined(newsroom, sizes, totals, progress):
    """Generate the next batch while a second connection COPYs the previous one (two cores, twice the pace).

    Ids are taken from the sequences as the batch is generated, so they are never handed out twice.
    """
    batches = queue.Queue(maxsize=1)
    failures = []

    def write_batches():
        try:
            with connection.cursor() as cursor:
                writer = PostgresWriter(cursor)
                while (batch := batches.get()) is not None:
                    with transaction.atomic():
                        _write_batch(writer, batch, totals, progress)
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    def hand_over(batch):
        while not failures:
            try:
                batches.put(batch, timeout=0.5)
                return
            except queue.Full:
                continue

    writer_thread = threading.Thread(target=write_batches, name="generate_demo_data-writer", daemon=True)
    writer_thread.start()
    for size in sizes:
        if failures:
            break
        hand_over(newsroom.batch(size))
    hand_over(None)
    writer_thread.join()
    if failures:
        raise failures[0]


def demo_claimants():
    """``{claimant as the demo text has it: (entity id, entity name)}``: every speaker of the vocabulary
    resolved to its claimant entity (found by its normalised name, else created), once per run."""
    names = [claimant for speakers in SPEAKERS.values() for _, claimant in speakers if claimant]
    return {name: (entity.pk, entity.name) for name, entity in resolve_many(names).items()}


def demo_users():
    """The demo reviewers' and editors' ids (no usable password), created once and reused."""
    User = get_user_model()
    ids = {}
    roles = [(REVIEWERS, "demo-reviewer", DEMO_REVIEWERS), (EDITORS, "demo-editor", DEMO_EDITORS)]
    for group_name, prefix, count in roles:
        group, _ = Group.objects.get_or_create(name=group_name)
        names = [f"{prefix}-{number:02d}" for number in range(1, count + 1)]
        existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
        for name in names:
            if name not in existing:
                user = User(username=name, first_name=name.split("-")[1].title())
                user.set_unusable_password()
                user.save()
        users = list(User.objects.filter(username__in=names).order_by("username"))
        group.user_set.add(*users)
        ids[group_name] = [user.pk for user in users]
    return ids[REVIEWERS], ids[EDITORS]


def _analyze(cursor):
    """Refresh the planner's statistics (and, outside a transaction on PostgreSQL, the visibility map)."""
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model, _, _ in TABLES)
    if connection.vendor != "postgresql":
        cursor.execute("ANALYZE")
        return "analyzed"
    if connection.in_atomic_block:
        cursor.execute(f"ANALYZE {tables}")
        return "analyzed"
    cursor.execute(f"VACUUM (ANALYZE) {tables}")
    return "vacuumed and analyzed"
