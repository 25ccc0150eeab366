"""Workspace fixtures: a test client signed in with both factors, as the sign-in page would leave it."""
import django_otp
import lxml.html
import pytest

from voxpop.accounts.models import User
from voxpop.common import clock


@pytest.fixture
def signed_in(client):
    """`signed_in(user)`: the test client, logged in as `user` with their TOTP device verified."""
    def sign_in(user: User):
        device = next(django_otp.devices_for_user(user))
        client.force_login(user)
        session = client.session
        session[django_otp.DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client
    return sign_in


@pytest.fixture
def frozen_clock(monkeypatch, now):
    """Workspace views read the time from `clock.now`; pin it to the `now` the factories use."""
    monkeypatch.setattr(clock, "now", lambda: now)
    return now


@pytest.fixture
def as_editor(signed_in, editor):
    return signed_in(editor)


def form_values(client, url: str) -> dict:
    """What the browser would submit from the page's first form posting to `url`, untouched."""
    doc = lxml.html.fromstring(client.get(url).content)
    form = next(f for f in doc.forms if f.action == url)
    return {name: value for name, value in form.form_values() if name != "csrfmiddlewaretoken"}
