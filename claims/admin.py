import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from claims import claimants, claimreview_import, services
from claims.claimant_names import claimant_key
from claims.models import Article, Claim, Claimant, ClaimantAlias, ExternalFactCheck, Tag, Verdict
from claims.text import normalize_body, search_text
from claims.validators import validate_span
from factcheck.admin import HistoryAdmin, UserNamesAdmin, user_name
from factcheck.admin_forms import VersionedAdminForm
from factcheck.admin_paginator import EstimatedCountPaginator
from factcheck.exceptions import ConflictError
from factcheck.roles import is_editor, remember_roles, role_annotations

# How long the choices of the filters that read a whole table are reused.
FILTER_CHOICES_SECONDS = 600


class CachedValuesListFilter(admin.AllValuesFieldListFilter):
    """Django's filter on every distinct value of a field, read from the table once per ten minutes."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        key = f"admin-filter-values:{model._meta.label}:{field_path}"
        self.lookup_choices = cache.get_or_set(key, lambda: list(self.lookup_choices), FILTER_CHOICES_SECONDS)


def https_urls(field, **kwargs):
    """A model field's form field; URLs without a scheme are taken as https (Django 6's default)."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


def quote_in_context(claim, around=200):
    """The claim's quote highlighted (``<mark>``) in up to ``around`` characters of its article either side:
    the claim's page and the review's page show it so."""
    body = claim.article.body
    before = body[max(0, claim.start - around) : claim.start]
    after = body[claim.end : claim.end + around]
    return format_html("…{}<mark>{}</mark>{}…", before, body[claim.start : claim.end], after)


class ArticleForm(forms.ModelForm):
    """Refuses, as the API does, a body that is already stored or that would move claims' text."""

    url = forms.URLField(max_length=2000, required=False, assume_scheme="https")

    class Meta:
        model = Article
        fields = ["title", "url", "publisher", "author", "published_at", "language", "body"]
        # Also for the url when the admin shows it read-only and builds the form without the field above.
        formfield_callback = https_urls

    def clean_url(self):
        return self.cleaned_data["url"] or None

    def clean_body(self):
        body = normalize_body(self.cleaned_data["body"])
        duplicate = services.stored_article(body)
        if duplicate is not None and duplicate.pk != self.instance.pk:
            raise forms.ValidationError(f"This text is already stored as article {duplicate.pk}: “{duplicate}”.")
        try:
            services.check_body(body, article=self.instance)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc
        return body

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:  # refused now rather than when saving (services.update_article asks again)
            refuse_if_forbidden(services.check_article_change, self.instance, changed_fields(self, Article))
        return cleaned


def changed_fields(form, model):
    """The fields of the form's instance (as stored, before the form applies itself) that its data changes."""
    names = {field.name for field in model._meta.concrete_fields}
    return {
        name
        for name, value in form.cleaned_data.items()
        if name in names and name != "version" and value != getattr(form.instance, name)
    }


def refuse_if_forbidden(check, instance, changed):
    """Run one of ``claims.services``' checks; its refusal becomes the form's error."""
    try:
        check(instance, changed)
    except ConflictError as exc:
        raise forms.ValidationError(str(exc)) from exc


@admin.register(Article)
class ArticleAdmin(UserNamesAdmin, admin.ModelAdmin):
    form = ArticleForm
    user_fields = ("created_by",)
    created_by_name = user_name("created_by")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["title", "publisher", "published_at", "language", "claim_count"]
    list_filter = [("language", CachedValuesListFilter), ("publisher", CachedValuesListFilter)]
    search_fields = ["title", "url", "publisher", "author"]
    readonly_fields = ["content_hash", "created_by", "created_at", "updated_at"]
    date_hierarchy = "published_at"
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        # The autocomplete view, unlike the list's search form, passes the term on unchecked.
        return super().get_search_results(request, queryset, search_text(search_term))

    def get_queryset(self, request):
        # A subquery per article shown, over the index of claims(article_id): a GROUP BY would join every
        # claim to every article, in the list and in each filter's query.
        claims = Claim.objects.filter(article=OuterRef("pk")).order_by().values("article").annotate(n=Count("pk"))
        return super().get_queryset(request).annotate(claim_count=Coalesce(Subquery(claims.values("n")), 0))

    @admin.display(ordering="claim_count", description="claims")
    def claim_count(self, article):
        return article.claim_count

    actions = ["extract_candidate_claims"]

    def get_form(self, request, obj=None, **kwargs):
        if kwargs.get("fields"):
            kwargs["fields"] = [name for name in kwargs["fields"] if name != "extract_claims"]
        form = super().get_form(request, obj, **kwargs)
        if obj is not None or not self.has_extract_permission(request):
            return form
        # Offered when adding an article; existing ones use the "Extract candidate claims" action.
        extract_claims = forms.BooleanField(
            label="Extract candidate claims",
            required=False,
            initial=True,
            help_text="Propose the article's check-worthy sentences as candidate claims when it is saved.",
        )
        return type(form.__name__, (form,), {"extract_claims": extract_claims})

    def save_model(self, request, obj, form, change):
        if change:
            # Through the rules of the API (services.update_article), on the article as stored.
            stored = Article.objects.get(pk=obj.pk)
            changes = {name: getattr(obj, name) for name in form.changed_data if name in services.ARTICLE_FIELDS}
            services.update_article(stored, by=request.user, **changes)
            return
        obj.created_by = request.user
        super().save_model(request, obj, form, change)
        if form.cleaned_data.get("extract_claims"):
            try:
                created = services.extract_claims(obj, by=request.user)
            except (services.ExtractionTimeout, services.UnsupportedLanguage) as exc:
                self.message_user(request, f"“{obj}” was saved without claims: {exc}", messages.WARNING)
                return
            self.message_user(request, f"{len(created)} candidate claim(s) extracted from “{obj}”.")

    def has_extract_permission(self, request):
        return request.user.has_perm("claims.add_claim")

    @admin.action(description="Extract candidate claims", permissions=["extract"])
    def extract_candidate_claims(self, request, queryset):
        created = read = 0
        for article in queryset:
            try:
                created += len(services.extract_claims(article, by=request.user))
            except (services.ExtractionTimeout, services.UnsupportedLanguage) as exc:
                self.message_user(request, f"No claims extracted from “{article}”: {exc}", messages.WARNING)
                continue
            read += 1
        if read:
            self.message_user(request, f"{created} candidate claim(s) extracted from {read} article(s).")


class ClaimantFilter(admin.SimpleListFilter):
    """The 30 claimants with the most claims, as entities: one organisation is one choice whatever the
    spelling its claims were entered with. A full list would not scale to a large archive.

    Counting them reads every claim, so the list is reused for ten minutes.
    """

    title = "claimant"
    parameter_name = "claimant_id"

    def lookups(self, request, model_admin):
        return cache.get_or_set("admin-filter:top-claimant-entities", self.top_claimants, FILTER_CHOICES_SECONDS)

    @staticmethod
    def top_claimants():
        top = list(
            Claim.objects.filter(claimant_entity__isnull=False)
            .values("claimant_entity")
            .annotate(n=Count("id"))
            .order_by("-n", "claimant_entity")[:30]
        )
        names = dict(Claimant.objects.filter(pk__in=[row["claimant_entity"] for row in top]).values_list("pk", "name"))
        return [(str(row["claimant_entity"]), f"{names.get(row['claimant_entity'], '?')} ({row['n']})") for row in top]

    def queryset(self, request, queryset):
        if self.value():
            try:
                return queryset.filter(claimant_entity_id=int(self.value()))
            except ValueError:
                return queryset.none()
        return queryset


class VerdictFilter(admin.SimpleListFilter):
    """The verdicts a claim can carry, without reading the claims for their distinct values."""

    title = "verdict"
    parameter_name = "verdict"
    unrated = "none"

    def lookups(self, request, model_admin):
        return [*Verdict.choices, (self.unrated, "No verdict")]

    def queryset(self, request, queryset):
        if self.value() == self.unrated:
            return queryset.filter(verdict="")
        if self.value():
            return queryset.filter(verdict=self.value())
        return queryset


class AssigneeFilter(admin.SimpleListFilter):
    """Who works on the claim: me, no one, or one of the people a claim may be assigned to. The choices
    come from the users (``services.assignable_users``), never from reading the claims."""

    title = "assignee"
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        people = services.assignable_users().values_list(get_user_model().USERNAME_FIELD, flat=True)
        return [("me", "Me"), ("none", "Unassigned"), *((name, name) for name in people)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.assigned(self.value(), user=request.user)
        return queryset


def shortened(text, length):
    """``text`` cut to ``length`` characters with an ellipsis, the whole of it as the tooltip."""
    if len(text) <= length:
        return text
    return format_html('<span title="{}">{}…</span>', text, text[: length - 1].rstrip())


class ClaimForm(VersionedAdminForm):
    class Meta:
        model = Claim
        fields = "__all__"
        help_texts = {
            "check_worthiness": "0 to 1. Setting it by hand to another value clears the reasons extraction gave "
            "for its own score.",
        }

    def clean(self):
        cleaned = super().clean()
        article = cleaned.get("article") or getattr(self.instance, "article", None)
        start, end, quote = cleaned.get("start"), cleaned.get("end"), cleaned.get("quote")
        if article is not None and start is not None and end is not None and quote is not None:
            validate_span(article.body, start, end, quote)
        if self.instance.pk:  # refused now rather than when saving (services.update_claim asks again)
            changed = changed_fields(self, Claim)
            if "claimant_entity" in changed:
                changed.add("claimant")  # another claimant: the claim shows another name
            refuse_if_forbidden(services.check_claim_change, self.instance, changed)
        return cleaned


@admin.register(Claim)
class ClaimAdmin(HistoryAdmin):
    form = ClaimForm
    # The columns a reviewer needs first, in an order and at widths that fit a 1,366 px screen with the
    # filters beside them (tests/browser/test_lists.py); the article last, where it may be cut.
    list_display = [
        "short_quote",
        "short_claimant",
        "status",
        "verdict",
        "worthiness",
        "assignee_name",
        "short_article",
    ]
    list_filter = ["status", VerdictFilter, AssigneeFilter, ClaimantFilter, "tags"]
    # Searched with the claims' full-text index (get_search_results), not a LIKE over every row.
    search_fields = ["quote", "claim_reviewed", "claimant"]
    search_help_text = (
        'Words of the quote, reviewed wording or claimant; "a phrase", -excluded, or. Any name of a claimant '
        "finds its claims."
    )
    paginator = EstimatedCountPaginator
    # Rendering the rows is most of the page's time (about 2 ms a row): 50 rows, not Django's 100.
    list_per_page = 50
    list_select_related = ["article", "assignee"]
    # Searched as typed: a select of every article, claimant or tag would not scale to a large archive.
    autocomplete_fields = ["article", "claimant_entity", "tags"]
    # The score's reasons are shown above the form (admin/claims/claim/change_form.html).
    readonly_fields = [
        "status",
        "verdict",
        "in_context",
        "created_by",
        "created_at",
        "updated_at",
    ]
    user_fields = ("created_by",)
    created_by_name = user_name("created_by")
    fields = [
        "article",
        "quote",
        "start",
        "end",
        "in_context",
        "claim_reviewed",
        "claimant",
        "claimant_entity",
        "claimed_at",
        "check_worthiness",
        "tags",
        "status",
        "verdict",
        "version",
        "created_by",
        "created_at",
        "updated_at",
    ]
    # reviews/admin.py registers a subclass in its place that adds the "Export selected as …" actions.
    actions = ["accept_claims", "dismiss_claims"]
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        found = queryset.search(search_term)
        # A name of a claimant, however spelt, finds all its claims ("Russian Defence Ministry").
        alias = (
            ClaimantAlias.objects.filter(key=claimant_key(search_term)).first() if claimant_key(search_term) else None
        )
        if alias is not None:
            found = found | queryset.filter(claimant_entity_id=alias.claimant_id)
        return found, False

    class Media:
        css = {"all": ["claims/admin_lists.css"]}

    @admin.display(description="quote")
    def short_quote(self, claim):
        return shortened(claim.quote, 110)

    @admin.display(description="claimant", ordering="claimant")
    def short_claimant(self, claim):
        return shortened(claim.claimant, 32) or self.get_empty_value_display()

    @admin.display(description="article", ordering="article")
    def short_article(self, claim):
        return shortened(claim.article.title, 40)

    @admin.display(description="assignee")
    def assignee_name(self, claim):
        if claim.assignee is None:
            return self.get_empty_value_display()
        return shortened(claim.assignee.get_username(), 18)

    @admin.display(description="score", ordering="check_worthiness")
    def worthiness(self, claim):
        """The check-worthiness score, with the reasons extraction gave for it as the cell's tooltip."""
        score = f"{claim.check_worthiness:.2f}"
        if not claim.check_worthiness_reasons:
            return score
        return format_html('<span title="{}">{}</span>', ", ".join(claim.check_worthiness_reasons), score)

    @admin.display(description="in the article")
    def in_context(self, claim):
        if not claim.pk:
            return "—"
        return quote_in_context(claim)

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        # A claim stays in its article, as in the API: its offsets point into that article's body.
        return ["article", *readonly] if obj is not None else readonly

    def save_model(self, request, obj, form, change):
        """Through the rules of the API (``claims.services``): validation, history, versions, and the
        refusals of the apps built on claims."""
        cleaned = form.cleaned_data
        tags = [tag.name for tag in cleaned["tags"]] if "tags" in form.changed_data else None
        if not change:
            fields = ("quote", "start", "end", "claim_reviewed", "claimed_at", "check_worthiness")
            claim = services.create_claim(
                article=cleaned["article"],
                **{name: cleaned[name] for name in fields},
                # The claimant picked, else the one the name typed resolves to.
                claimant="" if cleaned.get("claimant_entity") else cleaned["claimant"],
                claimant_entity=cleaned.get("claimant_entity"),
                tags=tags,
                by=request.user,
            )
            obj.pk, obj.status, obj.version, obj.created_by = claim.pk, claim.status, claim.version, claim.created_by
            obj._state.adding = False
            return
        changes = {name: cleaned[name] for name in form.changed_data if name in services.CLAIM_FIELDS}
        if "claimant_entity" in changes and "claimant" not in changes:
            changes["claimant"] = ""  # the claimant picked: the claim shows its name
        elif "claimant" in changes and "claimant_entity" not in changes:
            changes["claimant_entity"] = None  # the name typed: resolved to its claimant
        if {"quote", "start", "end"} & set(changes):
            changes.update(quote=cleaned["quote"], start=cleaned["start"], end=cleaned["end"])
        if changes or tags is not None:
            claim = services.update_claim(obj, by=request.user, version=cleaned.get("version"), tags=tags, **changes)
            obj.version = claim.version

    def save_related(self, request, form, formsets, change):
        # Tags were saved with the claim by save_model; the form must not write them a second time.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def _triage(self, request, queryset, status):
        changed = refused = 0
        for claim in queryset:
            try:
                services.triage(claim, status=status, by=request.user)
            except (ValidationError, PermissionDenied) as exc:
                refused += 1
                message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                self.message_user(request, f"{claim}: {message}", messages.WARNING)
                continue
            changed += 1
        self.message_user(request, f"{changed} claim(s) marked {status}; {refused} refused.")

    # --- The claim's page: triage and assignment buttons above the form (template
    # admin/claims/claim/change_form.html). Each is a form of its own posting to the views below, which
    # call ``claims.services`` as the API does; the page offers only the steps those rules admit.

    # The triage steps of the page, in the order shown: (status, button, what the message says).
    TRIAGE_STEPS = [
        (Claim.Status.ACCEPTED, "Accept", "accepted for review"),
        (Claim.Status.DISMISSED, "Dismiss", "dismissed as not check-worthy"),
        (Claim.Status.CANDIDATE, "Reopen as a candidate", "back among the candidates"),
    ]

    def get_object(self, request, object_id, from_field=None):
        """The claim with its article (whose text the page quotes) and assignee, in one query."""
        queryset = self.get_queryset(request).select_related("article", "assignee")
        field = Claim._meta.pk if from_field is None else Claim._meta.get_field(from_field)
        try:
            return queryset.get(**{field.name: field.to_python(object_id)})
        except (Claim.DoesNotExist, ValidationError, ValueError):
            return None

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context.update(self.claim_page_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def claim_page_context(self, request, claim):
        """What the top of a claim's page shows and offers to ``request.user`` (reviews/admin.py adds its reviews)."""
        user = request.user
        context = {
            "reasons": claim.check_worthiness_reasons,
            "triage_steps": [
                {"status": status, "label": label}
                for status, label, _ in self.TRIAGE_STEPS
                if services.may_triage(claim, status, by=user)
            ],
            "assignee": claim.assignee,
            "may_take": claim.assignee_id is None and services.may_assign(claim, user, by=user),
            "may_release": claim.assignee_id == user.pk and services.may_assign(claim, None, by=user),
            "may_unassign": claim.assignee_id not in (None, user.pk) and services.may_assign(claim, None, by=user),
        }
        choices = []
        for candidate in services.assignable_users().annotate(**role_annotations("pk")):
            remember_roles(candidate, candidate)  # may_assign asks each one's roles: read in the same query
            if candidate.pk != claim.assignee_id and services.may_assign(claim, candidate, by=user):
                choices.append(candidate)
        # A list of one's own name only is "Take this claim" (reviewers): a select when others may be chosen.
        context["assign_choices"] = choices if any(choice.pk != user.pk for choice in choices) else []
        return context

    def get_urls(self):
        triage = self.admin_site.admin_view(self.triage_view)
        assign = self.admin_site.admin_view(self.assign_view)
        return [
            path("<path:object_id>/triage/<str:status>/", triage, name="claims_claim_triage"),
            path("<path:object_id>/assign/", assign, name="claims_claim_assign"),
            *super().get_urls(),
        ]

    def _claim_for_step(self, request, object_id):
        """The claim a button posts to, or the answer to give instead (404, 405, 403)."""
        claim = self.get_object(request, unquote(object_id))
        if claim is None:
            raise Http404("No such claim.")
        if request.method != "POST":
            return None, HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request, claim):
            raise PermissionDenied
        return claim, None

    def _back_to(self, claim):
        return HttpResponseRedirect(reverse("admin:claims_claim_change", args=[claim.pk]))

    def _refused(self, request, exc):
        message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        self.message_user(request, f"Nothing was changed: {message}", messages.ERROR)

    def triage_view(self, request, object_id, status):
        """Accept, dismiss or reopen one claim (POST only), through ``claims.services.triage``."""
        steps = {step: done for step, _, done in self.TRIAGE_STEPS}
        if status not in steps:
            raise Http404("No such step.")
        claim, answer = self._claim_for_step(request, object_id)
        if answer is not None:
            return answer
        try:
            services.triage(claim, status=status, by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            self._refused(request, exc)
        else:
            self.message_user(request, f"Claim {claim.pk} {steps[status]}.", messages.SUCCESS)
        return self._back_to(claim)

    def assign_view(self, request, object_id):
        """Take, release, assign or unassign one claim (POST ``assignee``: a user id, or empty for nobody),
        through ``claims.services.assign_claim``."""
        claim, answer = self._claim_for_step(request, object_id)
        if answer is not None:
            return answer
        wanted = request.POST.get("assignee", "").strip()
        assignee = None
        if wanted:
            assignee = get_user_model().objects.filter(pk=int(wanted)).first() if wanted.isdigit() else None
            if assignee is None:
                self._refused(request, ValidationError("No such user."))
                return self._back_to(claim)
        try:
            claim = services.assign_claim(claim, assignee=assignee, by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            self._refused(request, exc)
        else:
            if assignee is None:
                done = "Nobody is assigned to this claim now."
            elif assignee.pk == request.user.pk:
                done = "You are assigned to this claim now."
            else:
                done = f"Assigned to {assignee.get_username()}."
            self.message_user(request, done, messages.SUCCESS)
        return self._back_to(claim)

    @admin.action(description="Accept selected claims for review")
    def accept_claims(self, request, queryset):
        self._triage(request, queryset, Claim.Status.ACCEPTED)

    @admin.action(description="Dismiss selected claims (editors)")
    def dismiss_claims(self, request, queryset):
        self._triage(request, queryset, Claim.Status.DISMISSED)


class ClaimantAliasForm(forms.ModelForm):
    """An alias: its key is its normalised name, which must name no other claimant."""

    class Meta:
        model = ClaimantAlias
        fields = ["name"]

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        key = claimant_key(name)
        if not key:
            raise forms.ValidationError("Enter a name with at least one letter or digit.")
        clash = ClaimantAlias.objects.filter(key=key).exclude(pk=self.instance.pk).select_related("claimant").first()
        if clash is not None and clash.claimant_id != getattr(self.instance, "claimant_id", None):
            raise forms.ValidationError(
                f"“{name}” already names claimant {clash.claimant_id} ({clash.claimant.name}): merge the two instead."
            )
        self.instance.key = key
        return name


class ClaimantAliasInline(admin.TabularInline):
    model = ClaimantAlias
    form = ClaimantAliasForm
    extra = 1
    fields = ["name", "key"]
    readonly_fields = ["key"]


class ClaimantForm(VersionedAdminForm):
    class Meta:
        model = Claimant
        fields = ["name", "type", "description", "same_as", "version"]
        help_texts = {"same_as": 'A JSON list of http(s) URLs, e.g. ["https://www.wikidata.org/wiki/Q159"].'}

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        key = claimant_key(name)
        if not key:
            raise forms.ValidationError("Enter a name with at least one letter or digit.")
        clash = ClaimantAlias.objects.filter(key=key).select_related("claimant")
        if self.instance.pk:
            clash = clash.exclude(claimant=self.instance)
        if clash.exists():
            other = clash.first().claimant
            raise forms.ValidationError(
                f"“{name}” already names claimant {other.pk} ({other.name}): merge them instead."
            )
        return name


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(
        Claimant.objects.all(), widget=forms.RadioSelect, empty_label=None, label="The claimant that stays"
    )
    reason = forms.CharField(required=False, max_length=500, label="Why (for the history)")


@admin.register(Claimant)
class ClaimantAdmin(HistoryAdmin):
    """Claimants: their names (aliases), type and links; their claims and record; merging duplicates (editors)."""

    form = ClaimantForm
    inlines = [ClaimantAliasInline]
    list_display = ["name", "type", "claim_count", "verified_count"]
    list_filter = ["type"]
    search_fields = ["name", "aliases__name"]
    search_help_text = "Any of its names, however spelt."
    fields = [
        "name",
        "type",
        "description",
        "same_as",
        "record",
        "latest_claims",
        "version",
        "created_at",
        "updated_at",
    ]
    readonly_fields = ["record", "latest_claims", "created_at", "updated_at"]
    actions = ["merge_selected"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    def get_queryset(self, request):
        claims = Claim.objects.filter(claimant_entity=OuterRef("pk")).order_by().values("claimant_entity")
        count = claims.annotate(n=Count("pk")).values("n")
        verified = claims.filter(status=Claim.Status.VERIFIED).annotate(n=Count("pk")).values("n")
        return (
            super()
            .get_queryset(request)
            .annotate(claim_total=Coalesce(Subquery(count), 0), verified_total=Coalesce(Subquery(verified), 0))
        )

    def get_search_results(self, request, queryset, search_term):
        key = claimant_key(search_term)
        if not key:
            return queryset, False
        aliases = ClaimantAlias.objects.filter(key__contains=key).values("claimant_id")
        return queryset.filter(pk__in=aliases), False

    @admin.display(description="claims", ordering="claim_total")
    def claim_count(self, claimant):
        url = reverse("admin:claims_claim_changelist") + f"?claimant_id={claimant.pk}"
        return format_html('<a href="{}">{}</a>', url, claimant.claim_total)

    @admin.display(description="verified", ordering="verified_total")
    def verified_count(self, claimant):
        return claimant.verified_total

    @admin.display(description="record (published verdicts)")
    def record(self, claimant):
        if not claimant.pk:
            return "—"
        record = claimants.claimant_record(claimant)
        labels = dict(Verdict.choices)
        rows = [(labels[verdict], count) for verdict, count in record["verdicts"].items() if count]
        if not rows:
            return "No published verdict yet."
        return format_html(
            "{} verified claim(s): {}", record["total"], format_html_join(", ", "{} {}", ((n, v) for v, n in rows))
        )

    @admin.display(description="latest claims")
    def latest_claims(self, claimant):
        if not claimant.pk:
            return "—"
        claims = Claim.objects.filter(claimant_entity=claimant).order_by("-id")[:20]
        items = format_html_join(
            "",
            '<li><a href="{}">{}</a> ({})</li>',
            ((reverse("admin:claims_claim_change", args=[c.pk]), str(c), c.get_status_display()) for c in claims),
        )
        url = reverse("admin:claims_claim_changelist") + f"?claimant_id={claimant.pk}"
        return format_html('<ul>{}</ul><a href="{}">All its claims</a>', items, url)

    def save_model(self, request, obj, form, change):
        """Through ``claims.claimants``: history, and a new name written on the claimant's claims."""
        values = {name: form.cleaned_data[name] for name in ("name", "type", "description", "same_as")}
        if not change:
            created = claimants.create_claimant(**values, by=request.user)
            obj.pk, obj.created_at, obj.updated_at = created.pk, created.created_at, created.updated_at
            obj._state.adding = False
        else:
            # The version the form was opened at: a claimant changed since is refused, not overwritten.
            claimants.update_claimant(
                obj, **values, aliases=None, version=form.cleaned_data["version"], by=request.user
            )

    def save_formset(self, request, form, formset, change):
        """Aliases: one per normalised name. A row whose name the claimant already has (its own name, a
        saved alias, another row of the form) adds nothing."""
        if formset.model is not ClaimantAlias:
            return super().save_formset(request, form, formset, change)
        aliases = formset.save(commit=False)
        for removed in formset.deleted_objects:
            removed.delete()
        for alias in aliases:
            if not ClaimantAlias.objects.filter(key=alias.key).exclude(pk=alias.pk).exists():
                alias.save()
        return None

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        claimant = form.instance
        key = claimant_key(claimant.name)
        ClaimantAlias.objects.get_or_create(key=key, defaults={"claimant": claimant, "name": claimant.name})

    @admin.action(description="Merge selected claimants into one (editors)", permissions=["change"])
    def merge_selected(self, request, queryset):
        selected = list(queryset.order_by("pk"))
        form = MergeForm(request.POST if "apply" in request.POST else None)
        form.fields["into"].queryset = Claimant.objects.filter(pk__in=[c.pk for c in selected])
        if len(selected) < 2:
            self.message_user(request, "Select at least two claimants to merge.", messages.WARNING)
            return None
        if form.is_valid():
            into = form.cleaned_data["into"]
            merged = 0
            for duplicate in selected:
                if duplicate.pk == into.pk:
                    continue
                try:
                    claimants.merge_claimants(
                        duplicate, into=into, by=request.user, reason=form.cleaned_data["reason"] or None
                    )
                except (ValidationError, PermissionDenied) as exc:
                    reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                    self.message_user(request, f"{duplicate}: {reason}", messages.WARNING)
                    continue
                merged += 1
            self.message_user(request, f"{merged} claimant(s) merged into “{into}”.", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "claimants": selected,
            "form": form,
            "title": "Merge claimants",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/claims/claimant/merge_form.html", context)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]
    paginator = EstimatedCountPaginator


# --- Fact-checks from elsewhere ---------------------------------------------------------------------


class ClaimReviewImportForm(forms.Form):
    """A ClaimReview document to import: a file or pasted text (JSON-LD, a DataFeed, or an HTML page)."""

    file = forms.FileField(required=False, help_text="A JSON-LD or HTML file, UTF-8.")
    text = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 100}),
        help_text="Or paste the JSON-LD (a ClaimReview, an array, a DataFeed) or the page's HTML.",
    )
    skip_invalid = forms.BooleanField(
        required=False, help_text="Store the valid items and skip the invalid ones (otherwise nothing is stored)."
    )

    def clean(self):
        cleaned = super().clean()
        upload, text = cleaned.get("file"), cleaned.get("text") or ""
        if bool(upload) == bool(text.strip()):
            raise ValidationError("Upload a file or paste the document: one of the two.")
        if upload:
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise ValidationError(f"The file is not UTF-8 text: {exc}.") from exc
        try:
            cleaned["document"] = claimreview_import.read_text(text)
        except claimreview_import.UnreadableFeed as exc:
            raise ValidationError(str(exc)) from exc
        return cleaned


@admin.register(ExternalFactCheck)
class ExternalFactCheckAdmin(UserNamesAdmin, admin.ModelAdmin):
    """Other organisations' fact-checks: read-only (imported, not written here); editors import and delete."""

    list_display = ["short_claim", "publisher", "rating", "claimant", "date_published", "original"]
    list_filter = [("publisher", CachedValuesListFilter), ("language", CachedValuesListFilter)]
    search_fields = ["claim_reviewed", "claimant", "publisher"]
    search_help_text = 'Words of the claim, claimant or publisher; "a phrase", -excluded, or.'
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    user_fields = ("imported_by",)
    imported_by_name = user_name("imported_by")
    fields = [
        "original",
        "publisher",
        "publisher_url",
        "claim_reviewed",
        "claimant",
        "claimant_type",
        "rating_text",
        "rating_value",
        "best_rating",
        "worst_rating",
        "date_published",
        "date_modified",
        "claim_date",
        "appearance_links",
        "language",
        "claimreview",
        "imported_by",
        "imported_at",
        "updated_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        # The list never shows the ClaimReview object: a page of 100 would read as many JSON documents.
        changelist = (getattr(request.resolver_match, "url_name", None) or "").endswith("changelist")
        return queryset.defer("data") if changelist else queryset

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return queryset.search(search_term), False

    def has_add_permission(self, request):
        return False  # through the import form

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="claim reviewed")
    def short_claim(self, fact_check):
        return str(fact_check)

    @admin.display(description="rating", ordering="rating_text")
    def rating(self, fact_check):
        if fact_check.rating_value is None:
            return fact_check.rating_text
        bounds = f" of {fact_check.best_rating:g}" if fact_check.best_rating is not None else ""
        text = f"{fact_check.rating_value:g}{bounds}"
        return f"{fact_check.rating_text} ({text})" if fact_check.rating_text else text

    @admin.display(description="original")
    def original(self, fact_check):
        return format_html('<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>', fact_check.url, "open ↗")

    @admin.display(description="appearances")
    def appearance_links(self, fact_check):
        if not fact_check.appearances:
            return "—"
        return format_html_join(
            format_html("<br>"),
            '<a href="{}" rel="noopener noreferrer">{}</a>',
            ((url, url) for url in fact_check.appearances),
        )

    @admin.display(description="ClaimReview as imported")
    def claimreview(self, fact_check):
        return format_html("<pre>{}</pre>", json.dumps(fact_check.data, indent=2, ensure_ascii=False))

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="claims_externalfactcheck_import"), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": is_editor(request.user)}
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        """Editors import a ClaimReview file or pasted text (``claims.claimreview_import``) and see the report."""
        if not is_editor(request.user):
            raise PermissionDenied
        report = None
        posted = request.method == "POST"
        form = ClaimReviewImportForm(request.POST, request.FILES) if posted else ClaimReviewImportForm()
        if posted and form.is_valid():
            try:
                report = claimreview_import.import_claim_reviews(
                    [("", form.cleaned_data["document"])],
                    by=request.user,
                    skip_invalid=form.cleaned_data["skip_invalid"],
                )
            except claimreview_import.ImportConflict as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                level = messages.SUCCESS if report.stored else messages.ERROR
                self.message_user(request, report.summary, level)
        context = {
            **self.admin_site.each_context(request),
            "title": "Import fact-checks from elsewhere (ClaimReview)",
            "opts": self.model._meta,
            "form": form,
            "report": report,
        }
        return TemplateResponse(request, "admin/claims/externalfactcheck/import_form.html", context)
