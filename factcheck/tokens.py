"""API token authentication: django-rest-knox, refusing malformed tokens before they reach the database."""

import binascii
import re
from hmac import compare_digest

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox import auth
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from rest_framework import exceptions

from factcheck import roles

# Knox tokens are a short prefix and hex digits. Anything else (NUL bytes, non-ASCII, megabytes) is
# refused here: PostgreSQL rejects NUL in a query and knox would fail to decode invalid UTF-8.
WELL_FORMED_TOKEN = re.compile(rb"[\x21-\x7e]{1,200}")


class TokenAuthentication(auth.TokenAuthentication):
    """``Authorization: Token <key>``; a malformed, unknown or expired key is a 401.

    Knox's own check reads the token, then every token of its user (to delete the expired ones),
    then the permission checks read the user's groups: three queries on every request. Here one
    query reads the token, its user and the user's roles; an expired token is deleted when it is
    presented, and a user's other expired tokens when that user logs in (``TokenLoginView``).
    """

    def authenticate_credentials(self, token):
        invalid = exceptions.AuthenticationFailed(_("Invalid token."))
        if not WELL_FORMED_TOKEN.fullmatch(token):
            raise invalid
        token = token.decode()
        try:
            digest = hash_token(token)
        except (TypeError, ValueError, binascii.Error):
            raise invalid from None
        candidates = (
            get_token_model()
            .objects.filter(token_key=token[: CONSTANTS.TOKEN_KEY_LENGTH])
            .select_related("user")
            .annotate(**roles.role_annotations("user"))
        )
        for auth_token in candidates:
            if not compare_digest(digest, auth_token.digest):
                continue
            if auth_token.expiry is not None and auth_token.expiry < timezone.now():
                auth_token.delete()
                token_expired.send(sender=self.__class__, username=auth_token.user.get_username(), source="auth_token")
                raise invalid
            if knox_settings.AUTO_REFRESH and auth_token.expiry:
                self.renew_token(auth_token)
            roles.remember_roles(auth_token.user, auth_token)
            return self.validate_user(auth_token)
        raise invalid


class TokenScheme(KnoxTokenScheme):
    """Documents :class:`TokenAuthentication` in the OpenAPI document as knox's scheme."""

    target_class = "factcheck.tokens.TokenAuthentication"
