"""Workspace fixtures: a test client signed in with both factors, as the sign-in page would leave it."""
import django_otp
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
