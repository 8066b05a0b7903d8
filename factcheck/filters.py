"""Filter backends shared by every list endpoint."""

import re

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field
from rest_framework import filters
from rest_framework.exceptions import ValidationError

MAX_ID = 2**63 - 1


class OrderingFilter(filters.OrderingFilter):
    """DRF's ``?ordering=``, refusing unknown fields (400) rather than silently ignoring them.

    The value is a comma-separated list of the view's ``ordering_fields``, each optionally prefixed
    with ``-``, exactly as the OpenAPI document enumerates them: no spaces, no empty items.
    """

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if params:
            # DRF strips spaces around each item and skips empty ones; the document lists exact values.
            self.remove_invalid_fields(queryset, params.split(","), view, request)
        return super().get_ordering(request, queryset, view)

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = super().remove_invalid_fields(queryset, fields, view, request)
        if len(valid) != len(fields):
            allowed = sorted(name for name, _ in self.get_valid_fields(queryset, view, {"request": request}))
            raise ValidationError(
                {self.ordering_param: [f"Order by one of: {', '.join(allowed)} (prefix - to reverse)."]}
            )
        return valid

    def get_schema_operation_parameters(self, view):
        fields = getattr(view, "ordering_fields", None)
        if not isinstance(fields, (list, tuple)):
            return super().get_schema_operation_parameters(view)
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "Sort by these fields, comma-separated, in order; `-` before a field reverses it.",
                "style": "form",
                "explode": False,
                "schema": {
                    "type": "array",
                    "items": {"type": "string", "enum": [value for name in fields for value in (name, "-" + name)]},
                },
            }
        ]


WHOLE_NUMBER = re.compile(r"-?[0-9]{1,19}")


class WholeNumberField(forms.IntegerField):
    """A form's integer as the OpenAPI document types it: ASCII digits only (Django's IntegerField also
    takes ``1.0``, ``" 1 "`` and digits of other scripts)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not WHOLE_NUMBER.fullmatch(str(value)):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return int(value)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """An object's id: a whole number (``1.5`` is refused with 400, not read as ``1``)."""

    field_class = WholeNumberField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet, building its form class once per FilterSet class.

    django-filter builds the form class, with a form field and a translated label for every filter,
    on every request: a third of the filtering time of a claim list page. For filter sets whose
    filters do not depend on the request (querysets of choices, say), as this project's do.
    """

    _form_classes = {}

    def is_valid(self):
        """Also refuse a typed parameter given empty (``?updated_since=``): the document types it, and
        "" is no date-time, number or choice. Text filters take "" as "no filter", as before."""
        valid = super().is_valid()
        for name, field in self.form.fields.items():
            blank = hasattr(self.data, "getlist") and "" in self.data.getlist(name)
            if blank and not isinstance(field, forms.CharField) and name not in self.form.errors:
                self.form.add_error(name, forms.ValidationError("This parameter may not be empty.", code="blank"))
                valid = False
        return valid

    def get_form_class(self):
        form_class = FilterSet._form_classes.get(type(self))
        if form_class is None:
            form_class = FilterSet._form_classes[type(self)] = super().get_form_class()
        return form_class
