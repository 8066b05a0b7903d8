"""``webhooks/``: subscriptions to events (editors and administrators), their delivery log and redelivery.

Thin: the rules are in ``reviews.webhooks``. A receiver URL is always shown through
``outbound.redact_url`` (no password, no query values): whoever reads the list learns where events
go, not the credentials in the address.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.reverse import reverse

from factcheck.api import created_location
from factcheck.outbound import redact_url
from reviews import webhooks
from reviews.models import EventType, WebhookDelivery, WebhookSubscription

EVENT_TYPE_CHOICES = [WebhookSubscription.ALL_TYPES, *EventType.values]


class ManagesWebhooks(BasePermission):
    message = "Only editors and administrators manage webhooks."

    def has_permission(self, request, view):
        return webhooks.may_manage(request.user)


class WebhookSerializer(serializers.ModelSerializer):
    """A subscription as editors see it: never its secret (shown once, at creation and rotation)."""

    url = serializers.CharField(
        max_length=2000, help_text="The receiver: https, reaching public addresses only. Shown without credentials."
    )
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPE_CHOICES),
        allow_empty=False,
        help_text='The event types to send, or ["*"] for every type its audience may receive.',
    )
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    deliveries_url = serializers.SerializerMethodField()

    class Meta:
        model = WebhookSubscription
        fields = [
            "id",
            "name",
            "url",
            "audience",
            "event_types",
            "active",
            "disabled_at",
            "disabled_reason",
            "consecutive_failures",
            "failing_since",
            "previous_secret_expires_at",
            "created_by",
            "created_at",
            "updated_at",
            "deliveries_url",
        ]
        read_only_fields = [
            "disabled_at",
            "disabled_reason",
            "consecutive_failures",
            "failing_since",
            "previous_secret_expires_at",
        ]
        extra_kwargs = {"active": {"required": False}}

    def get_deliveries_url(self, subscription) -> str:
        return reverse("webhook-deliveries", args=[subscription.pk], request=self.context.get("request"))

    def to_representation(self, subscription):
        data = super().to_representation(subscription)
        data["url"] = redact_url(subscription.url)
        return data


class WebhookWithSecretSerializer(WebhookSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="The signing secret, whsec_…: shown this once; store it with your receiver."
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]


class DeliverySerializer(serializers.ModelSerializer):
    """One event sent to the subscription: its latest attempt and, while pending, the next one."""

    webhook_id = serializers.CharField(read_only=True, help_text="The webhook-id header: the same on every attempt.")
    event_type = serializers.CharField(source="event.type", read_only=True)
    redeliver_url = serializers.SerializerMethodField()

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "event_type",
            "webhook_id",
            "status",
            "attempts",
            "response_code",
            "response_body",
            "duration_ms",
            "error",
            "created_at",
            "last_attempt_at",
            "next_attempt_at",
            "delivered_at",
            "redeliver_url",
        ]
        read_only_fields = fields

    def get_redeliver_url(self, delivery) -> str:
        return reverse(
            "webhook-redeliver", args=[delivery.subscription_id, delivery.pk], request=self.context.get("request")
        )


DELIVERY_STATUSES = ", ".join(WebhookDelivery.Status.values)


@extend_schema_view(
    create=extend_schema(responses={201: WebhookWithSecretSerializer}),
)
class WebhookViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Webhook subscriptions (editors and administrators): events pushed to a client app's receiver, signed per
    Standard Webhooks.

    `POST` answers the signing secret once; `rotate-secret/` makes a new one (the old one keeps signing for
    24 hours). `PATCH` `{"active": true}` enables a subscription that was disabled after failing; its
    deliveries are at `deliveries/`, and any of them can be sent again with `redeliver/`.
    """

    serializer_class = WebhookSerializer
    permission_classes = [ManagesWebhooks]
    filter_backends = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return WebhookSubscription.objects.select_related("created_by")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = serializer.validated_data
        if "active" in fields and not fields["active"]:
            raise ValidationError({"active": "A new subscription is active; disable it once it exists."})
        subscription, secret = webhooks.subscribe(
            name=fields["name"],
            url=fields["url"],
            event_types=fields["event_types"],
            audience=fields.get("audience", WebhookSubscription.Audience.PUBLIC),
            by=request.user,
        )
        return self._with_secret(subscription, secret, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        subscription = self.get_object()
        serializer = self.get_serializer(subscription, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        subscription = webhooks.update(subscription, by=request.user, **serializer.validated_data)
        return Response(self.get_serializer(subscription).data)

    def _with_secret(self, subscription, secret, status_code):
        subscription = self.get_queryset().get(pk=subscription.pk)
        subscription.secret = secret
        data = WebhookWithSecretSerializer(subscription, context=self.get_serializer_context()).data
        headers = created_location(self.request, self.basename, data) if status_code == 201 else {}
        return Response(data, status=status_code, headers=headers)

    @extend_schema(request=None, responses={200: WebhookWithSecretSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        """A new signing secret, answered this once. The previous one also signs (a second `v1,` signature in
        `webhook-signature`) for 24 hours, so receivers can switch without missing a delivery."""
        subscription, secret = webhooks.rotate_secret(self.get_object(), by=request.user)
        return self._with_secret(subscription, secret, status.HTTP_200_OK)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, description=f"Only deliveries in this status ({DELIVERY_STATUSES}).")
        ],
        responses={200: DeliverySerializer(many=True)},
    )
    @action(detail=True, methods=["get"], url_path="deliveries", url_name="deliveries")
    def deliveries(self, request, pk=None):
        """The delivery log, newest first: each event sent, its status, the latest attempt's response code,
        body and duration, and when the next attempt is due."""
        subscription = self.get_object()
        deliveries = WebhookDelivery.objects.filter(subscription=subscription).select_related("event")
        wanted = request.query_params.get("status")
        if wanted is not None:
            if wanted not in WebhookDelivery.Status.values:
                raise ValidationError({"status": [f"Choose one of: {DELIVERY_STATUSES}."]})
            deliveries = deliveries.filter(status=wanted)
        deliveries = deliveries.only(*DELIVERY_FIELDS)
        page = self.paginate_queryset(deliveries)
        return self.get_paginated_response(
            DeliverySerializer(page, many=True, context=self.get_serializer_context()).data
        )

    @extend_schema(
        request=None,
        responses={
            202: DeliverySerializer,
            400: inline_serializer("RedeliverRefused", {"subscription": serializers.ListField()}),
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"deliveries/(?P<delivery_id>[0-9]{1,18})/redeliver",
        url_name="redeliver",
    )
    def redeliver(self, request, pk=None, delivery_id=None):
        """Send this delivery again now, with the same `webhook-id` (receivers that saw it already can ignore
        it). Answers 202: the attempt runs in the background; read the delivery log for its outcome."""
        subscription = self.get_object()
        delivery = get_object_or_404(WebhookDelivery.objects.filter(subscription=subscription), pk=delivery_id)
        delivery = webhooks.redeliver(delivery, by=request.user)
        delivery = WebhookDelivery.objects.select_related("event").get(pk=delivery.pk)
        return Response(DeliverySerializer(delivery, context=self.get_serializer_context()).data, status=202)


DELIVERY_FIELDS = [
    *(name for name in DeliverySerializer.Meta.fields if name not in ("event_type", "webhook_id", "redeliver_url")),
    "subscription",
    "event__type",
]
