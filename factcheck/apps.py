from django.apps import AppConfig
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models.signals import post_save, pre_save
from django.utils.module_loading import autodiscover_modules


class FactcheckConfig(AppConfig):
    """The project package as an app: the receivers and system checks that span the domain apps."""

    name = "factcheck"
    verbose_name = "Factcheck"

    def ready(self):
        from factcheck import checks, tokens

        user_model = get_user_model()
        pre_save.connect(tokens.note_password_change, sender=user_model, dispatch_uid="factcheck.password_change")
        post_save.connect(
            tokens.revoke_tokens_after_password_change, sender=user_model, dispatch_uid="factcheck.revoke_tokens"
        )
        checks.register()
        # The admin's left-hand list of every model takes a quarter of a 1,366 px screen from the claim and
        # review lists; the landing page (/admin/, factcheck/templates/admin/index.html) lists them instead.
        admin.site.enable_nav_sidebar = False
        # Each app's jobs.py registers its background jobs (factcheck.jobs), for the workers to find.
        autodiscover_modules("jobs")
