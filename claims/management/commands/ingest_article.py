import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from claims import services
from claims.models import ARTICLE_BODY_MAX_CHARS

DATETIME_FORMAT_ERROR = (
    "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
)


def _errors(detail):
    return "; ".join(f"{field}: {' '.join(str(message) for message in messages)}" for field, messages in detail.items())


def _published_at(value):
    """``--published-at`` as an aware datetime (naive times are in the current time zone), or None."""
    if value is None:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise CommandError(_errors({"published_at": [DATETIME_FORMAT_ERROR]}))
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


class Command(BaseCommand):
    help = (
        "Ingest an article from a UTF-8 plain-text file ('-' reads standard input) and propose its candidate "
        "claims. The same body ingested again creates no new article and no duplicate claims."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Plain-text article body (UTF-8), or '-' for standard input.")
        parser.add_argument("--title", required=True)
        parser.add_argument("--url", default=None, help="http(s) URL of the article; unique when given.")
        parser.add_argument("--published-at", default=None, help="ISO 8601, e.g. 2022-09-10T12:00:00+00:00.")
        parser.add_argument("--publisher", default="")
        parser.add_argument("--author", default="")
        parser.add_argument("--language", default="en", help="BCP 47 code (default en; extraction is English-only).")
        parser.add_argument("--user", default=None, help="Username recorded as the creator of the article and claims.")
        parser.add_argument("--no-extract", action="store_true", help="Store the article without extracting claims.")

    def handle(self, *args, file, title, url, published_at, publisher, author, language, user, no_extract, **options):
        body = self._read(file)
        creator = None
        if user:
            creator = get_user_model().objects.filter(username=user).first()
            if creator is None:
                raise CommandError(f"No user named {user!r}.")
        article = services.stored_article(body)
        if article is not None:
            self.stdout.write(f"Already ingested as article #{article.pk} ({article.title[:70]}).")
        else:
            try:
                article, _ = services.ingest_article(
                    title=title,
                    url=url,
                    published_at=_published_at(published_at),
                    publisher=publisher,
                    author=author,
                    language=language,
                    body=body,
                    by=creator,
                )
            except ValidationError as exc:
                raise CommandError(_errors(exc.message_dict)) from exc
            self.stdout.write(f"Created article #{article.pk} ({len(article.body):,} characters).")
        if no_extract:
            self.stdout.write(self.style.SUCCESS(f"Article #{article.pk} stored; extraction skipped (--no-extract)."))
            return
        try:
            created = services.extract_claims(article, by=creator)
        except services.ExtractionTimeout as exc:
            raise CommandError(f"Article #{article.pk} is stored, but no claims were extracted: {exc}") from exc
        except services.UnsupportedLanguage as exc:
            self.stdout.write(self.style.WARNING(f"Article #{article.pk} stored; no claims were extracted: {exc}"))
            return
        total = article.claims.count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Article #{article.pk}: {len(created)} new candidate claim(s), {total} claim(s) in all."
            )
        )

    def _read(self, file):
        try:
            raw = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}") from exc
        # UTF-8 takes at most 4 bytes a character: anything longer cannot fit the body limit.
        if len(raw) > 4 * ARTICLE_BODY_MAX_CHARS:
            raise CommandError(
                f"{file} is too large: an article body holds at most {ARTICLE_BODY_MAX_CHARS:,} characters."
            )
        try:
            body = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CommandError(f"{file} is not UTF-8 text (byte {exc.start}).") from exc
        if "\x00" in body:
            raise CommandError(f"{file} contains NUL characters: it looks like a binary file, not plain text.")
        if not body.strip():
            raise CommandError(f"{file} is empty.")
        return body
