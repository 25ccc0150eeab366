"""Who is refused where: every workspace and API route, tried by three callers who must not get in.

(a) a signed-out visitor, (b) a reader holding a receipt link (a browser that just posted a comment
and followed its receipt), (c) staff of another desk: a plain Korean-desk moderator and a
Korean-desk editor, against the English desk's comments, restrictions, stories and rules.

The routes are read from the URL configuration, so a route added later is tried by (a) and (b)
at once, and fails `test_every_route_is_classified` until it is listed in ACCESS below: public by
design (with the reason), naming one desk's object, or working within the caller's own desks.
"""
import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import django_otp
import lxml.html
import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import make_moderator
from voxpop.accounts.models import User
from voxpop.comments.models import Comment
from voxpop.comments.selectors import comment_get_by_receipt
from voxpop.desks.selectors import house_rule_get
from voxpop.moderation.services import comment_approve, restriction_create
from voxpop.scoring.editorial import protected_name_add
from voxpop.webhooks.services import endpoint_create
from voxpop.workspace.auth import EDITORS

SIGN_IN = "/moderation/sign-in/"
MODERATORS = tuple(User.Role.values)
ADMINS = (User.Role.ADMIN,)

# Words planted in the English desk's data: none may appear in an answer to a refused caller.
SECRET_PENDING = "pending-secret-3c1e harbour timetable leak"
SECRET_PUBLISHED = "published-by-erin-9b7d"
SECRET_REASON = "ban-reason-51f0"
MARKERS = (SECRET_PENDING, SECRET_PUBLISHED, SECRET_REASON)


@dataclass(frozen=True)
class Access:
    """How a route is guarded.

    public: methods anyone may use, by design (`why` says why); the other methods are checked.
    names_object: the URL names an object of one desk; another desk's staff get 403 or 404.
    Otherwise the route works within the caller's own desks (or on their own session and
    decisions): another desk's staff may use it but see and change nothing of the English desk.
    roles: who may use it at all; anyone else gets 403.
    """
    names_object: bool = False
    roles: tuple[str, ...] = MODERATORS
    public: frozenset[str] = field(default_factory=frozenset)
    why: str = ""


def public(*methods: str, why: str, **kwargs) -> Access:
    return Access(public=frozenset(methods), why=why, **kwargs)


ACCESS = {
    # Workspace: everything behind sign-in with both factors.
    "workspace:sign-in": public("GET", "POST", why="the way in: anyone may ask to sign in"),
    "workspace:sign-out": Access(why="ends the caller's own session and nothing else"),
    "workspace:queue": Access(why="lists the caller's desks only, whatever ?desk= asks for"),
    "workspace:comment": Access(names_object=True),
    "workspace:decide": Access(names_object=True),
    "workspace:restrict": Access(names_object=True),
    "workspace:route": Access(names_object=True),
    "workspace:erase": Access(names_object=True, roles=ADMINS),
    "workspace:restrictions": Access(why="lists the caller's desks' holds and bans"),
    "workspace:unrestrict": Access(names_object=True),
    "workspace:undo": Access(why="undoes the caller's own last decision"),
    "workspace:bulk": Access(why="decides only comments of the caller's desks among those posted"),
    "workspace:audit": Access(why="shows decisions on the caller's desks' comments only"),
    "workspace:dashboard": Access(roles=EDITORS, why="figures of the caller's desks"),
    "workspace:stories": Access(roles=EDITORS, why="stories of the caller's desks"),
    "workspace:story": Access(names_object=True, roles=EDITORS),
    "workspace:protected": Access(names_object=True, roles=EDITORS),
    "workspace:rules": Access(names_object=True, roles=EDITORS),
    "workspace:words": Access(names_object=True, roles=EDITORS),
    "workspace:webhooks": Access(roles=ADMINS, why="site-wide webhook endpoints: admins only"),
    "workspace:webhook": Access(roles=ADMINS, why="one site-wide endpoint and its delivery log: admins only"),
    "workspace:webhook-retry": Access(roles=ADMINS, why="retries a site-wide endpoint's dead deliveries"),
    # API: readers' routes are public; the rest needs a bearer token.
    "api:stories": public("GET", why="the story registry: what a CMS page or reader may list"),
    "api:story": public("GET", why="one story's public record", names_object=True, roles=EDITORS),
    "api:story-comments": public("GET", "POST", why="the published thread and the reader's comment form, as JSON"),
    "api:queue": Access(why="pending comments of the token holder's desks only"),
    "api:decisions": Access(names_object=True),
    "api:counts": public("GET", why="published comment counts for article lists: what any reader sees"),
    "api:proof-of-work": public("GET", why="the form token every thread page carries, for a proof-of-work"),
    # The workspace through the API (voxpop/api/moderation_views.py, editorial_views.py).
    "api:comments": Access(why="the queues of the token holder's desks only; another desk's ?desk= is 404"),
    "api:comment": Access(names_object=True),
    "api:route": Access(names_object=True),
    "api:undo": Access(why="undoes the token holder's own last decision"),
    "api:bulk": Access(why="decides only comments of the token holder's desks among those posted"),
    "api:restrictions": Access(why="lists and sets holds and bans in the token holder's desks only"),
    "api:restriction-lift": Access(names_object=True),
    "api:audit": Access(why="decisions on the token holder's desks' comments only"),
    "api:dashboard": Access(roles=EDITORS, why="figures of the token holder's desks"),
    "api:story-settings": Access(names_object=True, roles=EDITORS),
    "api:protected-names": Access(names_object=True, roles=EDITORS),
    "api:protected-name": Access(names_object=True, roles=EDITORS),
    "api:rules": Access(names_object=True, roles=EDITORS),
    "api:words": Access(names_object=True, roles=EDITORS),
    "api:openapi": public("GET", why="the API's own documentation"),
    # The site's own pages and the operator's endpoints.
    "site:home": public("GET", why="the demo newsroom's front page"),
    "site:article": public("GET", why="a demo article page with the published thread"),
    "site:healthz": public("GET", why="the process is up: no data"),
    "site:readyz": public("GET", why="the database and cache answer: no data"),
    "site:metrics": Access(roles=ADMINS, why="site-wide counts: VOXPOP_METRICS_ALLOW networks or an admin's token"),
}
# Routes that take a bearer token like the API but refuse with 403 rather than 401 (not API clients).
OPERATOR_ROUTES = {"site:metrics"}

WORKSPACE_METHODS = ("GET", "POST")
API_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
PROBE_QUERY = "?desk=english&status=pending&moderator=erin&story=harbour-buses&language=en"


@dataclass(frozen=True)
class Route:
    name: str  # namespace:name
    path: str  # with <converter:param> placeholders

    @property
    def api(self) -> bool:
        """Authenticated by a bearer token, not a session."""
        return self.name.startswith("api:") or self.name in OPERATOR_ROUTES

    @property
    def params(self) -> list[str]:
        return re.findall(r"<(?:\w+:)?(\w+)>", self.path)

    def url(self, values: dict) -> str:
        missing = [p for p in self.params if p not in values]
        assert not missing, f"{self.name}: give the permission test a value for {missing} in `english`"
        return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), self.path)


def _walk(patterns, prefix: str, namespace: str):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            assert hasattr(entry.pattern, "_route"), f"{entry}: use path(), so the test can fill its parameters"
            yield from _walk(entry.url_patterns, prefix + entry.pattern._route, entry.namespace or namespace)
        elif isinstance(entry, URLPattern):
            assert hasattr(entry.pattern, "_route"), f"{entry}: use path(), so the test can fill its parameters"
            yield Route(f"{namespace}:{entry.name}", prefix + entry.pattern._route)


def guarded_routes() -> list[Route]:
    """Every route of the workspace, the API and the site, as the root URL configuration mounts them."""
    routes = []
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace in ("workspace", "api", "site"):
            routes += _walk(entry.url_patterns, "/" + entry.pattern._route, entry.namespace)
    return routes


ROUTES = guarded_routes()


def route_ids(routes):
    return [r.name for r in routes]


# The English desk, with something behind every kind of route, and the people who must not get in.


@pytest.fixture(autouse=True)
def metrics_by_token_only(settings):
    """Every caller here is the test client at 127.0.0.1, which VOXPOP_METRICS_ALLOW lets read /metrics by
    design (tests/site/test_metrics.py): here no network is allowed, so only a token could open it."""
    settings.VOXPOP_METRICS_ALLOW = ()


@pytest.fixture
def english(story, english_desk, moderator, submit, now):
    """The English desk's objects; `values` fills every path parameter of a workspace or API route."""
    # An endpoint first, so that the publication below queues a delivery carrying the published text.
    endpoint, _ = endpoint_create(url="https://cms.example/hooks", events=["comment.published"], now=now)
    pending = submit(story, body=SECRET_PENDING)
    published = submit(story, body=SECRET_PUBLISHED)
    comment_approve(comment_id=published.pk, revision_id=published.current_revision_id, moderator=moderator,
                    now=now)
    restriction = restriction_create(commenter_key="reader-key", desk=english_desk, kind="ban", reason=SECRET_REASON,
                                     expires_at=None, moderator=moderator, now=now)
    rule = house_rule_get(desk=english_desk, language="en", number=1)
    return {
        "pending": pending, "rule": rule,
        "values": {"comment_id": pending.pk, "restriction_id": restriction.pk, "key": story.key,
                   "desk": english_desk.key, "language": "en", "endpoint_id": endpoint.pk,
                   "name_id": protected_name_add(story=story, name="Jane Source", editor=moderator, now=now).pk},
    }


@pytest.fixture
def korean_staff(korean_desk, korean_story, korean_moderator, submit):
    """A plain moderator and a desk editor of the Korean desk, which has a pending comment of its own."""
    submit(korean_story, body="도서관이 계속 열려 있으면 좋겠습니다.")
    return {"moderator": korean_moderator, "editor": make_moderator("kim", [korean_desk], role=User.Role.EDITOR)}


def hostile_form(english) -> dict:
    """One form with every field a workspace action reads, filled to act on the English desk."""
    pending, rule = english["pending"], english["rule"]
    return {"action": "approve", "revision": pending.current_revision_id, "rule": rule.pk, "reason": "probe",
            "note": "probe", "body": "masked by an intruder", "approve": "on", "kind": "ban", "days": "1",
            "confirm": "erase", "desk": "korean", "language": "ko",
            "selected": f"{pending.pk}:{pending.current_revision_id}", "commenting": "closed", "sensitive": "on",
            "rule_1": "Hijacked rule", "names": "Hijacked Name", "next": "/moderation/"}


def hostile_json(english, method: str) -> str:
    pending = english["pending"]
    if method == "PUT":
        return json.dumps({"title": "Hijacked title"})
    return json.dumps({"action": "approve", "revision": pending.current_revision_id, "body": "masked", "reason": 1})


def send(client: Client, route: Route, method: str, english, *, values=None, headers=None):
    url = route.url(values or english["values"])
    if route.api:
        body = hostile_json(english, method) if method in ("POST", "PUT", "PATCH") else None
        return client.generic(method, url, body or "", content_type="application/json", headers=headers or {})
    if method == "GET":
        return client.get(url + PROBE_QUERY)
    return client.post(url, hostile_form(english))


def state() -> dict[str, list[tuple]]:
    """Every row of the moderation domain, to show a refused request changed nothing."""
    return {model._meta.label: list(model.objects.order_by("pk").values_list())
            for label in ("desks", "stories", "comments", "moderation", "scoring", "webhooks")
            for model in apps.get_app_config(label).get_models()}


def leaks(response) -> list[str]:
    content = response.content.decode("utf-8", "replace")
    return [marker for marker in MARKERS if marker in content]


def redirects_to_sign_in(response) -> bool:
    return response.status_code == 302 and urlsplit(response["Location"]).path == SIGN_IN


def signed_in_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[django_otp.DEVICE_ID_SESSION_KEY] = next(django_otp.devices_for_user(user)).persistent_id
    session.save()
    return client


@pytest.fixture
def receipt_holder(client, story):
    """A reader's browser that posted a comment through the thread form and followed its receipt."""
    page = lxml.html.fromstring(client.get(f"/stories/{story.key}/comments/").content)
    form = page.xpath('//form[.//textarea[@name="body"]]')[0]
    data = {i.get("name"): i.get("value") or "" for i in form.xpath(".//input[@name]")}
    data["body"] = "My own comment, waiting for a moderator."
    posted = client.post(form.get("action") or f"/stories/{story.key}/comments/", data)
    assert posted.status_code == 303, posted.content[:500]
    receipt_url = posted["Location"]
    assert client.get(receipt_url).status_code == 200
    token = urlsplit(receipt_url).path.rstrip("/").rsplit("/", 1)[-1]
    own = comment_get_by_receipt(token=token)
    assert own is not None and own.status == Comment.Status.PENDING
    return {"client": client, "token": token, "own_comment": own}


# Every route is classified


def test_every_route_is_classified():
    """A new workspace or API route fails here until ACCESS says who may use it (and, if public, why)."""
    unclassified = [r.name for r in ROUTES if r.name not in ACCESS]
    stale = sorted(set(ACCESS) - {r.name for r in ROUTES})

    assert not unclassified, f"classify these routes in tests/security/test_permissions.py ACCESS: {unclassified}"
    assert not stale, f"these routes are gone; remove them from ACCESS: {stale}"
    assert all(a.why for a in ACCESS.values() if a.public), "every public route says why it is public"


def test_route_walk_finds_both_surfaces():
    """The walk over the URL configuration sees the workspace and the API with their real prefixes."""
    paths = {r.name: r.path for r in ROUTES}

    assert paths["workspace:comment"] == "/moderation/comments/<int:comment_id>/"
    assert paths["api:decisions"] == "/api/v1/moderation/comments/<int:comment_id>/decisions"


# (a) and (b): no session, no token


def _check_signed_out(route: Route, client: Client, english, *, values=None, headers=None):
    access = ACCESS.get(route.name, Access())
    before = state()
    answers = {}
    for method in (API_METHODS if route.api else WORKSPACE_METHODS):
        if method in access.public:
            continue
        answers[method] = send(client, route, method, english, values=values, headers=headers)
    for method, response in answers.items():
        assert not leaks(response), (route.name, method, leaks(response))
        if route.name in OPERATOR_ROUTES:
            assert response.status_code in (403, 405), (route.name, method, response.status_code)
        elif route.api:
            assert response.status_code in (401, 405), (route.name, method, response.status_code)
        else:
            assert response.status_code == 405 or redirects_to_sign_in(response), \
                (route.name, method, response.status_code, response.get("Location"))
    refused = [r for r in answers.values() if r.status_code != 405]
    assert access.public or refused, f"{route.name}: every method answered 405, so nothing was tried"
    if route.api and route.name not in OPERATOR_ROUTES:
        assert all(r.status_code == 401 and r["WWW-Authenticate"].startswith("Bearer") for r in refused)
    assert state() == before, f"{route.name}: a signed-out request changed data"


@pytest.mark.parametrize("route", ROUTES, ids=route_ids(ROUTES))
def test_signed_out_visitor_is_refused(route, english, client):
    """Without a session or token: the workspace sends to sign-in, the API answers 401, nothing changes."""
    _check_signed_out(route, client, english)


@pytest.mark.parametrize("route", ROUTES, ids=route_ids(ROUTES))
def test_reader_with_a_receipt_link_is_refused(route, english, receipt_holder):
    """A receipt opens the author's own receipt page only: not the workspace, not the API (used as a token)."""
    values = {**english["values"], "comment_id": receipt_holder["own_comment"].pk}
    client = receipt_holder["client"]
    assert not client.cookies, "reader pages set no cookies, so the reader carries none"

    _check_signed_out(route, client, english, values=values,
                      headers={"Authorization": f"Bearer {receipt_holder['token']}"})


# (c) staff of another desk


def _caller(korean_staff, role: str, api: bool, token_for):
    user = korean_staff[role]
    if api:
        client = Client(headers={"Authorization": f"Bearer {token_for(user)}"})
    else:
        client = signed_in_client(user)
    return user, client


# Routes that answer another desk's objects with something other than 403/404 (none now).
KNOWN_GAPS: dict[str, str] = {}
STAFF_ROUTES = [r for r in ROUTES
                if not ACCESS.get(r.name, Access()).public >= set(API_METHODS if r.api else WORKSPACE_METHODS)]


def _as_other_desks_staff(route: Route, role: str, english, korean_staff, token_for) -> tuple[User, dict]:
    access = ACCESS.get(route.name, Access(names_object=True))
    user, client = _caller(korean_staff, role, route.api, token_for)
    return user, {m: send(client, route, m, english) for m in (API_METHODS if route.api else WORKSPACE_METHODS)
                  if m not in access.public}


@pytest.mark.parametrize("route", STAFF_ROUTES, ids=route_ids(STAFF_ROUTES))
def test_other_desks_staff_are_refused(route, english, korean_staff, token_for):
    """A Korean-desk moderator and a Korean-desk editor: 403 or 404 on every English comment, ban, story
    or rule set they name, 403 where their role is not enough, and nowhere any English pending text,
    ban reason or decision shown or any English data changed."""
    access = ACCESS.get(route.name, Access(names_object=True))
    before = state()
    for role in ("moderator", "editor"):
        user, answers = _as_other_desks_staff(route, role, english, korean_staff, token_for)

        tried = {m: r.status_code for m, r in answers.items() if r.status_code != 405}
        for method, response in answers.items():
            assert response.status_code < 500, (route.name, role, method, response.status_code)
            assert not leaks(response), (route.name, role, method, leaks(response))
        if user.role not in access.roles:
            assert tried and set(tried.values()) == {403}, (route.name, role, tried)
        if access.names_object and route.name not in KNOWN_GAPS:
            assert tried and set(tried.values()) <= {403, 404}, (route.name, role, tried)
        assert state() == before, f"{route.name}: a Korean-desk {role} changed English desk data"


def test_lifting_another_desks_ban_is_404(english, korean_staff, token_for):
    """Naming another desk's ban to lift it answers 404, like every other desk object."""
    route = next(r for r in ROUTES if r.name == "workspace:unrestrict")
    _, answers = _as_other_desks_staff(route, "moderator", english, korean_staff, token_for)

    assert answers["POST"].status_code == 404


@pytest.mark.parametrize("route", [r for r in ROUTES if ACCESS.get(r.name, Access()).roles != MODERATORS],
                         ids=route_ids([r for r in ROUTES if ACCESS.get(r.name, Access()).roles != MODERATORS]))
def test_role_limited_routes_refuse_a_plain_moderator_of_the_same_desk(route, english, moderator, token_for):
    """Editor and admin routes are 403 for a moderator, even on their own desk's objects."""
    access = ACCESS[route.name]
    client = (Client(headers={"Authorization": f"Bearer {token_for(moderator)}"}) if route.api
              else signed_in_client(moderator))
    before = state()

    answers = {m: send(client, route, m, english) for m in (API_METHODS if route.api else WORKSPACE_METHODS)
               if m not in access.public}

    tried = {m: r.status_code for m, r in answers.items() if r.status_code != 405}
    assert tried and all(status == 403 for status in tried.values()), (route.name, tried)
    assert state() == before


# CSRF on every moderator action


@pytest.mark.parametrize("route", [r for r in ROUTES if not r.api], ids=route_ids([r for r in ROUTES if not r.api]))
def test_workspace_posts_need_the_csrf_token(route, english, db):
    """A signed-in admin's browser posting without the CSRF token (a forged cross-site form) is refused."""
    admin = make_moderator("ada", [], role=User.Role.ADMIN)
    client = signed_in_client(admin)
    client.handler.enforce_csrf_checks = True
    before = state()

    response = client.post(route.url(english["values"]), hostile_form(english))

    assert response.status_code in (403, 405), (route.name, response.status_code)
    assert state() == before


def test_the_csrf_probe_would_notice_a_missing_check(english, db):
    """The same admin with the CSRF token from the page does get through: the refusals above are CSRF's."""
    admin = make_moderator("ada", [], role=User.Role.ADMIN)
    client = signed_in_client(admin)
    client.handler.enforce_csrf_checks = True
    page = client.get(f"/moderation/comments/{english['pending'].pk}/")
    token = lxml.html.fromstring(page.content).xpath('//input[@name="csrfmiddlewaretoken"]/@value')[0]

    response = client.post(f"/moderation/comments/{english['pending'].pk}/decide",
                           {"csrfmiddlewaretoken": token, "action": "approve",
                            "revision": english["pending"].current_revision_id})

    assert response.status_code == 302
    assert Comment.objects.get(pk=english["pending"].pk).status == Comment.Status.APPROVED
