from django.core.management.base import BaseCommand, CommandError

from claims.seed import SEEDS_DIR, load_seed_file


class Command(BaseCommand):
    help = "Load the seed articles and their claims from seeds/ (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="Seed JSON files (default: every seeds/*.json).")

    def handle(self, *args, files, **options):
        paths = files or sorted(SEEDS_DIR.glob("*.json"))
        if not paths:
            raise CommandError(f"No seed files in {SEEDS_DIR}.")
        articles = claims = 0
        for path in paths:
            try:
                article, created, created_claims = load_seed_file(path)
            except (OSError, ValueError, KeyError) as exc:
                raise CommandError(f"{path}: {exc}") from exc
            articles += created
            claims += created_claims
            self.stdout.write(
                f"{article.title[:70]}: {'created' if created else 'already loaded'}, {created_claims} new claim(s)"
            )
        self.stdout.write(self.style.SUCCESS(f"Seed loaded: {articles} new article(s), {claims} new claim(s)."))
