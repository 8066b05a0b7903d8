"""Secrets encrypted at rest (webhook signing secrets): a database dump alone does not reveal them.

Fernet (AES-128-CBC with an HMAC-SHA256, from ``cryptography``) under the keys in
``FACTCHECK_ENCRYPTION_KEYS``, newest first: ``encrypt`` uses the first, ``decrypt`` tries each, so a
key is rotated by putting a new one in front and keeping the old ones until ``rotate`` has
re-encrypted what they wrote. Without keys, one key is derived from ``SECRET_KEY`` (HKDF-SHA256), so
development needs nothing; before changing ``DJANGO_SECRET_KEY``, pin that key with
``FACTCHECK_ENCRYPTION_KEYS=$(manage.py encryption_key --derived)``.
"""

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DERIVATION_INFO = b"factcheck encryption"


class SecretUnreadable(Exception):
    """No configured key opens this token: it was written under a key that has since been removed,
    or it is not a token at all."""


def encrypt(plaintext: str) -> str:
    """A Fernet token of ``plaintext`` under the newest key."""
    return _fernet(_keys()).encrypt(plaintext.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """The plaintext of a token written by ``encrypt`` under any configured key, or ``SecretUnreadable``."""
    try:
        return _fernet(_keys()).decrypt(token.encode()).decode()
    except (InvalidToken, ValueError, UnicodeError):
        raise SecretUnreadable(
            "A stored secret cannot be decrypted with any of the keys in FACTCHECK_ENCRYPTION_KEYS (or, when "
            "that is unset, the key derived from DJANGO_SECRET_KEY): put the key it was written with back in "
            "the list."
        ) from None


def rotate(token: str) -> str:
    """The same secret as a token under the newest key (after a new key was put first)."""
    try:
        return _fernet(_keys()).rotate(token.encode()).decode("ascii")
    except (InvalidToken, ValueError, UnicodeError):
        raise SecretUnreadable("A stored secret cannot be decrypted with any configured key.") from None


def generate_key() -> str:
    """A new random key for ``FACTCHECK_ENCRYPTION_KEYS``."""
    return Fernet.generate_key().decode("ascii")


@functools.lru_cache(maxsize=4)
def derived_key(secret_key: str) -> str:
    """The key used when ``FACTCHECK_ENCRYPTION_KEYS`` is unset: HKDF-SHA256 of ``secret_key``."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=DERIVATION_INFO)
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode())).decode("ascii")


def parse_keys(value: str) -> list[str]:
    """The keys of ``FACTCHECK_ENCRYPTION_KEYS`` (comma-separated, newest first), each checked:
    ``ImproperlyConfigured`` names the one that is not a Fernet key (by position, never its text)."""
    keys = [key.strip() for key in value.split(",") if key.strip()]
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise ImproperlyConfigured(
                f"FACTCHECK_ENCRYPTION_KEYS: key {position} of {len(keys)} is not a Fernet key (32 bytes in "
                "url-safe base64, 44 characters); `python manage.py encryption_key` prints a new one."
            ) from None
    return keys


def _keys() -> tuple[str, ...]:
    return tuple(settings.FACTCHECK_ENCRYPTION_KEYS) or (derived_key(settings.SECRET_KEY),)


@functools.lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])
