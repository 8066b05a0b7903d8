from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ReviewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reviews"

    def ready(self):
        from claims.roles_setup import ensure_groups

        # After this (the last) app's permissions exist, so both apps' permissions can be granted.
        post_migrate.connect(ensure_groups, sender=self)
