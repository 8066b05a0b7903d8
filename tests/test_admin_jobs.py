"""Background jobs in the admin: administrators see what is queued, running and failed (and why) and run
failed jobs again; nobody else sees them (their arguments and results are the starters' business)."""

import pytest
from django.test import Client

from factcheck import jobs
from factcheck.models import Job
from tests.factories import EditorFactory, ReviewerFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/factcheck/job/"


def admin_client(user):
    client = Client()
    client.force_login(user)
    return client


def test_administrators_read_failed_jobs_and_run_them_again():
    failed = Job.objects.create(
        name="claims.extract_article", status="failed", attempts=3, error="ValueError: the model is missing"
    )
    done = Job.objects.create(name="reviews.export_claims", status="succeeded", attempts=1)
    client = admin_client(UserFactory(is_superuser=True))
    response = client.get(LIST, {"status__exact": "failed"})
    assert list(response.context["cl"].result_list) == [failed]
    assert "the model is missing" in response.content.decode()
    assert client.get(f"{LIST}{failed.pk}/change/").status_code == 200
    response = client.post(LIST, {"action": "run_again", "_selected_action": [failed.pk, done.pk]}, follow=True)
    assert "1 jobs will run again" in response.content.decode()
    failed.refresh_from_db()
    done.refresh_from_db()
    assert (failed.status, failed.attempts, failed.finished_at) == ("queued", 0, None)
    assert done.status == "succeeded"
    assert jobs.due_jobs(failed.run_after).filter(pk=failed.pk).exists()
    assert client.get(f"{LIST}add/").status_code == 403


@pytest.mark.parametrize("factory", [ReviewerFactory, EditorFactory])
def test_the_newsroom_does_not_see_the_jobs(factory):
    Job.objects.create(name="claims.extract_article")
    client = admin_client(factory())
    assert client.get(LIST).status_code == 403
    assert "/admin/factcheck/job/" not in client.get("/admin/").content.decode()
