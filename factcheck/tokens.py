"""API token authentication: django-rest-knox, refusing malformed tokens before they reach the database."""

import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox import auth
from rest_framework import exceptions

# Knox tokens are a short prefix and hex digits. Anything else (NUL bytes, non-ASCII, megabytes) is
# refused here: PostgreSQL rejects NUL in a query and knox would fail to decode invalid UTF-8.
WELL_FORMED_TOKEN = re.compile(rb"[\x21-\x7e]{1,200}")


class TokenAuthentication(auth.TokenAuthentication):
    """``Authorization: Token <key>``; a malformed key is a 401 like any other wrong key."""

    def authenticate_credentials(self, token):
        if not WELL_FORMED_TOKEN.fullmatch(token):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return super().authenticate_credentials(token)


class TokenScheme(KnoxTokenScheme):
    """Documents :class:`TokenAuthentication` in the OpenAPI document as knox's scheme."""

    target_class = "factcheck.tokens.TokenAuthentication"
