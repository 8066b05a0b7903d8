"""Print a key for FACTCHECK_ENCRYPTION_KEYS: a new one, or the one derived from the secret key now."""

from django.conf import settings
from django.core.management.base import BaseCommand

from factcheck import encryption


class Command(BaseCommand):
    help = (
        "Print a new Fernet key for FACTCHECK_ENCRYPTION_KEYS (comma-separated, newest first). With --derived: "
        "the key derived from DJANGO_SECRET_KEY, which encrypts while FACTCHECK_ENCRYPTION_KEYS is unset; put it "
        "in the list before changing DJANGO_SECRET_KEY, or the secrets stored so far can no longer be read."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--derived", action="store_true", help="Print the key derived from the current DJANGO_SECRET_KEY."
        )

    def handle(self, *args, **options):
        if options["derived"]:
            if settings.FACTCHECK_ENCRYPTION_KEYS:
                self.stderr.write("FACTCHECK_ENCRYPTION_KEYS is set: secrets are encrypted with its first key.")
            self.stdout.write(encryption.derived_key(settings.SECRET_KEY))
        else:
            self.stdout.write(encryption.generate_key())
