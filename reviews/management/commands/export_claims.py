"""Write every verified claim to a file or stdout as ClaimReview JSON-LD, CSV or NDJSON."""

import os
import tempfile
import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reviews import exports


class Command(BaseCommand):
    help = (
        "Export verified claims (with their published review and evidence) as ClaimReview JSON-LD "
        "(claimreview: an array; datafeed: a schema.org DataFeed), CSV or NDJSON. "
        "Filters as on the API's claims list."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--format",
            choices=list(exports.FORMATS),
            default=exports.DEFAULT_FORMAT,
            help=f"Export format (default {exports.DEFAULT_FORMAT}).",
        )
        parser.add_argument("--output", "-o", default="-", help="File to write (default: stdout).")
        parser.add_argument("--verdict", action="append", default=[], help="Only this verdict (repeat for several).")
        parser.add_argument("--article", help="Only claims from the article with this id.")
        parser.add_argument("--claimant", help="Only claimants containing this text (case-insensitive).")
        parser.add_argument("--tag", help="Only claims with this tag.")
        parser.add_argument(
            "--updated-since", help="Only claims changed at or after this ISO 8601 date-time (incremental sync)."
        )
        parser.add_argument("--search", help="Full-text search, as on the claims list.")
        parser.add_argument(
            "--progress-every",
            type=int,
            default=10_000,
            help="Report progress on stderr every this many claims (default 10000; 0: never).",
        )
        parser.add_argument("--batch-size", type=int, default=exports.BATCH_SIZE, help="Claims read per batch.")

    def handle(self, *args, **options):
        fmt = exports.FORMATS[options["format"]]
        try:
            queryset = exports.filter_claims(self._filter_params(options))
        except ValidationError as exc:
            raise CommandError(
                "; ".join(
                    f"--{name.replace('_', '-')}: {' '.join(errors)}" for name, errors in exc.message_dict.items()
                )
            ) from exc
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")

        to_stdout = options["output"] == "-"
        # The summary goes to stderr when the export itself is on stdout.
        report = self.stderr if to_stdout else self.stdout
        every = options["progress_every"]
        total = queryset.count() if every > 0 else None
        started = time.monotonic()
        counter = {"claims": 0}

        def counted(claims):
            for claim in claims:
                counter["claims"] += 1
                if every > 0 and counter["claims"] % every == 0:
                    done = counter["claims"]
                    self.stderr.write(f"  {done}/{total} claims ({100 * done // max(total, 1)}%)…", style_func=_plain)
                yield claim

        chunks = fmt.write(counted(exports.exported_claims(queryset, batch_size=options["batch_size"])))
        written = 0
        try:
            if to_stdout:
                for chunk in chunks:
                    self.stdout.write(chunk, ending="")
                    written += len(chunk.encode())
                self.stdout.flush()
            else:
                written = _write_file(options["output"], chunks)
        except OSError as exc:
            raise CommandError(f"Cannot write {options['output']}: {exc}") from exc
        where = "stdout" if to_stdout else options["output"]
        report.write(
            f"Exported {counter['claims']} verified claim(s) as {fmt.name} to {where}: "
            f"{_size(written)} in {time.monotonic() - started:.1f}s.",
            style_func=self.style.SUCCESS,
        )

    @staticmethod
    def _filter_params(options):
        params = {"verdict": options["verdict"]}
        for name in ("article", "claimant", "tag", "updated_since", "search"):
            if options[name] is not None:
                params[name] = options[name]
        return params


def _write_file(path, chunks):
    """Write ``chunks`` to ``path``; returns the number of bytes.

    A regular file is written beside its name and renamed into place once complete, so an export
    that fails half-way leaves no half-written file behind. Devices and pipes are written directly.
    """
    if os.path.exists(path) and not os.path.isfile(path):
        with open(path, "wb") as out:
            return _copy(chunks, out)
    fd, partial = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix=".export-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            written = _copy(chunks, out)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(partial, 0o666 & ~umask)
        os.replace(partial, path)
    except BaseException:
        os.unlink(partial)
        raise
    return written


def _copy(chunks, out):
    written = 0
    for chunk in chunks:
        data = chunk.encode()
        out.write(data)
        written += len(data)
    return written


def _plain(message):
    return message


def _size(n):
    for unit in ("B", "KB", "MB"):
        if n < 1024:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"
