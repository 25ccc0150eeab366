"""Only the sites' origins may read embed routes from a script, and frame the thread."""
from voxpop.embed.services import site_update

from .conftest import ORIGIN

EVIL = "https://evil.example"


def test_allowed_origin_may_read_counts(client, site, story):
    """A page of a listed origin gets Access-Control-Allow-Origin with its own origin, and never credentials."""
    response = client.get("/api/v1/counts", {"story": story.key}, headers={"Origin": ORIGIN})

    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert "Access-Control-Allow-Credentials" not in response
    assert "Origin" in response["Vary"]


def test_other_origin_gets_no_cors_header(client, site, story):
    """Any other origin gets the same data but no CORS header, so its scripts cannot read it."""
    response = client.get("/api/v1/counts", {"story": story.key}, headers={"Origin": EVIL})

    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
    assert "Origin" in response["Vary"], "a shared cache must not hand one origin's answer to another"


def test_allowed_origin_may_read_the_answer_to_a_posted_form(client, site, story):
    """The script's form post (answered with a redirect to the receipt) and the receipt are readable."""
    page = client.get(f"/stories/{story.key}/comments/")
    token = page.content.decode().split('name="token" value="', 1)[1].split('"', 1)[0]

    posted = client.post(f"/stories/{story.key}/comments/", {"body": "Posted by the embed script.", "token": token},
                         headers={"Origin": ORIGIN})
    receipt = client.get(posted["Location"], headers={"Origin": ORIGIN})

    assert posted.status_code == 303 and posted["Access-Control-Allow-Origin"] == ORIGIN
    assert receipt.status_code == 200 and receipt["Access-Control-Allow-Origin"] == ORIGIN


def test_workspace_never_gets_cors(client, site):
    """Routes outside the embed set answer no origin, listed or not."""
    response = client.get("/moderation/sign-in/", headers={"Origin": ORIGIN})

    assert "Access-Control-Allow-Origin" not in response


def test_preflight_for_the_json_comment_api(client, site, story):
    """A script posting JSON with an Idempotency-Key gets its preflight answered for a listed origin only."""
    headers = {"Origin": ORIGIN, "Access-Control-Request-Method": "POST",
               "Access-Control-Request-Headers": "content-type, idempotency-key"}

    allowed = client.options(f"/api/v1/stories/{story.key}/comments", headers=headers)
    refused = client.options(f"/api/v1/stories/{story.key}/comments", headers={**headers, "Origin": EVIL})

    assert allowed.status_code == 204 and allowed["Access-Control-Allow-Origin"] == ORIGIN
    assert "idempotency-key" in allowed["Access-Control-Allow-Headers"].lower()
    assert "Access-Control-Allow-Origin" not in refused


def test_thread_may_be_framed_by_the_sites_origins(client, site, story):
    """The thread page's frame-ancestors lists every site's origins besides VOXPOP_FRAME_ANCESTORS."""
    response = client.get(f"/stories/{story.key}/comments/")

    ancestors = response["Content-Security-Policy"].split("frame-ancestors ", 1)[1].split(";")[0].split()
    assert ancestors == ["'self'", ORIGIN]


def test_changed_origins_apply_at_once(client, site, story, now):
    """Replacing a site's origins takes effect on the next request, framing and CORS alike."""
    site_update(site=site, origins=["https://new.example"], now=now)

    page = client.get(f"/stories/{story.key}/comments/", headers={"Origin": ORIGIN})

    assert ORIGIN not in page["Content-Security-Policy"]
    assert "https://new.example" in page["Content-Security-Policy"]
    assert "Access-Control-Allow-Origin" not in page


def test_workspace_pages_stay_unframeable(client, site):
    """Listing a site does not let it frame anything but the reader pages."""
    response = client.get("/moderation/sign-in/")

    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_read_path_layer_gets_the_same_answer(site):
    """wsgi_cors_headers (for cached answers sent before Django) allows the listed origin only."""
    from voxpop.embed import cors

    cors._memo = (0.0, frozenset())  # another test may have read the origins within the memo's seconds
    environ = {"PATH_INFO": "/stories/harbour-buses/comments/fragment", "REQUEST_METHOD": "GET"}

    assert cors.wsgi_cors_headers({**environ, "HTTP_ORIGIN": ORIGIN}) == [("Access-Control-Allow-Origin", ORIGIN)]
    assert cors.wsgi_cors_headers({**environ, "HTTP_ORIGIN": EVIL}) == []
    assert cors.wsgi_cors_headers({**environ, "HTTP_ORIGIN": ORIGIN, "PATH_INFO": "/moderation/"}) == []
