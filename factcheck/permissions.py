"""Request-level API permissions; object-level rules live with the workflow."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from factcheck.roles import is_editor, is_newsroom


class ReadOnlyOrNewsroom(BasePermission):
    """Anyone may read (querysets narrow what); only reviewers and editors may write."""

    message = "Only reviewers and editors may change claims, reviews and evidence."
    allows_anonymous_reads = True  # the OpenAPI document marks these reads as open (factcheck.openapi)

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or is_newsroom(request.user)


class IsNewsroom(BasePermission):
    message = "Only reviewers and editors may do this."

    def has_permission(self, request, view):
        return is_newsroom(request.user)


class IsEditor(BasePermission):
    message = "Only editors may do this."

    def has_permission(self, request, view):
        return is_editor(request.user)
