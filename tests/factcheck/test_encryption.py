"""Secrets at rest: Fernet under FACTCHECK_ENCRYPTION_KEYS, newest first, or a key derived from the
secret key when none is set (factcheck/encryption.py, `manage.py encryption_key`)."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from factcheck.encryption import SecretUnreadable, decrypt, derived_key, encrypt, parse_keys, rotate

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.fixture
def old_key():
    return Fernet.generate_key().decode()


@pytest.fixture
def new_key():
    return Fernet.generate_key().decode()


def test_a_secret_comes_back_as_it_went_in(settings, old_key):
    settings.FACTCHECK_ENCRYPTION_KEYS = [old_key]

    token = encrypt(SECRET)

    assert decrypt(token) == SECRET
    assert decrypt(encrypt("été ✓")) == "été ✓"


def test_the_token_does_not_contain_the_secret(settings, old_key):
    settings.FACTCHECK_ENCRYPTION_KEYS = [old_key]

    token = encrypt(SECRET)

    assert SECRET not in token
    assert "MfKQ9r8GKYqr" not in token
    assert encrypt(SECRET) != token  # a fresh IV each time: equal secrets do not look equal


def test_a_new_key_put_first_encrypts_and_the_old_one_still_decrypts(settings, old_key, new_key):
    settings.FACTCHECK_ENCRYPTION_KEYS = [old_key]
    old_token = encrypt(SECRET)

    settings.FACTCHECK_ENCRYPTION_KEYS = [new_key, old_key]
    new_token = encrypt(SECRET)

    assert decrypt(old_token) == SECRET
    assert decrypt(new_token) == SECRET
    assert Fernet(new_key).decrypt(new_token.encode()).decode() == SECRET  # written with the newest key
    # Once everything is rotated, the old key can go.
    rotated = rotate(old_token)
    settings.FACTCHECK_ENCRYPTION_KEYS = [new_key]
    assert decrypt(rotated) == SECRET
    with pytest.raises(SecretUnreadable):
        decrypt(old_token)


def test_a_token_no_key_opens_is_unreadable_with_a_clear_message(settings, old_key, new_key):
    settings.FACTCHECK_ENCRYPTION_KEYS = [old_key]
    token = encrypt(SECRET)
    settings.FACTCHECK_ENCRYPTION_KEYS = [new_key]

    with pytest.raises(SecretUnreadable, match="cannot be decrypted with any of the keys in FACTCHECK_ENCRYPTION_KEYS"):
        decrypt(token)


@pytest.mark.parametrize("token", ["", "not a token", "gAAAAAB" + "A" * 80, "é"])
def test_something_that_is_not_a_token_is_unreadable(settings, old_key, token):
    settings.FACTCHECK_ENCRYPTION_KEYS = [old_key]

    with pytest.raises(SecretUnreadable):
        decrypt(token)


def test_without_keys_a_key_derived_from_the_secret_key_is_used(settings):
    settings.FACTCHECK_ENCRYPTION_KEYS = []
    token = encrypt(SECRET)

    assert Fernet(derived_key(settings.SECRET_KEY)).decrypt(token.encode()).decode() == SECRET
    # Another secret key derives another key: pin the derived one before changing DJANGO_SECRET_KEY.
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    with pytest.raises(SecretUnreadable):
        decrypt(token)


def test_the_derived_key_depends_on_the_secret_key_only():
    assert derived_key("a" * 50) == derived_key("a" * 50)
    assert derived_key("a" * 50) != derived_key("b" * 50)
    Fernet(derived_key("a" * 50))  # a valid key


def test_keys_are_read_comma_separated_newest_first(old_key, new_key):
    assert parse_keys(f" {new_key} , {old_key},") == [new_key, old_key]
    assert parse_keys("") == []


@pytest.mark.parametrize("value", ["not-a-key", "{key},short", "{key}," + "A" * 43])
def test_a_key_that_is_not_a_fernet_key_is_a_configuration_error(old_key, value):
    value = value.format(key=old_key)

    with pytest.raises(ImproperlyConfigured, match=r"FACTCHECK_ENCRYPTION_KEYS: key \d of \d is not a Fernet key") as e:
        parse_keys(value)
    assert old_key not in str(e.value)


def test_the_command_prints_a_new_key_each_time():
    first, second = StringIO(), StringIO()
    call_command("encryption_key", stdout=first)
    call_command("encryption_key", stdout=second)

    keys = [first.getvalue().strip(), second.getvalue().strip()]
    assert parse_keys(",".join(keys)) == keys
    assert keys[0] != keys[1]


def test_the_command_prints_the_derived_key_which_opens_what_it_wrote(settings):
    settings.FACTCHECK_ENCRYPTION_KEYS = []
    token = encrypt(SECRET)
    out = StringIO()

    call_command("encryption_key", "--derived", stdout=out)

    # Pinned, it keeps the secrets readable after DJANGO_SECRET_KEY changes.
    settings.FACTCHECK_ENCRYPTION_KEYS = parse_keys(out.getvalue())
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert decrypt(token) == SECRET
