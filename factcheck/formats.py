"""How date-times are written in every output: the API's JSON and the exports."""

from django.utils import timezone


def iso_datetime(value, zone=None):
    """A date-time as DRF writes it with the project's settings (``DATETIME_FORMAT`` ISO 8601, ``USE_TZ``).

    ``zone`` defaults to the current time zone; a caller writing many date-times reads
    ``timezone.get_current_timezone()`` once and passes it (3 µs each time, most of what writing a
    date-time costs). A naive date-time is taken to be in it, UTC ends in ``Z``, ``None`` stays
    ``None``. The API's serializers and every export write date-times with it.
    """
    if value is None:
        return None
    zone = zone or timezone.get_current_timezone()
    value = value.astimezone(zone) if timezone.is_aware(value) else timezone.make_aware(value, zone)
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
