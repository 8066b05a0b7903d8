from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.template.response import TemplateResponse

from claims import admin as claims_admin
from claims.models import Claim
from claims.text import search_text
from factcheck.admin import HistoryAdmin
from factcheck.admin_forms import VersionedAdminForm
from factcheck.admin_paginator import EstimatedCountPaginator
from factcheck.concurrency import ANY_VERSION
from reviews import exports, workflow
from reviews.api.export_views import export_response
from reviews.models import Evidence, Review


class ClaimAdmin(claims_admin.ClaimAdmin):
    """claims/admin.py's ClaimAdmin, plus the actions that export the selected claims with their published
    reviews. Registered in its place (below), so the claim admin's pages stay where they were."""

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


class EvidenceInline(admin.StackedInline):
    model = Evidence
    extra = 0
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = [*workflow.EVIDENCE_FIELDS, "added_by"]
    readonly_fields = ["added_by"]

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


@admin.register(Review)
class ReviewAdmin(HistoryAdmin):
    form = ReviewForm
    inlines = [EvidenceInline]
    list_display = ["__str__", "verdict", "state", "author", "updated_at"]
    list_filter = ["state", "verdict", "author"]
    # The claim's words through the claims' full-text index (get_search_results); the summary as typed.
    search_fields = ["summary", "claim__quote", "claim__claimant"]
    search_help_text = "Words of the claim (quote, reviewed wording, claimant), or text of the summary."
    paginator = EstimatedCountPaginator
    list_select_related = ["claim", "author"]
    autocomplete_fields = ["claim"]
    readonly_fields = [
        "author",
        "state",
        "editor_comment",
        "submitted_at",
        "published_at",
        "published_by",
        "created_at",
        "updated_at",
    ]
    actions = ["submit_reviews", "publish_reviews", "return_reviews"]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_search_results(self, request, queryset, search_term):
        term = search_text(search_term)
        if not term:
            return queryset, False
        claims = Claim.objects.search(term).values("pk")
        return queryset.filter(Q(claim__in=claims) | Q(summary__icontains=term)), False

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not workflow.can_edit(obj, request.user):
            return ["claim", "verdict", "rating_text", "summary", *self.readonly_fields]
        if obj is not None:
            return ["claim", *self.readonly_fields]
        return self.readonly_fields

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
