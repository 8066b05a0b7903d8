"""Pieces shared by the API viewsets of every app."""

import datetime

from django.conf import settings
from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings

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


# Field classes whose ``to_representation`` returns a value of this exact type unchanged.
PLAIN_TYPES = {
    serializers.CharField: str,
    serializers.IntegerField: int,
    serializers.FloatField: float,
    serializers.BooleanField: bool,
}


def _iso_8601(field):
    """True when ``field`` writes ISO 8601 through DRF's own code (the project's setting)."""
    setting = "DATETIME_FORMAT" if isinstance(field, serializers.DateTimeField) else "DATE_FORMAT"
    output_format = getattr(field, "format", getattr(api_settings, setting))
    return isinstance(output_format, str) and output_format.lower() == ISO_8601


# What a converter returns for a value it cannot show plainly: the field then takes DRF's own path.
DRF_PATH = object()


def _datetime_converter(field):
    """DRF's ``DateTimeField.to_representation`` of an aware datetime, ``convert(value, zone)``.

    ``zone`` is the current time zone (DRF's default), read once per object; a field with a time
    zone of its own uses that.
    """
    own_zone = getattr(field, "timezone", None)
    if hasattr(field, "timezone") and own_zone is None:
        return None

    def convert(value, zone):
        zone = own_zone or zone
        if value.tzinfo is None or zone is None:
            return DRF_PATH
        try:
            text = value.astimezone(zone).isoformat()
        except OverflowError:
            return DRF_PATH
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return convert


def _date_converter(value, zone):
    return value.isoformat()


def _list_converter(value, zone):
    return list(value)


def _plain_reading(serializer_field, model_fields):
    """How ``serializer_field`` reads a model attribute: ``(attname, type, convert)``, or ``None``.

    A value of exactly ``type`` is shown as ``convert(value, zone)`` (unchanged when ``convert`` is
    ``None``). Only plain reads qualify: a single-attribute source naming a concrete model field and a
    field class whose ``get_attribute`` and ``to_representation`` are DRF's own; or a field that
    names the attribute it shows as a list (``plain_list_attribute``, e.g. the tag names a queryset
    attached).
    """
    if getattr(serializer_field, "plain_list_attribute", None):
        return (serializer_field.plain_list_attribute, list, _list_converter)
    if len(serializer_field.source_attrs) != 1:
        return None
    model_field = model_fields.get(serializer_field.source_attrs[0])
    if model_field is None:
        return None
    field_class = type(serializer_field)
    own = lambda base, *methods: all(getattr(field_class, m) is getattr(base, m) for m in methods)  # noqa: E731
    if isinstance(serializer_field, serializers.PrimaryKeyRelatedField):
        plain = (
            model_field.many_to_one
            and serializer_field.pk_field is None
            and own(serializers.PrimaryKeyRelatedField, "to_representation", "use_pk_only_optimization")
            and own(serializers.RelatedField, "get_attribute")
        )
        return (model_field.attname, int, None) if plain else None
    if model_field.is_relation or not own(serializers.Field, "get_attribute"):
        return None
    if isinstance(serializer_field, serializers.ChoiceField):
        plain = own(serializers.ChoiceField, "to_representation") and all(
            isinstance(key, str) for key in serializer_field.choices
        )
        return (model_field.attname, str, None) if plain else None
    if isinstance(serializer_field, serializers.DateTimeField):
        plain = own(serializers.DateTimeField, "to_representation", "enforce_timezone") and _iso_8601(serializer_field)
        convert = _datetime_converter(serializer_field) if plain else None
        return (model_field.attname, datetime.datetime, convert) if convert else None
    if isinstance(serializer_field, serializers.DateField):
        plain = own(serializers.DateField, "to_representation") and _iso_8601(serializer_field)
        return (model_field.attname, datetime.date, _date_converter) if plain else None
    if isinstance(serializer_field, serializers.BigIntegerField):
        plain = own(serializers.BigIntegerField, "to_representation") and not getattr(
            serializer_field, "coerce_to_string", api_settings.COERCE_BIGINT_TO_STRING
        )
        return (model_field.attname, int, None) if plain else None
    for base, plain_type in PLAIN_TYPES.items():
        if isinstance(serializer_field, base) and own(base, "to_representation"):
            return (model_field.attname, plain_type, None)
    return None


_MISSING = object()


class PlainFieldsMixin:
    """``ModelSerializer.to_representation`` without DRF's per-field work where it changes nothing.

    DRF builds every field of a serializer for each request, then reads every value through
    ``get_attribute`` and ``to_representation`` (about 10 µs a field; a page of 50 claims has 750).
    Here the serializer class works out once which fields show a model attribute plainly (text,
    whole numbers, floats, booleans, string choices, a foreign key's id, ISO 8601 dates and
    date-times, a list the queryset attached): those are read straight from the instance and
    ``None`` stays ``None``. Any other field or value (nested serializers, method fields, an enum
    member, a naive datetime, a missing attribute) takes DRF's own path. The output is the same;
    ``tests/api/test_plain_fields.py`` compares the two.

    For serializers whose fields do not depend on the instance or the context (the plan is kept per
    class).
    """

    _plans = {}

    def _representation_plan(self):
        plan = PlainFieldsMixin._plans.get(type(self))
        if plan is None:
            model_fields = {field.name: field for field in self.Meta.model._meta.concrete_fields}
            plan = [
                (field.field_name, *(_plain_reading(field, model_fields) or (None, None, None)))
                for field in self._readable_fields
            ]
            PlainFieldsMixin._plans[type(self)] = plan
        return plan

    def to_representation(self, instance):
        if not isinstance(instance, self.Meta.model):
            return super().to_representation(instance)
        representation = {}
        zone = _MISSING
        for name, attname, plain_type, convert in self._representation_plan():
            if attname is not None:
                value = getattr(instance, attname, _MISSING)
                if value is None:
                    representation[name] = None
                    continue
                if type(value) is plain_type:
                    if convert is None:
                        representation[name] = value
                        continue
                    if zone is _MISSING:
                        zone = timezone.get_current_timezone() if settings.USE_TZ else None
                    value = convert(value, zone)
                    if value is not DRF_PATH:
                        representation[name] = value
                        continue
            field = self.fields[name]
            try:
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            # As DRF: a missing related object (or its pk) is shown as null.
            check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            representation[name] = None if check_for_none is None else field.to_representation(attribute)
        return representation
