"""Admin pieces every app uses: history pages (django-simple-history) that are read-only and never wider
than the object's own page, and users shown by name to whoever cannot open the user admin."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from simple_history.admin import SimpleHistoryAdmin
from simple_history.utils import get_history_manager_for_model

from factcheck import jobs
from factcheck.models import Job

HISTORY_METHODS = ("GET", "HEAD")


def history_is_read_only():
    """The answer to anything but GET or HEAD on a history page (405, JSON like every error)."""
    detail = "History is read-only. Change the object on its own page; a published review is corrected by a new one."
    response = JsonResponse({"detail": detail}, status=405)
    response["Allow"] = ", ".join(HISTORY_METHODS)
    return response


def _parse_id(field, value):
    """``value`` from the URL as ``field`` stores it; Http404 when it cannot be one."""
    try:
        return field.to_python(value)
    except ValidationError:
        raise Http404 from None


# A view name that never resolves: simple-history's history list then shows who made a change without a link.
NO_USER_PAGE = "admin:factcheck_no_user_page"


def can_open_user_admin(request, admin_site):
    """Whether the user admin would open for ``request.user`` (only staff with user permissions)."""
    user_admin = admin_site._registry.get(get_user_model())
    return user_admin is not None and user_admin.has_view_or_change_permission(request)


def user_name(field):
    """A read-only admin field showing the user in ``field`` by name, without a link (``<field>_name``)."""

    @admin.display(description=field.replace("_", " "))
    def show(model_admin, obj):
        user = getattr(obj, field, None)
        return user.get_username() if user is not None else model_admin.get_empty_value_display()

    return show


class UserNamesAdmin:
    """For model admins and inlines: their read-only user fields (``user_fields``) link to the user's admin
    page only for whoever may open it; anyone else, who would meet a 403 there, sees plain names.

    Each field named in ``user_fields`` needs a ``<field>_name = user_name("<field>")`` beside it.
    """

    user_fields = ()

    def _user_names(self, request, names):
        if not self.user_fields or can_open_user_admin(request, self.admin_site):
            return names
        return [f"{name}_name" if name in self.user_fields else name for name in names]

    def get_readonly_fields(self, request, obj=None):
        return self._user_names(request, super().get_readonly_fields(request, obj))

    def get_fields(self, request, obj=None):
        return self._user_names(request, super().get_fields(request, obj))


class HistoryAdmin(UserNamesAdmin, SimpleHistoryAdmin):
    """The base of every model admin with history: history answers GET and HEAD only, for what the user may see.

    simple-history's history form saves whatever is POSTed onto the object (``SIMPLE_HISTORY_REVERT_DISABLED``
    only hides the button), and its history list falls back to the recorded rows when the admin's queryset
    hides the object. Here both views refuse any other method (405) and answer 404 unless the user may see the
    object: a live one through ``get_queryset`` as on its change page, a deleted one when the model's
    ``visible_to`` rule admits its last recorded state.
    """

    def history_view(self, request, object_id, extra_context=None):
        if request.method not in HISTORY_METHODS:
            return history_is_read_only()
        self.get_history_object(request, object_id)
        if not can_open_user_admin(request, self.admin_site):
            extra_context = {**(extra_context or {}), "admin_user_view": NO_USER_PAGE}
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in HISTORY_METHODS:
            return history_is_read_only()
        self.get_history_object(request, object_id)
        # simple-history looks the row up by object and row id together; a malformed row id would be a 500 there.
        _parse_id(get_history_manager_for_model(self.model).model._meta.pk, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        # Never offer a save the view refuses, whatever SIMPLE_HISTORY_REVERT_DISABLED says.
        return True

    def get_history_object(self, request, object_id):
        """The object whose history is asked for, as the user may see it; Http404 when they may not."""
        object_id = unquote(object_id)
        obj = self.get_object(request, object_id)
        if obj is not None:
            return obj
        pk = _parse_id(self.model._meta.pk, object_id)
        if self.model._default_manager.filter(pk=pk).exists():
            raise Http404  # it exists, but the admin's queryset hides it from this user
        rows = get_history_manager_for_model(self.model).filter(**{self.model._meta.pk.attname: pk})
        last = rows.order_by("-history_date", "-pk").first()
        if last is None or not self.deleted_object_visible(request, rows.filter(pk=last.pk)):
            raise Http404
        return last.instance

    def deleted_object_visible(self, request, last_state):
        """Whether the user may see the history of a deleted object, judged on ``last_state`` (its last history row).

        History rows carry the model's fields under the same names, so the model's own ``visible_to`` (the rule
        of the API and the reviews changelist) filters them as it filters live rows, as long as the rule names
        fields and not ``pk`` (on a history row, the row's own id). A model without that rule keeps the history
        of its deleted objects to nobody.
        """
        queryset_class = type(self.model._default_manager.all())
        if not hasattr(queryset_class, "visible_to"):
            return False
        return queryset_class.visible_to(last_state, request.user).exists()


class ReadOnlyAdmin:
    """For model admins of rows the application writes (events, deliveries, jobs): shown, never added,
    changed or deleted by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin, UserNamesAdmin, admin.ModelAdmin):
    """Background jobs (``factcheck.jobs``), for administrators: what is queued, running, failed and why; a
    failed job can be run again. Read-only otherwise: a job's row is the truth the workers go by."""

    list_display = ["id", "name", "status", "attempts", "max_attempts", "run_after", "finished_at", "error_start"]
    list_filter = ["status", "name"]
    search_fields = ["=id"]
    ordering = ["-id"]
    actions = ["run_again"]
    fields = [
        "name",
        "status",
        "attempts",
        "max_attempts",
        "arguments",
        "run_after",
        "lease_expires_at",
        "worker",
        "relayed_at",
        "result",
        "error",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
    ]
    readonly_fields = fields
    user_fields = ("created_by",)
    created_by_name = user_name("created_by")

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    @admin.display(description="error")
    def error_start(self, job):
        return job.error[:120]

    @admin.action(description="Run the selected jobs again now (failed or waiting for a retry)")
    def run_again(self, request, queryset):
        count = jobs.run_again(queryset)
        self.message_user(request, f"{count} jobs will run again shortly.", messages.SUCCESS)
