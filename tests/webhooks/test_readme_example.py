"""The README's ten-line signature check works on a real delivery, and refuses a wrong secret, a changed
body and an old timestamp."""

import re
from pathlib import Path

import pytest

from tests.factories import ClaimFactory
from tests.webhooks.conftest import run_due

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_verify():
    text = README.read_text(encoding="utf-8")
    code = re.search(r"in ten lines of Python:\n\n```python\n(.*?)```", text, re.S).group(1)
    assert len([line for line in code.splitlines() if line.strip()]) <= 10
    namespace = {}
    exec(code, namespace)
    return namespace["verify"]


def test_the_readme_example_verifies_a_real_delivery(receiver, subscribe):
    verify = readme_verify()
    _, secret = subscribe(receiver.url, event_types=["review.published"])
    _, other = subscribe(receiver.url + "/other", event_types=["review.published"])
    ClaimFactory(verified=True)
    run_due()
    request = next(request for request in receiver.requests if request.path == "/hooks")
    assert verify(secret, request.headers, request.body)
    assert not verify(other, request.headers, request.body)
    assert not verify(secret, request.headers, request.body.replace(b"false", b"true"))
    old = {**request.headers, "webhook-timestamp": str(int(request.headers["webhook-timestamp"]) - 600)}
    assert not verify(secret, old, request.body)
