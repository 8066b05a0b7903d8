import json
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from factcheck.roles import EDITORS, REVIEWERS

CREDENTIALS_FILE = Path(settings.BASE_DIR) / ".demo-credentials.json"


class Command(BaseCommand):
    help = "Create the demo 'reviewer' and 'editor' accounts (staff, for the admin) and print their passwords."

    def handle(self, *args, **options):
        saved = json.loads(CREDENTIALS_FILE.read_text()) if CREDENTIALS_FILE.exists() else {}
        User = get_user_model()
        for username, group in (("reviewer", REVIEWERS), ("editor", EDITORS)):
            user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True})
            password = saved.get(username)
            if created or not password or not user.check_password(password):
                password = secrets.token_urlsafe(12)
                user.set_password(password)
            user.is_staff = True
            user.save()
            user.groups.add(Group.objects.get(name=group))
            saved[username] = password
            self.stdout.write(f"  {username:<9} password: {password}   ({group})")
        CREDENTIALS_FILE.write_text(json.dumps(saved, indent=2))
        CREDENTIALS_FILE.chmod(0o600)
        self.stdout.write(self.style.SUCCESS(f"Demo users ready (passwords kept in {CREDENTIALS_FILE.name})."))
