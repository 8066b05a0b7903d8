"""Filter backends shared by every list endpoint."""

import django_filters
from rest_framework import filters
from rest_framework.exceptions import ValidationError


class OrderingFilter(filters.OrderingFilter):
    """DRF's ``?ordering=``, refusing unknown fields (400) rather than silently ignoring them."""

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = super().remove_invalid_fields(queryset, fields, view, request)
        if len(valid) != len([field for field in fields if field]):
            allowed = sorted(name for name, _ in self.get_valid_fields(queryset, view, {"request": request}))
            raise ValidationError(
                {self.ordering_param: [f"Order by one of: {', '.join(allowed)} (prefix - to reverse)."]}
            )
        return valid


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet, building its form class once per FilterSet class.

    django-filter builds the form class, with a form field and a translated label for every filter,
    on every request: a third of the filtering time of a claim list page. For filter sets whose
    filters do not depend on the request (querysets of choices, say), as this project's do.
    """

    _form_classes = {}

    def get_form_class(self):
        form_class = FilterSet._form_classes.get(type(self))
        if form_class is None:
            form_class = FilterSet._form_classes[type(self)] = super().get_form_class()
        return form_class
