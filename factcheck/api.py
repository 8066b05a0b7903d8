"""Pieces shared by the API viewsets of every app."""

from rest_framework import serializers

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
