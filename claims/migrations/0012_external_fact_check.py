"""External fact-checks: other organisations' ClaimReviews, imported by URL (claims.claimreview_import)."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0011_claimant_entities"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ExternalFactCheck",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "url",
                    models.URLField(
                        help_text="The ClaimReview's url.",
                        max_length=2000,
                        unique=True,
                        validators=[
                            django.core.validators.URLValidator(
                                message="Enter a valid http:// or https:// URL.", schemes=["http", "https"]
                            )
                        ],
                    ),
                ),
                (
                    "publisher",
                    models.CharField(
                        blank=True, help_text="Its author: the fact-checking organisation.", max_length=300
                    ),
                ),
                (
                    "publisher_url",
                    models.URLField(
                        blank=True,
                        max_length=2000,
                        validators=[
                            django.core.validators.URLValidator(
                                message="Enter a valid http:// or https:// URL.", schemes=["http", "https"]
                            )
                        ],
                    ),
                ),
                (
                    "claim_reviewed",
                    models.TextField(help_text="claimReviewed: the claim as the fact-checker words it."),
                ),
                ("claimant", models.CharField(blank=True, help_text="itemReviewed.author's name.", max_length=300)),
                (
                    "claimant_type",
                    models.CharField(
                        blank=True,
                        help_text='itemReviewed.author\'s schema.org type ("Person", "Organization").',
                        max_length=50,
                    ),
                ),
                ("rating_text", models.CharField(blank=True, help_text="reviewRating.alternateName.", max_length=300)),
                (
                    "rating_value",
                    models.FloatField(blank=True, help_text="reviewRating.ratingValue, when numeric.", null=True),
                ),
                ("best_rating", models.FloatField(blank=True, null=True)),
                ("worst_rating", models.FloatField(blank=True, null=True)),
                (
                    "date_published",
                    models.DateTimeField(blank=True, help_text="The fact-check's publication.", null=True),
                ),
                ("date_modified", models.DateTimeField(blank=True, null=True)),
                (
                    "claim_date",
                    models.DateField(blank=True, help_text="When the claim was made (itemReviewed).", null=True),
                ),
                (
                    "appearances",
                    models.JSONField(
                        blank=True, default=list, help_text="URLs where the claim appeared, firstAppearance first."
                    ),
                ),
                (
                    "language",
                    models.CharField(blank=True, help_text="BCP 47 code (inLanguage), if given.", max_length=35),
                ),
                ("data", models.JSONField(help_text="The ClaimReview object as imported.")),
                ("imported_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "imported_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "external fact-check",
                "ordering": ["-id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("url__startswith", "http://"), ("url__startswith", "https://"), _connector="OR"
                        ),
                        name="external_fact_check_url_is_http",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("publisher_url", ""),
                            ("publisher_url__startswith", "http://"),
                            ("publisher_url__startswith", "https://"),
                            _connector="OR",
                        ),
                        name="external_fact_check_publisher_url_is_http",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("claim_reviewed", ""), _negated=True),
                        name="external_fact_check_claim_reviewed_not_empty",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("rating_text", ""), _negated=True),
                            ("rating_value__isnull", False),
                            _connector="OR",
                        ),
                        name="external_fact_check_has_rating",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("best_rating__isnull", True),
                            ("worst_rating__isnull", True),
                            ("worst_rating__lt", models.F("best_rating")),
                            _connector="OR",
                        ),
                        name="external_fact_check_worst_below_best",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("rating_value__isnull", True),
                            models.Q(
                                models.Q(
                                    ("best_rating__isnull", True),
                                    ("rating_value__lte", models.F("best_rating")),
                                    _connector="OR",
                                ),
                                models.Q(
                                    ("worst_rating__isnull", True),
                                    ("rating_value__gte", models.F("worst_rating")),
                                    _connector="OR",
                                ),
                            ),
                            _connector="OR",
                        ),
                        name="external_fact_check_rating_within_bounds",
                    ),
                ],
            },
        ),
    ]
