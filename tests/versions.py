"""The version a client would have read: versioned writes name it (``If-Match`` or ``version``), or get 428."""


def version_of(instance):
    """The stored version of ``instance`` (a claim or a review), as a fresh GET would show it."""
    return type(instance).objects.values_list("version", flat=True).get(pk=instance.pk)


def if_match(instance):
    """The ``If-Match`` header a test client sends to name the stored version of ``instance``."""
    return {"HTTP_IF_MATCH": f'"{version_of(instance)}"'}
