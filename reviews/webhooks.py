"""Webhooks: events pushed to client apps, signed per Standard Webhooks (standardwebhooks.com).

Every rule about subscriptions and deliveries lives here; the API, the admin and the job call it.

- **Subscribing** (editors and administrators): ``subscribe`` checks the receiver's URL (https, a public address:
  ``factcheck.outbound``) and returns the signing secret, ``whsec_<base64>``, which is shown that once and
  stored encrypted (``factcheck.encryption``). ``rotate_secret`` makes a new one; the previous one keeps
  signing beside it for ``ROTATION_GRACE``, so a receiver can switch without losing a delivery.
- **Fan-out** (``fan_out``): ``reviews.events.record`` calls it in the change's transaction, so a delivery
  row and its job are written with the change (the outbox): a crash before delivery loses nothing, a
  rollback sends nothing.
- **Delivery** (the ``reviews.deliver_webhook`` job): a POST of the event as ``events/`` shows it to the
  subscription's audience, with the headers ``webhook-id`` (``evt_<event id>``, the same on every attempt and
  redelivery), ``webhook-timestamp`` and ``webhook-signature`` (``v1,<base64 HMAC-SHA256 of
  "{id}.{timestamp}.{body}">``). Any 2xx is success; anything else, a redirect (never followed), a timeout
  or a refused address is retried after ``RETRY_DELAYS`` (the first within seconds, the last after hours),
  then the delivery fails. At least once: a worker killed mid-delivery leaves the job to another, which
  sends the same ``webhook-id`` again.
- **Disabling**: a subscription whose attempts have all failed for ``FACTCHECK_WEBHOOK_DISABLE_AFTER_HOURS``
  (and at least ``FACTCHECK_WEBHOOK_DISABLE_AFTER_FAILURES`` of them) is disabled, with the reason.
"""

import base64
import hashlib
import hmac
import json
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from factcheck import encryption, outbound
from factcheck.jobs import JobFailed, RetryLater, current_job, job
from factcheck.outbound import redact_url
from factcheck.roles import is_editor
from reviews.models import PUBLIC_EVENT_TYPES, EventType, WebhookDelivery, WebhookSubscription

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
# After a rotation, the previous secret still signs (a second signature in the header) for this long.
ROTATION_GRACE = timedelta(hours=24)
# The waits after each failed attempt: seven attempts over about 17½ hours.
RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
)
USER_AGENT = "Factcheck-Webhooks/1"


# --- Who may, and what a subscription may ask for ----------------------------------------------------


def may_manage(user):
    """Editors and administrators (superusers) manage webhooks; nobody else sees them. (Reviewers are
    ``is_staff`` too, to use the admin: staff status alone is not enough.)"""
    return bool(user and user.is_authenticated and user.is_active and (user.is_superuser or is_editor(user)))


def check_manage(user):
    if not may_manage(user):
        raise PermissionDenied("Only editors and administrators manage webhooks.")


def clean_event_types(event_types, audience):
    """The event types a subscription asks for, checked against its audience; sorted, without repeats."""
    if not isinstance(event_types, list | tuple) or not event_types:
        raise ValidationError({"event_types": 'List the event types to send, or ["*"] for every type.'})
    names = set()
    for name in event_types:
        if not isinstance(name, str) or (name != WebhookSubscription.ALL_TYPES and name not in EventType.values):
            known = ", ".join(EventType.values)
            raise ValidationError({"event_types": f"Unknown event type {name!r}. Known: {known}, or *."})
        names.add(name)
    if WebhookSubscription.ALL_TYPES in names:
        return [WebhookSubscription.ALL_TYPES]
    if audience == WebhookSubscription.Audience.PUBLIC:
        private = sorted(names - {str(value) for value in PUBLIC_EVENT_TYPES})
        if private:
            raise ValidationError(
                {
                    "event_types": f"{', '.join(private)}: newsroom events are sent only to a subscription whose "
                    f'audience is "newsroom". Public subscriptions receive {", ".join(sorted(PUBLIC_EVENT_TYPES))}.'
                }
            )
    return sorted(names)


def clean_name(name):
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Name the receiver, for people reading the list."})
    return name[:200]


def clean_audience(audience):
    if audience not in WebhookSubscription.Audience.values:
        raise ValidationError({"audience": f"Choose one of: {', '.join(WebhookSubscription.Audience.values)}."})
    return audience


def clean_url(url):
    """The receiver's URL, refused unless it is https and reaches public addresses only (after DNS)."""
    url = (url or "").strip()
    try:
        outbound.check_url(url)
    except outbound.TargetRefused as exc:
        raise ValidationError({"url": str(exc)}) from exc
    return url


# --- Secrets and signatures ------------------------------------------------------------------------


def new_secret():
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def sign(secret, webhook_id, timestamp, body):
    """The Standard Webhooks signature of ``body`` (bytes): ``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    message = f"{webhook_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


def signing_secrets(subscription, now=None):
    """The secrets that sign now: the current one, and the previous one during its grace after a rotation."""
    now = now or timezone.now()
    found = [encryption.decrypt(subscription.secret_encrypted)]
    expires = subscription.previous_secret_expires_at
    if subscription.previous_secret_encrypted and expires and expires > now:
        found.append(encryption.decrypt(subscription.previous_secret_encrypted))
    return found


def body_of(delivery):
    """The request body: the event as ``events/`` shows it to the subscription's audience (the same bytes on
    every attempt: the event is frozen)."""
    newsroom = delivery.subscription.audience == WebhookSubscription.Audience.NEWSROOM
    shown = delivery.event.shown(newsroom=newsroom)
    return json.dumps(shown, ensure_ascii=False, separators=(",", ":")).encode()


def headers_for(delivery, body, now=None):
    timestamp = str(int((now or timezone.now()).timestamp()))
    webhook_id = delivery.webhook_id
    signatures = " ".join(
        sign(secret, webhook_id, timestamp, body) for secret in signing_secrets(delivery.subscription)
    )
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": webhook_id,
        "webhook-timestamp": timestamp,
        "webhook-signature": signatures,
    }


# --- Subscriptions ---------------------------------------------------------------------------------


@transaction.atomic
def subscribe(*, name, url, event_types, audience=WebhookSubscription.Audience.PUBLIC, by):
    """Create a subscription; return it and its secret (shown to the caller this once, stored encrypted)."""
    check_manage(by)
    audience = clean_audience(audience)
    secret = new_secret()
    subscription = WebhookSubscription.objects.create(
        name=clean_name(name),
        url=clean_url(url),
        audience=audience,
        event_types=clean_event_types(event_types, audience),
        secret_encrypted=encryption.encrypt(secret),
        created_by=by,
    )
    return subscription, secret


UPDATABLE = ("name", "url", "audience", "event_types", "active")


@transaction.atomic
def update(subscription, *, by, **changes):
    """Change a subscription. Setting ``active`` back on clears the reason it was disabled and its failures."""
    check_manage(by)
    unknown = sorted(set(changes) - set(UPDATABLE))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be changed here."))
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    if "name" in changes:
        subscription.name = clean_name(changes["name"])
    if "url" in changes and changes["url"] != redact_url(subscription.url):  # as shown (masked): unchanged
        subscription.url = clean_url(changes["url"])
    if "audience" in changes:
        subscription.audience = clean_audience(changes["audience"])
    if "event_types" in changes or "audience" in changes:
        subscription.event_types = clean_event_types(
            changes.get("event_types", subscription.event_types), subscription.audience
        )
    if "active" in changes:
        if not isinstance(changes["active"], bool):
            raise ValidationError({"active": "Must be true or false."})
        if changes["active"] and not subscription.active:
            subscription.active = True
            subscription.disabled_at = None
            subscription.disabled_reason = ""
            subscription.consecutive_failures = 0
            subscription.failing_since = None
        elif not changes["active"] and subscription.active:
            subscription.active = False
            subscription.disabled_at = timezone.now()
            subscription.disabled_reason = f"Disabled by {by.get_username()}."
    subscription.save()
    if not subscription.active:
        cancel_pending(subscription)
    return subscription


def cancel_pending(subscription):
    """A disabled subscription is sent nothing: what was waiting fails now (and can be redelivered later)."""
    WebhookDelivery.objects.filter(subscription=subscription, status=WebhookDelivery.Status.PENDING).update(
        status=WebhookDelivery.Status.FAILED, next_attempt_at=None, error="Not sent: the subscription was disabled."
    )


@transaction.atomic
def rotate_secret(subscription, *, by, grace=ROTATION_GRACE):
    """Give the subscription a new secret (returned, shown this once); the old one also signs for ``grace``."""
    check_manage(by)
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    secret = new_secret()
    subscription.previous_secret_encrypted = subscription.secret_encrypted if grace else ""
    subscription.previous_secret_expires_at = timezone.now() + grace if grace else None
    subscription.secret_encrypted = encryption.encrypt(secret)
    subscription.save()
    return subscription, secret


# --- Fan-out and delivery --------------------------------------------------------------------------


def fan_out(events):
    """Write a delivery and its job for each of ``events`` × each active subscription that wants it.

    Called by ``reviews.events.record`` in the change's transaction; one query when nobody subscribes,
    three when someone does, whatever the number of events and subscriptions.
    """
    subscriptions = list(WebhookSubscription.objects.filter(active=True).only("audience", "event_types"))
    if not subscriptions or not events:
        return []
    now = timezone.now()
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(subscription=subscription, event=event, created_at=now, next_attempt_at=now)
            for event in events
            for subscription in subscriptions
            if subscription.wants(event)
        ],
        batch_size=500,
    )
    deliver.enqueue_many([{"delivery": delivery.pk} for delivery in deliveries])
    return deliveries


@transaction.atomic
def redeliver(delivery, *, by):
    """Send a delivery again now, whatever its status, with the same ``webhook-id``; return it."""
    check_manage(by)
    delivery = (
        WebhookDelivery.objects.select_for_update(of=("self",)).select_related("subscription").get(pk=delivery.pk)
    )
    if not delivery.subscription.active:
        raise ValidationError({"subscription": "The subscription is disabled: enable it before redelivering."})
    delivery.status = WebhookDelivery.Status.PENDING
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "next_attempt_at"])
    deliver.enqueue(delivery=delivery.pk, by=by)
    return delivery


def prune_deliveries(*, before, batch_size=5000):
    """Delete the deliveries made before ``before`` that are done with (delivered or failed); the log
    keeps the pending ones. Returns how many were deleted."""
    done = WebhookDelivery.objects.filter(
        status__in=[WebhookDelivery.Status.DELIVERED, WebhookDelivery.Status.FAILED], created_at__lt=before
    ).order_by("pk")
    deleted = 0
    while batch := list(done.values_list("pk", flat=True)[:batch_size]):
        deleted += WebhookDelivery.objects.filter(pk__in=batch).delete()[0]
    return deleted


def send(delivery):
    """POST the delivery's event to its subscription's URL; the ``outbound.Response``, or raise
    ``outbound.TargetRefused``/``outbound.DeliveryError`` (their messages carry no secret and no credentials)."""
    body = body_of(delivery)
    return outbound.post(delivery.subscription.url, body, headers_for(delivery, body))


def describe_failure(response):
    if response.redirect:
        return f"The receiver answered HTTP {response.status}, a redirect; redirects are not followed."
    return f"The receiver answered HTTP {response.status}."


@job("reviews.deliver_webhook", retry_delays=RETRY_DELAYS, lease=timedelta(minutes=2))
def deliver(*, delivery):
    """Attempt a delivery; record the outcome on it and on its subscription; retry on failure (``RetryLater``)."""
    found = WebhookDelivery.objects.select_related("subscription", "event__actor").filter(pk=delivery).first()
    if found is None:
        return {"outcome": "gone"}  # its subscription was deleted
    delivery = found
    if delivery.status != WebhookDelivery.Status.PENDING:  # delivered, or failed and not redelivered since
        return {"outcome": f"already {delivery.status}"}
    subscription = delivery.subscription
    if not subscription.active or not subscription.wants(delivery.event):
        why = "was disabled" if not subscription.active else "no longer asks for this event (or its audience)"
        WebhookDelivery.objects.filter(pk=delivery.pk, status=WebhookDelivery.Status.PENDING).update(
            status=WebhookDelivery.Status.FAILED, next_attempt_at=None, error=f"Not sent: the subscription {why}."
        )
        return {"outcome": "not sent"}

    started = timezone.now()
    response, error = None, ""
    try:
        response = send(delivery)
    except (outbound.TargetRefused, outbound.DeliveryError) as exc:
        error = str(exc)
    if response is not None and 200 <= response.status < 300:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.DELIVERED,
            attempts=F("attempts") + 1,
            response_code=response.status,
            response_body=response.body_excerpt,
            duration_ms=response.duration_ms,
            error="",
            last_attempt_at=started,
            next_attempt_at=None,
            delivered_at=timezone.now(),
        )
        if delivery.subscription.consecutive_failures or delivery.subscription.failing_since:
            WebhookSubscription.objects.filter(pk=delivery.subscription_id).update(
                consecutive_failures=0, failing_since=None
            )
        return {"outcome": "delivered", "status": response.status}

    error = error or describe_failure(response)
    running = current_job()
    last = running is None or running.attempts >= running.max_attempts
    next_attempt = None if last else timezone.now() + deliver.retry_delay(running.attempts)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.FAILED if last else WebhookDelivery.Status.PENDING,
        attempts=F("attempts") + 1,
        response_code=response.status if response is not None else None,
        response_body=response.body_excerpt if response is not None else "",
        duration_ms=response.duration_ms if response is not None else None,
        error=error,
        last_attempt_at=started,
        next_attempt_at=next_attempt,
    )
    count_failure(delivery.subscription, error, now=started)
    if last:
        raise JobFailed(error)
    raise RetryLater(error)


def count_failure(subscription, error, *, now):
    """Count a failed attempt against the subscription; disable it once its attempts have failed long enough."""
    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        consecutive_failures=F("consecutive_failures") + 1, failing_since=Coalesce(F("failing_since"), now)
    )
    window = timedelta(hours=settings.FACTCHECK_WEBHOOK_DISABLE_AFTER_HOURS)
    failing = WebhookSubscription.objects.filter(
        pk=subscription.pk,
        active=True,
        consecutive_failures__gte=settings.FACTCHECK_WEBHOOK_DISABLE_AFTER_FAILURES,
        failing_since__lte=now - window,
    )
    found = failing.values_list("consecutive_failures", "failing_since").first()
    if found is None:
        return False
    failures, since = found
    reason = (
        f"Disabled automatically: {failures} delivery attempts in a row failed, from "
        f"{since:%Y-%m-%d %H:%M} UTC to {now:%Y-%m-%d %H:%M} UTC. The last: {error} "
        "Fix the receiver, enable the subscription again, then redeliver what failed."
    )
    if not failing.update(active=False, disabled_at=now, disabled_reason=reason):
        return False
    cancel_pending(subscription)
    return True
