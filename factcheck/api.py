"""Pieces shared by the API viewsets of every app."""

from collections.abc import Mapping

from django.urls import NoReverseMatch, reverse
from rest_framework import serializers
from rest_framework.fields import empty

from factcheck.concurrency import etag, if_match_version


class VersionedMixin:
    """Send an ``ETag`` with every single versioned object, and read ``If-Match`` on writes."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        instance = getattr(self, "_versioned_instance", None)
        if instance is not None and 200 <= response.status_code < 300 and getattr(instance, "version", None):
            response["ETag"] = etag(instance)
        return response

    def get_object(self):
        instance = super().get_object()
        self._versioned_instance = instance
        return instance

    def if_match(self):
        return if_match_version(self.request)

    def remember(self, instance):
        """Mark ``instance`` as the object whose ETag the response carries (after create/actions)."""
        self._versioned_instance = instance
        return instance


class IntegerPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference by id that must be a whole number: DRF would look up ``1.5`` as ``1``, or recurse into lists."""

    def to_internal_value(self, data):
        whole_number = isinstance(data, int) and not isinstance(data, bool)
        digits = isinstance(data, str) and data.isascii() and data.isdigit()
        if not (whole_number or digits):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


def json_type_error(field, value):
    """Why ``value`` (parsed JSON) is not of the JSON type the OpenAPI document gives ``field``; None if it is.

    DRF converts between types on input: ``0`` is read as the string ``"0"``, ``"5"`` as the number
    5, ``"yes"`` as true. The document promises types, so a client generated from it never sends
    these, and the API refuses them rather than guess.
    """
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(field, serializers.ListField):
        if not isinstance(value, list):
            return "Expected a list of items."
        child = field.child
        return next(
            (f"Item {i}: {error}" for i, item in enumerate(value) if (error := json_type_error(child, item))), None
        )
    if isinstance(field, serializers.BooleanField):
        ok, expected = isinstance(value, bool), "true or false"
    elif isinstance(field, serializers.IntegerField):
        ok, expected = number and float(value).is_integer(), "a whole number"
    elif isinstance(field, (serializers.FloatField, serializers.DecimalField)):
        ok, expected = number, "a number"
    elif isinstance(field, serializers.RelatedField) and not isinstance(field, serializers.SlugRelatedField):
        ok, expected = number and float(value).is_integer(), "an id (a whole number)"
    elif isinstance(
        field,
        (
            serializers.CharField,
            serializers.ChoiceField,
            serializers.DateTimeField,
            serializers.DateField,
            serializers.SlugRelatedField,
        ),
    ):
        ok, expected = isinstance(value, str), "a string"
    else:
        return None
    return None if ok or value is None else f"Expected {expected}."


class JSONTypesMixin:
    """A serializer that refuses a field given a value of another JSON type (400), see ``json_type_error``."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            errors = {}
            for field in self._writable_fields:
                value = field.get_value(data)
                if value is not empty and (error := json_type_error(field, value)):
                    errors[field.field_name] = [error]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class PutBodyRequiredMixin:
    """PUT replaces the object, so it needs a body (the OpenAPI document says so): one sent without is
    a 400, even where every field is optional and ``{}`` would be a valid, empty, replacement."""

    def update(self, request, *args, **kwargs):
        no_body = request.META.get("CONTENT_LENGTH", "") in ("", "0")
        if no_body and not kwargs.get("partial") and "chunked" not in request.headers.get("Transfer-Encoding", ""):
            raise serializers.ValidationError({"non_field_errors": ["PUT needs a JSON body."]})
        return super().update(request, *args, **kwargs)


class CreatedLocationMixin:
    """A 201 carries ``Location``, the API URL of what was created (DRF would copy a ``url`` field of
    the body there: an article's or a piece of evidence's own web address)."""

    def get_success_headers(self, data):
        return created_location(self.request, self.basename, data)


def created_location(request, basename, data):
    """``{"Location": <absolute URL of the basename's detail for data["id"]>}``, or no header."""
    try:
        return {"Location": request.build_absolute_uri(reverse(f"{basename}-detail", args=[data["id"]]))}
    except (KeyError, TypeError, NoReverseMatch):
        return {}
