"""The demo newsroom and the operator endpoints."""
import json

from voxpop.comments.models import Comment
from voxpop.site.demo import DEMO_ARTICLES, DEMO_MODERATOR, demo_load


def test_demo_loads_english_and_korean_stories_with_published_comments(db, now, tmp_path, client):
    """The demo has an English and a Korean article whose pages show published comments only."""
    demo_load(now=now, credentials_file=tmp_path / "creds.json")

    languages = {a.language for a in DEMO_ARTICLES.values()}
    assert {"en", "ko"} <= languages
    for key in DEMO_ARTICLES:
        page = client.get(f"/demo/articles/{key}/").content.decode()
        published = Comment.objects.filter(story__key=key, status="approved")
        pending = Comment.objects.filter(story__key=key, status="pending")
        assert published.count() >= 3 and pending.count() == 1
        assert all(c.current_revision.body in page for c in published)
        assert pending.get().current_revision.body not in page


def test_demo_credentials_sign_in_to_the_api(db, now, tmp_path, client):
    """The token the demo prints lists the demo's waiting comments in the moderation queue."""
    creds_file = tmp_path / "creds.json"
    demo_load(now=now, credentials_file=creds_file)
    creds = json.loads(creds_file.read_text())

    queue = client.get("/api/v1/moderation/queue", HTTP_AUTHORIZATION=f"Bearer {creds['token']}").json()

    assert creds["username"] == DEMO_MODERATOR and creds["otp_uri"].startswith("otpauth://totp/")
    assert len(queue["comments"]) == len(DEMO_ARTICLES)
    assert oct(creds_file.stat().st_mode & 0o777) == "0o600"


def test_healthz_and_readyz(db, client):
    """/healthz says the process is up; /readyz checks the database and the cache."""
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "cache": "ok"}
