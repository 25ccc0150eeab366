"""The admins' webhook pages: endpoints, the secret shown once, the delivery log, retry now."""
import lxml.html
import pytest

from tests.conftest import make_moderator
from voxpop.accounts.models import User
from voxpop.moderation.services import comment_approve
from voxpop.webhooks.models import Delivery, Endpoint
from voxpop.webhooks.services import endpoint_create

URL = "https://cms.example/hooks/voxpop"


@pytest.fixture
def as_admin(signed_in, db, frozen_clock):
    """The test client, signed in as an admin (of every desk)."""
    return signed_in(make_moderator("ada", [], role=User.Role.ADMIN))


def add(client, url=URL, events=("comment.published", "comment.rejected")):
    return client.post("/moderation/webhooks/", {"url": url, "events": list(events)})


@pytest.mark.parametrize("role", [User.Role.MODERATOR, User.Role.EDITOR])
def test_only_admins_reach_the_webhook_pages(role, signed_in, english_desk, now):
    """Endpoints receive every desk's events: a desk editor or moderator gets 403 on every page."""
    endpoint, _ = endpoint_create(url=URL, events=["story.created"], now=now)
    client = signed_in(make_moderator("eve", [english_desk], role=role))

    answers = [client.get("/moderation/webhooks/"), add(client), client.get(f"/moderation/webhooks/{endpoint.pk}/"),
               client.post(f"/moderation/webhooks/{endpoint.pk}/", {"action": "delete", "confirm": "delete"}),
               client.post(f"/moderation/webhooks/{endpoint.pk}/retry", {"delivery": "all"})]

    assert [a.status_code for a in answers] == [403] * 5
    assert list(Endpoint.objects.values_list("url", flat=True)) == [URL]
    assert "/moderation/webhooks/" not in client.get("/moderation/").content.decode()


def test_the_admin_nav_links_to_webhooks(as_admin):
    """Admins find the pages from the workspace's navigation."""
    page = lxml.html.fromstring(as_admin.get("/moderation/").content)

    assert page.xpath('//nav//a[@href="/moderation/webhooks/"]')


def test_adding_an_endpoint_shows_its_secret_once(as_admin):
    """The answer to the form shows the signing secret; no later page shows it again."""
    response = add(as_admin)

    endpoint = Endpoint.objects.get()
    assert response.status_code == 201
    assert (endpoint.url, endpoint.events, endpoint.active) == (URL, ["comment.published", "comment.rejected"], True)
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40
    page = lxml.html.fromstring(response.content)
    assert page.xpath('//input[@id="new-secret"]/@value') == [endpoint.secret]
    assert "no-store" in response["Cache-Control"]
    for later in (as_admin.get("/moderation/webhooks/"), as_admin.get(f"/moderation/webhooks/{endpoint.pk}/")):
        assert later.status_code == 200
        assert endpoint.secret not in later.content.decode()
    assert endpoint.secret not in str(dict(as_admin.session))


def test_each_endpoint_gets_its_own_secret(as_admin):
    """Two endpoints never share a secret."""
    add(as_admin)
    add(as_admin, url="https://search.example/hooks")

    assert len(set(Endpoint.objects.values_list("secret", flat=True))) == 2


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/hooks", "http://localhost/hooks", "http://10.1.2.3/hooks",
                                 "http://169.254.169.254/latest/meta-data/", "http://[::1]/hooks",
                                 "http://[::ffff:192.168.0.1]/hooks", "http://0.0.0.0/hooks",
                                 "ftp://cms.example/hooks", "javascript:alert(1)", "https://user:pw@cms.example/hooks",
                                 "https:///hooks", "https://cms.example:99999/hooks"])
def test_unsafe_urls_are_refused_with_the_form_kept(as_admin, url):
    """Local, private and metadata addresses (SSRF), other schemes and credentials are refused with a reason."""
    response = add(as_admin, url=url)

    assert response.status_code == 422
    page = lxml.html.fromstring(response.content)
    assert page.xpath('//div[@class="mw-errors"]//li')
    assert page.xpath('//input[@name="url"]/@value') == [url]
    assert not Endpoint.objects.exists()


def test_a_local_receiver_is_accepted_when_private_addresses_are_allowed(as_admin, private_allowed):
    """VOXPOP_WEBHOOKS_ALLOW_PRIVATE=1 lets an admin point an endpoint at this machine."""
    assert add(as_admin, url="http://127.0.0.1:9000/hooks").status_code == 201


def test_an_endpoint_needs_an_event(as_admin):
    """No event ticked: nothing added, and the admin is told why."""
    response = add(as_admin, events=())

    assert response.status_code == 422 and "Choose at least one event." in response.content.decode()
    assert not Endpoint.objects.exists()


def test_disable_enable_and_delete(as_admin, now):
    """An admin pauses an endpoint, resumes it, and deletes it with its log after confirming."""
    endpoint, _ = endpoint_create(url=URL, events=["story.created"], now=now)
    url = f"/moderation/webhooks/{endpoint.pk}/"

    assert as_admin.post(url, {"action": "disable"}).status_code == 302
    assert not Endpoint.objects.get().active
    as_admin.post(url, {"action": "enable"})
    assert Endpoint.objects.get().active
    assert as_admin.post(url, {"action": "delete"}).status_code == 400, "not without the confirmation"
    assert as_admin.post(url, {"action": "delete", "confirm": "delete"})["Location"] == "/moderation/webhooks/"
    assert not Endpoint.objects.exists()
    assert as_admin.get(url).status_code == 404


def test_the_delivery_log_shows_attempts_never_content(as_admin, endpoint_for, story, submit, moderator, now):
    """Each delivery's event, attempts, status and error are listed; its payload is not."""
    endpoint = endpoint_for(URL)
    comment = submit(story, body="log-must-not-show-4b1e", display_name="name-must-not-show")
    comment_approve(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator, now=now)
    Delivery.objects.update(attempts=2, last_attempt_at=now, last_status=502, last_error="HTTP 502")

    response = as_admin.get(f"/moderation/webhooks/{endpoint.pk}/")

    content = response.content.decode()
    assert response.status_code == 200
    assert "comment.published" in content and "HTTP 502" in content
    assert "log-must-not-show" not in content and "name-must-not-show" not in content


def test_retry_now_makes_a_dead_delivery_due(as_admin, endpoint_for, story, submit, moderator, now):
    """The button on a dead delivery queues it for one more attempt at once."""
    endpoint = endpoint_for(URL)
    comment = submit(story)
    comment_approve(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator, now=now)
    Delivery.objects.update(dead=True, next_attempt_at=None, attempts=7, last_error="HTTP 500")
    delivery = Delivery.objects.get()
    page = lxml.html.fromstring(as_admin.get(f"/moderation/webhooks/{endpoint.pk}/").content)
    assert page.xpath(f'//form[input[@name="delivery" and @value="{delivery.pk}"]]//button')

    response = as_admin.post(f"/moderation/webhooks/{endpoint.pk}/retry", {"delivery": str(delivery.pk)})

    delivery.refresh_from_db()
    assert response.status_code == 302
    assert (delivery.dead, delivery.next_attempt_at) == (False, now)


def test_retry_of_another_endpoints_delivery_changes_nothing(as_admin, endpoint_for, story, submit, moderator, now):
    """A delivery id is only retried through its own endpoint."""
    first, second = endpoint_for(URL), endpoint_for("https://other.example/hooks")
    comment = submit(story)
    comment_approve(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator, now=now)
    Delivery.objects.update(dead=True, next_attempt_at=None)
    theirs = Delivery.objects.get(endpoint=second)

    as_admin.post(f"/moderation/webhooks/{first.pk}/retry", {"delivery": str(theirs.pk)})

    theirs.refresh_from_db()
    assert theirs.dead
