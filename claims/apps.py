from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ClaimsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "claims"

    def ready(self):
        from claims.roles_setup import ensure_groups

        post_migrate.connect(ensure_groups, sender=self)
