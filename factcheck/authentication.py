"""Token login for API clients (django-rest-knox: tokens hashed at rest, expiring, revocable)."""

from django.http import JsonResponse
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.models import AuthToken
from knox.views import LoginView, LogoutAllView, LogoutView
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny

from factcheck.throttling import ScopedRateThrottle
from factcheck.tokens import TokenAuthentication


class LoginSerializer(AuthTokenSerializer):
    """Username and password, bounded: django-axes records failed usernames in a 255-character column."""

    username = serializers.CharField(label="Username", max_length=150, write_only=True)
    password = serializers.CharField(
        label="Password", max_length=4096, style={"input_type": "password"}, trim_whitespace=False, write_only=True
    )


class TokenLoginView(LoginView):
    """Exchange a username and password for an API token.

    The credentials are the body: an ``Authorization`` header is not read here, so a client holding an
    expired or revoked token can log in again. The token is shown once; only its hash is stored.
    Failed attempts are counted by django-axes and the endpoint is throttled, so password guessing is
    slowed down and then locked out.
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        request=LoginSerializer,
        responses={
            200: inline_serializer(
                "TokenResponse", {"token": serializers.CharField(), "expiry": serializers.DateTimeField()}
            )
        },
        auth=[{}],
    )
    def post(self, request, format=None):
        # django-axes marks a locked-out request on the object given to authenticate(); its middleware
        # reads the Django request, so hand over that one rather than DRF's wrapper.
        serializer = LoginSerializer(data=request.data, context={"request": request._request})
        serializer.is_valid(raise_exception=True)
        request.user = serializer.validated_data["user"]
        # Expired tokens are deleted when presented; the ones never presented again go here.
        AuthToken.objects.filter(user=request.user, expiry__lt=timezone.now()).delete()
        return super().post(request, format=format)


class TokenRevokeView(LogoutView):
    """Revoke the token this request is authenticated with."""

    authentication_classes = [TokenAuthentication]

    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        return super().post(request, format=format)


class TokenRevokeAllView(LogoutAllView):
    """Revoke every token of the authenticated user (e.g. after a leaked token)."""

    authentication_classes = [TokenAuthentication]

    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        return super().post(request, format=format)


def lockout_response(request, original_response, credentials):
    """django-axes: what a locked-out client gets instead of a login attempt."""
    response = JsonResponse({"detail": "Too many failed login attempts. Try again later."}, status=429)
    response["Retry-After"] = "900"
    return response
