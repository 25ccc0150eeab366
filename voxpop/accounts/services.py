import secrets
from datetime import datetime

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from voxpop.desks.models import Desk

from .models import ApiToken, User


class UnknownDesk(ValueError):
    pass


@transaction.atomic
def moderator_save(*, username: str, password: str | None, role: str, desk_keys: list[str]) -> tuple[User, TOTPDevice]:
    """Create or update a moderator with their desks and a confirmed TOTP device."""
    desks = list(Desk.objects.filter(key__in=desk_keys))
    missing = set(desk_keys) - {d.key for d in desks}
    if missing:
        raise UnknownDesk(", ".join(sorted(missing)))
    user, _ = User.objects.get_or_create(username=username, defaults={"role": role})
    user.role = role
    if password:
        user.set_password(password)
    elif not user.has_usable_password():
        user.set_unusable_password()
    user.save()
    if desk_keys:
        user.desks.set(desks)
    device = TOTPDevice.objects.filter(user=user, name="default").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    return user, device


def api_token_create(*, user: User, now: datetime) -> str:
    token = "vxp_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, digest=ApiToken.digest_of(token), created_at=now)
    return token


def user_for_token(*, token: str) -> User | None:
    found = ApiToken.objects.select_related("user").filter(digest=ApiToken.digest_of(token)).first()
    if found is None or not found.user.is_active:
        return None
    return found.user
