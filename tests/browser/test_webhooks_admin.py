"""Webhooks in the admin, in Chromium: an editor adds a subscription and is shown its secret once, opens
it, rotates the secret from its page, and reads the delivery log, with no CSP violation on the way."""

import re

from reviews.models import WebhookSubscription
from tests.factories import EditorFactory

RECEIVER = "https://93.184.215.14/hooks?token=abc123"  # a public address: no DNS needed


def test_an_editor_subscribes_rotates_the_secret_and_reads_the_log(new_page):
    editor = new_page(EditorFactory())
    editor.open("/admin/reviews/webhooksubscription/add/")
    editor.tab.fill("#id_name", "Partner app")
    editor.tab.fill("#id_url", RECEIVER)
    editor.tab.check("input[name=event_types][value='review.published']")
    editor.tab.click("input[name=_save]")
    first = editor.tab.locator("code.webhook-secret").inner_text()
    assert re.fullmatch(r"whsec_[A-Za-z0-9+/=]{40,}", first)
    editor.screenshot("webhook-secret-shown-once")
    subscription = WebhookSubscription.objects.get()

    editor.tab.get_by_text("Continue to the subscription").click()
    assert "abc123" not in editor.tab.locator("#id_url").input_value()
    assert first not in editor.tab.content()
    editor.tab.click("form.webhook-rotate input[type=submit]")
    second = editor.tab.locator("code.webhook-secret").inner_text()
    assert second.startswith("whsec_") and second != first
    subscription.refresh_from_db()
    assert subscription.previous_secret_expires_at is not None

    editor.open("/admin/reviews/webhookdelivery/")
    assert editor.tab.locator("#changelist").is_visible()
    editor.assert_no_violations()
