import pytest
from django.core.management import call_command

from claims.models import Article, Claim
from claims.seed import SEEDS_DIR

pytestmark = pytest.mark.django_db


def test_seed_loads_the_article_and_its_claims_at_exact_offsets():
    call_command("load_seed", verbosity=0)
    article = Article.objects.get()
    assert article.published_at.date().isoformat() == "2022-09-10"
    assert article.language == "en"
    assert article.body == (SEEDS_DIR / "kharkiv-counteroffensive-2022-09-10.txt").read_text(encoding="utf-8")
    claims = list(Claim.objects.filter(article=article))
    assert len(claims) >= 15
    for claim in claims:
        assert article.body[claim.start : claim.end] == claim.quote
        assert 0 <= claim.check_worthiness <= 1
    by_claimant = {claim.claimant: claim for claim in claims}
    assert "2,000" in by_claimant["Russian Ministry of Defense"].quote or any(
        "2,000" in c.quote and c.claimant == "Russian Ministry of Defense" for c in claims
    )
    assert "more than 30 towns in two days" in by_claimant["Volodymyr Zelensky"].quote
    assert any("45,000" in c.quote for c in claims)
    assert not any("may also reach" in c.quote for c in claims), "speculation is not a claim"


def test_loading_the_seed_twice_changes_nothing(capsys):
    call_command("load_seed")
    snapshot = list(Claim.objects.order_by("id").values())
    call_command("load_seed")
    assert list(Claim.objects.order_by("id").values()) == snapshot
    assert Article.objects.count() == 1
    assert "0 new article(s), 0 new claim(s)" in capsys.readouterr().out


def test_demo_users_are_created_with_printed_passwords_that_work(tmp_path, monkeypatch, capsys):
    from django.contrib.auth.models import User

    from claims.management.commands import create_demo_users

    monkeypatch.setattr(create_demo_users, "CREDENTIALS_FILE", tmp_path / "creds.json")
    call_command("create_demo_users")
    out = capsys.readouterr().out
    passwords = dict(line.split()[0:3:2] for line in out.splitlines() if "password:" in line)
    assert set(passwords) == {"reviewer", "editor"}
    user = User.objects.get(username="editor")
    assert user.check_password(passwords["editor"])
    assert user.groups.filter(name="editors").exists() and user.is_staff
    call_command("create_demo_users")
    assert f"password: {passwords['reviewer']}" in capsys.readouterr().out
