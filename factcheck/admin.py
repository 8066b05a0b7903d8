"""The admin's history pages (django-simple-history): read-only, and never wider than the object's own page."""

from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from simple_history.admin import SimpleHistoryAdmin
from simple_history.utils import get_history_manager_for_model

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


class HistoryAdmin(SimpleHistoryAdmin):
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
