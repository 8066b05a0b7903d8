from django.conf import settings
from django.db import models
from django.utils import timezone


class Job(models.Model):
    """A unit of background work, recorded in the database before any engine sees it.

    The row is the truth whichever engine runs it (``factcheck.jobs``): the database queue reads it
    directly, the distributed engine is only told its id. A worker *claims* a job by moving it to
    ``running`` with a lease; a job whose lease runs out (its worker died) is claimed again.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    name = models.CharField(max_length=100, help_text="The registered job, e.g. claims.extract_article.")
    arguments = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0, help_text="Times a worker has started it.")
    max_attempts = models.PositiveIntegerField(default=5)
    run_after = models.DateTimeField(default=timezone.now, help_text="Not started before (retries back off).")
    lease_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="While running: another worker may take it over after this."
    )
    worker = models.CharField(max_length=200, blank=True, help_text="The worker that claimed it last.")
    relayed_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was last handed to the distributed engine's broker."
    )
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True, help_text="The last attempt's error.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            # The queue: what is due, oldest first (finished jobs are left out of it).
            models.Index(
                fields=["run_after", "id"],
                name="job_due_idx",
                condition=models.Q(status__in=["queued", "running"]),
            ),
            models.Index(fields=["created_by", "id"], name="job_created_by_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "running", "succeeded", "failed"]), name="job_status_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="running") | models.Q(lease_expires_at__isnull=False),
                name="job_running_has_lease",
            ),
        ]

    def __str__(self):
        return f"{self.name} #{self.pk} ({self.status})"

    @property
    def finished(self):
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)
