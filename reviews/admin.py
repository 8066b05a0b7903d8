import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from claims import admin as claims_admin
from claims import services, similarity
from claims.models import Article, Claim, ClaimMatch, Verdict
from claims.text import search_text
from factcheck.admin import HistoryAdmin, ReadOnlyAdmin, UserNamesAdmin, user_name
from factcheck.admin_forms import VersionedAdminForm
from factcheck.admin_paginator import EstimatedCountPaginator
from factcheck.concurrency import ANY_VERSION
from factcheck.exceptions import Conflict, ConflictError
from factcheck.outbound import redact_url
from factcheck.roles import is_editor
from reviews import exports, matches, record, webhooks, workflow
from reviews.api.export_views import export_response
from reviews.models import Event, EventType, Evidence, Review, Stance, WebhookDelivery, WebhookSubscription

PUBLISHED_RECORD_NOTE = (
    "Readers see these fields as an editor published them. To change them, start a correction: add a review "
    "of {what}; while it is open these fields can be edited, and readers see the change once an editor "
    "publishes the review."
)


class PublishedRecordAdmin:
    """Shows the record fields (``record_fields``) of an object whose published record is frozen
    (``frozen(obj)``) read-only, with a line that says how to correct them (``workflow`` refuses the change
    anyway, whatever the form sends)."""

    record_fields = ()
    check_change = None  # claims.services.check_claim_change or check_article_change

    def frozen(self, obj):
        raise NotImplementedError

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # A form opened while the record could change (during a correction) may be posted after it was
        # frozen again: its record fields, read-only now, would be dropped in silence. Say so instead.
        if request.method == "POST" and object_id is not None:
            obj = self.get_object(request, unquote(object_id))
            if obj is not None and self.has_change_permission(request, obj) and self._is_frozen(request, obj):
                form_class = forms.modelform_factory(
                    self.model, fields=self.record_fields, formfield_callback=claims_admin.https_urls
                )
                form = form_class(request.POST, instance=obj)
                changed = [name for name in form.changed_data if name in request.POST]
                try:
                    type(self).check_change(obj, changed, by=request.user)
                except ConflictError as exc:
                    self.message_user(request, f"Nothing was changed: {exc}", messages.ERROR)
                    return HttpResponseRedirect(request.path)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _is_frozen(self, request, obj):
        # Judged once per request and object: the form's fields and read-only fields both ask.
        cache = request.__dict__.setdefault("_record_frozen", {})
        key = (type(obj).__name__, obj.pk)
        if key not in cache:
            cache[key] = self.frozen(obj)
        return cache[key]

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj is None or not self._is_frozen(request, obj):
            return readonly
        return ["published_record", *self.record_fields, *(name for name in readonly if name not in self.record_fields)]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is None or not self._is_frozen(request, obj):
            return fields
        return ["published_record", *(name for name in fields if name != "published_record")]


class ClaimAdmin(PublishedRecordAdmin, claims_admin.ClaimAdmin):
    """claims/admin.py's ClaimAdmin, plus the actions that export the selected claims with their published
    reviews, and the published record read-only outside a correction. Registered in its place (below), so
    the claim admin's pages stay where they were."""

    record_fields = record.CLAIM_FIELDS
    check_change = services.check_claim_change
    fields = [*claims_admin.ClaimAdmin.fields, "recurring"]
    readonly_fields = [*claims_admin.ClaimAdmin.readonly_fields, "recurring"]
    # claims' page, with the claim's reviews and "Create a review" in its block "claim_reviews".
    change_form_template = "admin/reviews/claim_change_form.html"

    def frozen(self, claim):
        return workflow.record_frozen(claim)

    def claim_page_context(self, request, claim):
        """claims' top of the page, plus the claim's reviews the user may see (``visible_to``), their own open
        draft, and the link to the review add form with the claim chosen when ``workflow`` lets them start one."""
        context = super().claim_page_context(request, claim)
        user = request.user
        reviews = list(Review.objects.filter(claim=claim).visible_to(user).select_related("author").order_by("-id"))
        context["claim_reviews"] = reviews
        context["my_draft"] = next(
            (review for review in reviews if review.state == Review.State.DRAFT and review.author_id == user.pk), None
        )
        context["new_review_url"] = (
            f"{reverse('admin:reviews_review_add')}?claim={claim.pk}"
            if workflow.may_start_review(claim, by=user)
            else None
        )
        return context

    # --- Recurring claims (reviews.matches): the suggestion with Confirm / Reject, the match with Undo,
    # a reviewed claim's appearances. The buttons post the page's form (and its CSRF token) to the views
    # below, which go through the same service as the API.

    @admin.display(description="recurring claim")
    def recurring(self, claim):
        if not claim.pk:
            return "—"
        parts = []
        match = matches.open_match(claim)
        if match is not None:
            reviewed = match.reviewed_claim
            link = format_html(
                '<a href="{}">claim {}</a> “{}” ({}{})',
                reverse("admin:claims_claim_change", args=[reviewed.pk]),
                reviewed.pk,
                reviewed,
                reviewed.get_status_display().lower(),
                f", {reviewed.verdict}" if reviewed.verdict else "",
            )
            if match.state == ClaimMatch.State.CONFIRMED:
                parts.append(
                    format_html(
                        "An appearance of {}: verified by its published review. "
                        '<button type="submit" formaction="{}" formmethod="post" name="_match" value="undo">'
                        "Undo the match</button>",
                        link,
                        reverse("admin:claims_claim_match", args=[claim.pk, "undo"]),
                    )
                )
            else:
                parts.append(
                    format_html(
                        "Suggested match (score {}): {}. "
                        '<button type="submit" formaction="{}" formmethod="post" name="match_claim" value="{}">'
                        "Confirm</button> "
                        '<button type="submit" formaction="{}" formmethod="post" name="match_claim" value="{}">'
                        "Reject</button>",
                        f"{match.score:.2f}" if match.score is not None else "—",
                        link,
                        reverse("admin:claims_claim_match", args=[claim.pk, "confirm"]),
                        reviewed.pk,
                        reverse("admin:claims_claim_match", args=[claim.pk, "reject"]),
                        reviewed.pk,
                    )
                )
        appearances = matches.appearances(claim, readers=False)
        if appearances:
            items = format_html_join(
                "",
                '<li><a href="{}">claim {}</a> in “{}”</li>',
                (
                    (reverse("admin:claims_claim_change", args=[item["claim"]]), item["claim"], item["article_title"])
                    for item in appearances
                ),
            )
            parts.append(format_html("Also appears as:<ul>{}</ul>", items))
        return format_html_join(mark_safe("<br>"), "{}", ((part,) for part in parts)) if parts else "—"

    def get_urls(self):
        view = self.admin_site.admin_view(self.match_view)
        return [
            path("<path:object_id>/match/<str:step>/", view, name="claims_claim_match"),
            *super().get_urls(),
        ]

    def match_view(self, request, object_id, step):
        """Confirm, reject or undo a claim's match (POST only), through ``reviews.matches``."""
        claim = self.get_object(request, unquote(object_id))
        if claim is None:
            raise Http404("No such claim.")
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request, claim) or step not in ("confirm", "reject", "undo"):
            raise PermissionDenied
        target = request.POST.get("match_claim", "")
        try:
            if step == "undo":
                matches.undo_match(claim, by=request.user)
                done = "The match was undone."
            elif not target.isdigit():
                raise ValidationError("Name the reviewed claim.")
            elif step == "confirm":
                matches.confirm_match(claim, reviewed_claim_id=int(target), by=request.user)
                done = f"Confirmed: this claim is an appearance of claim {target}."
            else:
                matches.reject_match(claim, by=request.user, reviewed_claim_id=int(target))
                done = f"Rejected: claim {target} will not be suggested again."
        except (ConflictError, ValidationError, PermissionDenied) as exc:
            message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            self.message_user(request, f"Nothing was changed: {message}", messages.ERROR)
        else:
            self.message_user(request, done)
        return HttpResponseRedirect(reverse("admin:claims_claim_change", args=[claim.pk]))

    @admin.display(description="published record")
    def published_record(self, claim):
        return format_html(
            '{} <a href="{}?claim={}">Add a review of this claim</a>.',
            PUBLISHED_RECORD_NOTE.format(what="this claim"),
            reverse("admin:reviews_review_add"),
            claim.pk,
        )

    actions = [
        *claims_admin.ClaimAdmin.actions,
        "export_claimreview",
        "export_datafeed",
        "export_csv",
        "export_ndjson",
    ]

    def _export(self, request, queryset, format_name):
        """Stream the selected verified claims; the others have no published review to export."""
        fmt = exports.FORMATS[format_name]
        skipped = queryset.exclude(status=Claim.Status.VERIFIED).count()
        if skipped:
            self.message_user(
                request,
                f"{skipped} selected claim(s) are not verified and were left out of the export.",
                messages.WARNING,
            )
        return export_response(fmt, queryset.verified())

    @admin.action(description="Export selected as ClaimReview JSON-LD (verified only)")
    def export_claimreview(self, request, queryset):
        return self._export(request, queryset, "claimreview")

    @admin.action(description="Export selected as ClaimReview DataFeed (verified only)")
    def export_datafeed(self, request, queryset):
        return self._export(request, queryset, "datafeed")

    @admin.action(description="Export selected as CSV (verified only)")
    def export_csv(self, request, queryset):
        return self._export(request, queryset, "csv")

    @admin.action(description="Export selected as NDJSON (verified only)")
    def export_ndjson(self, request, queryset):
        return self._export(request, queryset, "ndjson")


admin.site.unregister(Claim)
admin.site.register(Claim, ClaimAdmin)


class ArticleAdmin(PublishedRecordAdmin, claims_admin.ArticleAdmin):
    """claims/admin.py's ArticleAdmin, with the published record read-only while any verified claim of the
    article has no correction open (``workflow.refuse_frozen_article_change``)."""

    record_fields = record.ARTICLE_FIELDS
    check_change = services.check_article_change

    def frozen(self, article):
        return bool(workflow.claims_freezing_article(article))

    @admin.display(description="published record")
    def published_record(self, article):
        claims = workflow.claims_freezing_article(article)
        shown = ", ".join(str(pk) for pk in claims[:20]) + (" …" if len(claims) > 20 else "")
        return PUBLISHED_RECORD_NOTE.format(what=f"each of its verified claims without one (claims {shown})")


admin.site.unregister(Article)
admin.site.register(Article, ArticleAdmin)


class EvidenceInline(UserNamesAdmin, admin.StackedInline):
    model = Evidence
    extra = 0
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = [*workflow.EVIDENCE_FIELDS, "added_by"]
    readonly_fields = ["added_by"]
    user_fields = ("added_by",)
    added_by_name = user_name("added_by")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("added_by")  # one query, however many pieces

    def _editable(self, request, obj):
        return obj is None or workflow.can_edit(obj, request.user)

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_delete_permission(request, obj)


class ReviewForm(VersionedAdminForm):
    class Meta:
        model = Review
        fields = ["claim", "verdict", "rating_text", "summary", "version"]


class ReturnForm(forms.Form):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 4, "cols": 80}), max_length=5000)


class ReturnedFilter(admin.SimpleListFilter):
    """Drafts an editor returned to their author with a comment (``Review.objects.returned``), or the others."""

    title = "returned by an editor"
    parameter_name = "returned"

    def lookups(self, request, model_admin):
        return [("yes", "Returned, with a comment"), ("no", "Not returned")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.returned()
        if self.value() == "no":
            return queryset.exclude(pk__in=Review.objects.returned().values("pk"))
        return queryset


class AuthorFilter(admin.SimpleListFilter):
    """Me, or one of the newsroom (the users, not a scan of the reviews)."""

    title = "author"
    parameter_name = "author"

    def lookups(self, request, model_admin):
        people = services.assignable_users().values_list("pk", get_user_model().USERNAME_FIELD)
        return [("me", "Me"), *((str(pk), name) for pk, name in people)]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(author=request.user)
        if self.value():
            return queryset.filter(author_id=int(self.value())) if self.value().isdigit() else queryset.none()
        return queryset


class StepForm(forms.Form):
    """What a workflow button of a review's page posts: the version the page showed, and a return's comment
    (which ``workflow.return_to_draft`` requires)."""

    version = forms.IntegerField(min_value=1)
    comment = forms.CharField(required=False, max_length=5000)


# The workflow buttons of a review's page, in ``workflow.available_steps`` order: the step each posts to
# (``ReviewAdmin.step_view``), its label and what the page says it does.
STEPS = {
    "submit": workflow.submit,
    "publish": workflow.publish,
    "return_to_draft": workflow.return_to_draft,
    "start_correction": workflow.start_correction,
}
STEP_LABELS = {
    "submit": "Submit for approval",
    "publish": "Publish",
    "return_to_draft": "Return to draft",
    "start_correction": "Start a correction",
}
STEP_HELP = {
    "submit": "Sends the review as last saved to the editors (save your changes first); it cannot be changed "
    "while it waits.",
    "publish": "Readers see this verdict at once: the API, the exports and the public page.",
    "return_to_draft": "Sends it back to its author as a draft, with your comment at the top of the page.",
    "start_correction": "Starts a new draft review of this claim, by you, prefilled with this review's verdict, "
    "rating, summary and evidence. While it is open, the claim's published record (reviewed wording, claimant, "
    "quote) can be edited too. Readers keep seeing this review until an editor publishes the correction, which "
    "they then see as “Updated on …” with what changed.",
}
# How much context a review's page shows: earlier and later reviews of its claim, similar verified claims.
OTHER_REVIEWS = 20
SIMILAR_CLAIMS = 5


@admin.register(Review)
class ReviewAdmin(HistoryAdmin):
    form = ReviewForm
    inlines = [EvidenceInline]
    # What a reviewer needs first, fitting 1,366 px with the filters beside (tests/browser/test_lists.py).
    list_display = ["short_claim", "claimant", "state", "verdict", "author", "updated_at"]
    list_filter = ["state", ReturnedFilter, "verdict", AuthorFilter]
    # The claim's words through the claims' full-text index (get_search_results); the summary as typed.
    search_fields = ["summary", "claim__quote", "claim__claimant"]
    search_help_text = "Words of the claim (quote, reviewed wording, claimant), or text of the summary."
    paginator = EstimatedCountPaginator
    list_per_page = 50  # as the claim list's
    list_select_related = ["claim", "author"]
    autocomplete_fields = ["claim"]
    # The editor's comment is not among them: a returned draft shows it as a callout at the top of the page.
    readonly_fields = [
        "author",
        "state",
        "submitted_at",
        "published_at",
        "published_by",
        "created_at",
        "updated_at",
    ]
    user_fields = ("author", "published_by")
    author_name = user_name("author")
    published_by_name = user_name("published_by")
    actions = ["submit_reviews", "publish_reviews", "return_reviews"]
    show_full_result_count = False

    class Media:
        css = {"all": ["claims/admin_lists.css"]}

    @admin.display(description="claim", ordering="claim")
    def short_claim(self, review):
        return claims_admin.shortened(review.claim.quote, 110)

    @admin.display(description="claimant", ordering="claim__claimant")
    def claimant(self, review):
        return claims_admin.shortened(review.claim.claimant, 32) or self.get_empty_value_display()

    # --- The review's page: the workflow steps this user may take now as buttons, with the claim in its
    # article, its claimant, the other reviews of the claim, similar verified claims and the evidence by
    # stance (admin/reviews/review/change_form.html). Each button is a form of its own posting to
    # ``step_view``, which calls the workflow; ``workflow.available_steps`` decides which are shown by the
    # checks the steps themselves run.

    def get_object(self, request, object_id, from_field=None):
        # The page shows the claim in its article, its claimant, the author: read with the review, in one query.
        queryset = self.get_queryset(request).select_related(
            "claim__article", "claim__claimant_entity", "author", "published_by"
        )
        field = Review._meta.pk if from_field is None else Review._meta.get_field(from_field)
        try:
            return queryset.get(**{field.name: field.to_python(object_id)})
        except (Review.DoesNotExist, ValidationError, ValueError):
            return None

    def get_urls(self):
        view = self.admin_site.admin_view(self.step_view)
        return [
            path("<path:object_id>/step/<str:step>/", view, name="reviews_review_step"),
            *super().get_urls(),
        ]

    def step_view(self, request, object_id, step):
        """Take a workflow step on a review (POST only) through ``reviews.workflow``, as the API does.

        The button's form names the version of the review its page showed: a review changed since is refused.
        A refusal changes nothing and says why; the page is shown again either way (a correction's new draft
        once it is started).
        """
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        take = STEPS.get(step)
        review = self.get_object(request, unquote(object_id))
        if take is None or review is None:
            raise Http404("No such review, or no such step.")
        if not self.has_view_permission(request, review):
            raise PermissionDenied
        page = reverse("admin:reviews_review_change", args=[review.pk])
        form = StepForm(request.POST)
        if not form.is_valid():
            if "version" in form.errors:
                problem = "the form did not say which version of the review it was sent from. Reload the page."
            else:
                problem = " ".join(form.errors["comment"])
            self.message_user(request, f"Nothing was changed: {problem}", messages.ERROR)
            return HttpResponseRedirect(page)
        options = {"comment": form.cleaned_data["comment"]} if step == "return_to_draft" else {}
        try:
            result = take(review, by=request.user, version=form.cleaned_data["version"], **options)
        except Conflict:
            self.message_user(
                request,
                f"Nothing was changed: review {review.pk} changed since you opened its page. Look at it again, "
                "then decide.",
                messages.ERROR,
            )
            return HttpResponseRedirect(page)
        except (ConflictError, ValidationError, PermissionDenied) as exc:
            reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            self.message_user(request, f"Nothing was changed: {reason}", messages.ERROR)
            return HttpResponseRedirect(page)
        if step == "start_correction":
            self.message_user(
                request,
                f"Correction started: this draft (review {result.pk}) is prefilled from review {review.pk}. Edit it, "
                f"and the claim while it is open, then submit it; readers see review {review.pk} until an editor "
                "publishes this one.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:reviews_review_change", args=[result.pk]))
        done = {
            "submit": "submitted: it waits for an editor, who will publish it or return it with a comment.",
            "publish": "published: readers see its verdict now.",
            "return_to_draft": f"returned to {review.author.get_username()} as a draft, with your comment.",
        }[step]
        self.message_user(request, f"Review {review.pk} was {done}", messages.SUCCESS)
        return HttpResponseRedirect(page)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        on_its_page = getattr(request.resolver_match, "url_name", None) == "reviews_review_change"
        if on_its_page and obj is not None and not workflow.can_edit(obj, request.user):
            # A document: its verdict and summary head the page (the template), not a row of read-only fields.
            # (Its history's pages keep every field.)
            return [name for name in fields if name not in workflow.REVIEW_FIELDS]
        return fields

    def get_inlines(self, request, obj):
        # Evidence is edited where the review is; elsewhere the page shows it by stance, read-only.
        if obj is not None and not workflow.can_edit(obj, request.user):
            return []
        return super().get_inlines(request, obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            context["workspace"] = self.workspace(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def workspace(self, request, review):
        """What a review's page shows around its form (see the template): a fixed number of queries."""
        user, claim = request.user, review.claim
        prefetch_related_objects([review], Prefetch("evidence", Evidence.objects.select_related("added_by")))
        evidence = list(review.evidence.all())
        steps = [
            {
                "name": step.name,
                "label": STEP_LABELS[step.name],
                "help": STEP_HELP[step.name],
                "missing": step.missing,
                "url": reverse("admin:reviews_review_step", args=[review.pk, step.name]),
            }
            for step in workflow.available_steps(review, user)
        ]
        others = list(
            Review.objects.visible_to(user)
            .filter(claim_id=claim.pk)
            .exclude(pk=review.pk)
            .select_related("author")
            .order_by("-pk")[:OTHER_REVIEWS]
        )
        similar = similarity.similar_claims(
            claim.claim_reviewed or claim.quote, Claim.objects.verified(), limit=SIMILAR_CLAIMS, exclude=claim.pk
        )
        verdicts = dict(Verdict.choices)
        for match in similar:
            match["verdict"] = verdicts.get(match["claim"].verdict, "")
            match["url"] = reverse("admin:claims_claim_change", args=[match["claim"].pk])
        returned = None
        if review.editor_comment and review.state in workflow.OPEN_STATES:
            returned = {"comment": review.editor_comment, "history": workflow.last_return(review)}
        entity = claim.claimant_entity
        published = review.state in (Review.State.PUBLISHED, Review.State.SUPERSEDED)
        return {
            "review": review,
            "claim": claim,
            "is_author": review.author_id == user.pk,
            "is_editor": is_editor(user),
            "editable": workflow.can_edit(review, user),
            "steps": steps,
            "returned": returned,
            "in_context": claims_admin.quote_in_context(claim),
            "claimant": entity.name if entity is not None else claim.claimant,
            "claimant_url": (
                reverse("admin:claims_claimant_change", args=[entity.pk])
                if entity is not None and user.has_perm("claims.view_claimant")
                else None
            ),
            "evidence_by_stance": [
                (label, [item for item in evidence if item.stance == value]) for value, label in Stance.choices
            ],
            "evidence_count": len(evidence),
            "others": others,
            "others_cut": len(others) == OTHER_REVIEWS,
            "open_corrections": [other for other in others if other.state in workflow.OPEN_STATES],
            "current": next((other for other in others if other.state == Review.State.PUBLISHED), None),
            "similar": similar,
            "published": published,
            "record": review.record if published else None,
            "changes": record.describe(review.correction, verdicts) if published else [],
            "public_url": reverse("review-page", args=[review.pk]) if published else None,
        }

    def has_change_permission(self, request, obj=None):
        # A review the user may not edit (published or superseded: never; submitted: editors only) opens
        # as a document, without Save buttons.
        if obj is not None and not workflow.can_edit(obj, request.user):
            return False
        return super().has_change_permission(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id is not None:
            review = self.get_object(request, unquote(object_id))
            if (
                review is not None
                and self.has_view_permission(request, review)
                and not workflow.can_edit(review, request.user)
            ):
                # Django would answer 403; say instead that nothing changed, and why.
                self.message_user(request, f"Nothing was changed: {self._why_read_only(review)}", messages.WARNING)
                return HttpResponseRedirect(request.path)
        return super().changeform_view(request, object_id, form_url, extra_context)

    @staticmethod
    def _why_read_only(review):
        if review.state in (Review.State.PUBLISHED, Review.State.SUPERSEDED):
            return (
                f"review {review.pk} is {review.state}, and a published review never changes. To correct it, "
                "write a new review of the claim; readers see it once an editor publishes it."
            )
        return f"review {review.pk} is {review.state}; only an editor may change it now."

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_search_results(self, request, queryset, search_term):
        term = search_text(search_term)
        if not term:
            return queryset, False
        claims = Claim.objects.search(term).values("pk")
        return queryset.filter(Q(claim__in=claims) | Q(summary__icontains=term)), False

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj is not None and not workflow.can_edit(obj, request.user):
            return ["claim", "verdict", "rating_text", "summary", *readonly]
        if obj is not None:
            return ["claim", *readonly]
        return readonly

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not (obj.state == Review.State.DRAFT and workflow.can_edit(obj, request.user)):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            review = workflow.create_review(
                obj.claim, by=request.user, verdict=obj.verdict, rating_text=obj.rating_text, summary=obj.summary
            )
            obj.pk, obj.author, obj.state, obj.version = review.pk, review.author, review.state, review.version
            obj._state.adding = False
            return
        changes = {field: form.cleaned_data[field] for field in form.changed_data if field in workflow.REVIEW_FIELDS}
        if changes:
            workflow.update_review(obj, changes, by=request.user, version=form.cleaned_data.get("version"))

    def save_formset(self, request, form, formset, change):
        """Evidence changes go through the workflow (permissions, validation, history)."""
        review = form.instance
        # The admin's change message reads these, normally set by formset.save().
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for deleted in formset.deleted_forms:
            if deleted.instance.pk:
                workflow.delete_evidence(deleted.instance, by=request.user)
                formset.deleted_objects.append(deleted.instance)
        for evidence_form in formset.forms:
            if evidence_form in formset.deleted_forms or not evidence_form.has_changed():
                continue
            data = {field: evidence_form.cleaned_data.get(field) for field in workflow.EVIDENCE_FIELDS}
            for field in ("title", "publisher", "quote", "archive_url"):
                data[field] = data[field] or ""
            if evidence_form.instance.pk:
                evidence = workflow.update_evidence(evidence_form.instance, data, by=request.user)
                formset.changed_objects.append((evidence, evidence_form.changed_data))
            else:
                formset.new_objects.append(workflow.add_evidence(review, by=request.user, **data))

    # The admin's delete confirmation carries no version: it deletes the draft as it is when confirmed.
    def delete_model(self, request, obj):
        workflow.delete_review(obj, by=request.user, version=ANY_VERSION)

    def delete_queryset(self, request, queryset):
        for review in queryset:
            workflow.delete_review(review, by=request.user, version=ANY_VERSION)

    def _apply(self, request, queryset, verb, step, **kwargs):
        done = 0
        for review in queryset:
            try:
                step(review, by=request.user, **kwargs)
            except (workflow.InvalidTransition, PermissionDenied, ValidationError) as exc:
                reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                self.message_user(request, f"Review {review.pk}: {reason}", messages.WARNING)
                continue
            done += 1
        if done:
            self.message_user(request, f"{done} review(s) {verb}.", messages.SUCCESS)

    @admin.action(description="Submit selected reviews for approval")
    def submit_reviews(self, request, queryset):
        self._apply(request, queryset, "submitted", workflow.submit)

    @admin.action(description="Publish selected reviews (editors)")
    def publish_reviews(self, request, queryset):
        self._apply(request, queryset, "published", workflow.publish)

    @admin.action(description="Return selected reviews to draft with a comment (editors)")
    def return_reviews(self, request, queryset):
        form = ReturnForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self._apply(
                request, queryset, "returned to draft", workflow.return_to_draft, comment=form.cleaned_data["comment"]
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "reviews": list(queryset),
            "form": form,
            "title": "Return reviews to draft",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/reviews/review/return_form.html", context)


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin, UserNamesAdmin, admin.ModelAdmin):
    """The events (``reviews.events``), read-only: what happened, when, who did it, and the object as it was
    shown then, to the newsroom and (for events about published work) to everyone else."""

    list_display = ["id", "type", "object_link", "actor", "created_at", "is_public"]
    list_filter = ["type", "object_type"]
    list_select_related = ["actor"]
    search_fields = ["=object_id"]
    search_help_text = "The id of a claim or review."
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    fields = ["type", "created_at", "actor", "object_link", "data_shown", "public_data_shown"]
    readonly_fields = fields
    user_fields = ("actor",)
    actor_name = user_name("actor")

    @admin.display(description="object", ordering="object_id")
    def object_link(self, event):
        app = "claims" if event.object_type == Event.ObjectType.CLAIM else "reviews"
        url = reverse(f"admin:{app}_{event.object_type}_change", args=[event.object_id])
        return format_html('<a href="{}">{} {}</a>', url, event.object_type, event.object_id)

    @admin.display(description="public", boolean=True)
    def is_public(self, event):
        return event.public

    @admin.display(description="as the newsroom saw it")
    def data_shown(self, event):
        return format_html("<pre>{}</pre>", json.dumps(event.data, indent=2, ensure_ascii=False))

    @admin.display(description="as everyone else saw it")
    def public_data_shown(self, event):
        if event.public_data is None:
            return "(not shown outside the newsroom)"
        return format_html("<pre>{}</pre>", json.dumps(event.public_data, indent=2, ensure_ascii=False))


class WebhookForm(forms.ModelForm):
    """A subscription's fields, checked by the rules of ``reviews.webhooks`` (https, public address, types)."""

    event_types = forms.MultipleChoiceField(
        choices=[(WebhookSubscription.ALL_TYPES, "Every type its audience may receive"), *EventType.choices],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WebhookSubscription
        fields = ["name", "url", "audience", "event_types", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # shown without its credentials; left as shown, the stored URL is kept
            self.initial["url"] = redact_url(self.instance.url)

    def clean(self):
        cleaned = super().clean()
        try:
            if self.instance.pk and cleaned.get("url") == redact_url(self.instance.url):
                cleaned["url"] = self.instance.url
            elif "url" in cleaned:
                cleaned["url"] = webhooks.clean_url(cleaned.get("url"))
            if cleaned.get("event_types") is not None and cleaned.get("audience"):
                cleaned["event_types"] = webhooks.clean_event_types(cleaned["event_types"], cleaned["audience"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        return cleaned


class WebhookAdminAccess:
    """Editors and administrators manage webhooks here, as in the API (``webhooks.may_manage``)."""

    def has_module_permission(self, request):
        return webhooks.may_manage(request.user)

    def has_view_permission(self, request, obj=None):
        return webhooks.may_manage(request.user)


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(WebhookAdminAccess, admin.ModelAdmin):
    """Webhook subscriptions: the secret is shown once, on the page that follows adding or rotating it."""

    form = WebhookForm
    list_display = ["name", "receiver", "audience", "types", "active", "disabled_reason", "consecutive_failures"]
    list_filter = ["active", "audience"]
    search_fields = ["name"]
    readonly_fields = [
        "disabled_at",
        "disabled_reason",
        "consecutive_failures",
        "failing_since",
        "previous_secret_expires_at",
        "created_by",
        "created_at",
        "deliveries_link",
    ]

    def has_add_permission(self, request):
        return webhooks.may_manage(request.user)

    def has_change_permission(self, request, obj=None):
        return webhooks.may_manage(request.user)

    def has_delete_permission(self, request, obj=None):
        return webhooks.may_manage(request.user)

    def get_fields(self, request, obj=None):
        fields = ["name", "url", "audience", "event_types"]
        return fields if obj is None else [*fields, "active", *self.readonly_fields]

    @admin.display(description="receiver")
    def receiver(self, subscription):
        return redact_url(subscription.url)

    @admin.display(description="event types")
    def types(self, subscription):
        return ", ".join(subscription.event_types)

    @admin.display(description="deliveries")
    def deliveries_link(self, subscription):
        url = reverse("admin:reviews_webhookdelivery_changelist") + f"?subscription__id__exact={subscription.pk}"
        return format_html('<a href="{}">The delivery log</a>', url)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in WebhookForm.Meta.fields}
        if change:
            webhooks.update(obj, by=request.user, **fields)
            return
        subscription, secret = webhooks.subscribe(
            name=form.cleaned_data["name"],
            url=form.cleaned_data["url"],
            audience=form.cleaned_data["audience"],
            event_types=form.cleaned_data["event_types"],
            by=request.user,
        )
        obj.pk = subscription.pk
        request.webhook_secret = secret

    def response_add(self, request, obj, post_url_continue=None):
        return self.secret_page(request, obj, request.webhook_secret, "Subscription added")

    def secret_page(self, request, subscription, secret, title):
        """The secret, shown this once (not in a message: those are stored in the session until read)."""
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "subscription": subscription,
            "receiver": redact_url(subscription.url),
            "secret": secret,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/reviews/webhooksubscription/secret.html", context)

    def get_urls(self):
        view = self.admin_site.admin_view(self.rotate_view)
        return [
            path("<path:object_id>/rotate-secret/", view, name="reviews_webhooksubscription_rotate"),
            *super().get_urls(),
        ]

    def rotate_view(self, request, object_id):
        """Rotate the signing secret (POST only); the page that follows shows the new one once."""
        subscription = self.get_object(request, unquote(object_id))
        if subscription is None:
            raise Http404("No such subscription.")
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request, subscription):
            raise PermissionDenied
        subscription, secret = webhooks.rotate_secret(subscription, by=request.user)
        return self.secret_page(request, subscription, secret, "Secret rotated")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin, WebhookAdminAccess, admin.ModelAdmin):
    """The delivery log of every subscription, read-only; failed or lost deliveries can be sent again."""

    list_display = [
        "id",
        "subscription",
        "event_link",
        "status",
        "attempts",
        "response_code",
        "duration_ms",
        "last_attempt_at",
        "next_attempt_at",
        "error",
    ]
    list_filter = ["status", "subscription"]
    list_select_related = ["subscription", "event"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    actions = ["redeliver"]
    fields = [
        "subscription",
        "event_link",
        "webhook_id",
        "status",
        "attempts",
        "response_code",
        "response_body",
        "duration_ms",
        "error",
        "created_at",
        "last_attempt_at",
        "next_attempt_at",
        "delivered_at",
    ]
    readonly_fields = fields

    @admin.display(description="event", ordering="event_id")
    def event_link(self, delivery):
        url = reverse("admin:reviews_event_change", args=[delivery.event_id])
        return format_html('<a href="{}">{} #{}</a>', url, delivery.event.type, delivery.event_id)

    @admin.action(description="Send the selected deliveries again")
    def redeliver(self, request, queryset):
        sent, refused = 0, []
        for delivery in queryset.select_related("subscription"):
            try:
                webhooks.redeliver(delivery, by=request.user)
                sent += 1
            except ValidationError as exc:
                refused.append(f"#{delivery.pk}: {' '.join(exc.messages)}")
        if sent:
            self.message_user(request, f"{sent} deliveries will be sent again shortly.", messages.SUCCESS)
        if refused:
            self.message_user(request, "Not sent: " + "; ".join(refused[:10]), messages.WARNING)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not webhooks.may_manage(request.user):
            actions.pop("redeliver", None)
        return actions
