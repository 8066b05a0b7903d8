"""bench/admin_pages.py: every scenario's page answers for its user, and a session made without logging in works."""

import pytest

from bench import admin_pages
from tests.factories import ClaimFactory, EditorFactory, ReviewerFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def test_every_scenario_answers_and_its_queries_are_counted(settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "bench.admin_pages.StaffInMemory"]
    reviewer, editor = ReviewerFactory(is_staff=False), EditorFactory(is_staff=False)
    ReviewFactory(author=reviewer)
    ClaimFactory(status="candidate")
    users = admin_pages.newsroom_users()
    assert users == {"reviewer": reviewer, "editor": editor}
    context = admin_pages.Context(users=users, ids={"claim": ClaimFactory().pk})
    clients = {role: admin_pages.logged_in_client(user) for role, user in users.items()}
    for scenario in admin_pages.SCENARIOS:
        url = scenario.url(context) if callable(scenario.url) else scenario.url
        timing = admin_pages.time_scenario(clients[scenario.user], url, requests=2, seconds=5)
        assert 0 < timing.p50 <= timing.p95 and timing.queries > 3 and timing.count == 2, scenario.name
    reviewer.refresh_from_db()
    assert reviewer.last_login is None and not reviewer.is_staff  # nothing written
