from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ReviewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reviews"

    def ready(self):
        from claims import signals
        from claims.roles_setup import ensure_groups
        from reviews import events, workflow
        from reviews.api import events as api_events

        # After this (the last) app's permissions exist, so both apps' permissions can be granted.
        post_migrate.connect(ensure_groups, sender=self)
        # The published record changes only through the workflow: claims.services asks before each write.
        signals.claim_changing.connect(workflow.refuse_frozen_claim_change, dispatch_uid="reviews.record.claim")
        signals.article_changing.connect(workflow.refuse_frozen_article_change, dispatch_uid="reviews.record.article")
        # Events (reviews.events): claims.services and extraction announce new claims; the API draws the objects.
        signals.claims_created.connect(events.record_claims_created, dispatch_uid="reviews.events.claims_created")
        api_events.register_renderers()
