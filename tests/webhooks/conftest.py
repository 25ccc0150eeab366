"""Webhook fixtures: a real HTTP receiver on 127.0.0.1 and endpoints pointing at it."""
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.workspace.conftest import frozen_clock, signed_in  # noqa: F401 (workspace fixtures, for the admin pages)
from voxpop.webhooks.models import Event
from voxpop.webhooks.services import endpoint_create


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """What the local server answers (`status`, `location`) and what it was sent (`requests`)."""
    url: str = ""
    status: int = 200
    location: str = ""
    hold: threading.Event | None = None  # set: answer only once this is set (or after 5 s)
    requests: list[Received] = field(default_factory=list)


def serve(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            receiver.requests.append(Received(self.path, dict(self.headers.items()), body))
            if receiver.hold is not None:
                receiver.hold.wait(5)
            self.send_response(receiver.status)
            if receiver.location:
                self.send_header("Location", receiver.location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/voxpop?site=news"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    return server


@pytest.fixture
def private_allowed(settings):
    """VOXPOP_WEBHOOKS_ALLOW_PRIVATE=1, as a receiver on this machine needs."""
    settings.VOXPOP_WEBHOOKS_ALLOW_PRIVATE = True


@pytest.fixture
def receiver(private_allowed):
    receiver = Receiver()
    server = serve(receiver)
    yield receiver
    if receiver.hold is not None:
        receiver.hold.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def second_receiver(private_allowed):
    receiver = Receiver()
    server = serve(receiver)
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def endpoint_for(db, now):
    """`endpoint_for(url, events=all)`: a registered endpoint; its `.plain_secret` is the secret shown once."""
    def make(url: str, events=None):
        endpoint, secret = endpoint_create(url=url, events=list(events or Event.values), now=now)
        endpoint.plain_secret = secret
        return endpoint
    return make


@pytest.fixture
def hook(endpoint_for, receiver, story):
    """An endpoint for every event at the local receiver, registered after the test story."""
    return endpoint_for(receiver.url)
