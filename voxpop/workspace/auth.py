"""Signing in to the workspace: password and a TOTP code together, for every moderator role."""
import math
from functools import wraps

import django_otp
from django import forms
from django.contrib import auth
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from voxpop.accounts.models import User
from voxpop.common import clock
from voxpop.common.privacy import commenter_key

from . import throttle


class SignInForm(AuthenticationForm):
    otp_token = forms.CharField(label="Code from your authenticator app", max_length=8,
                                widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "The user name, password or code is not right. Check all three and try again.",
    }

    refusal = ""  # set when throttled: then neither the password nor the code is checked

    def clean(self):
        if self.refusal:
            raise forms.ValidationError(self.refusal, code="throttled")
        cleaned = super().clean()
        user = self.get_user()  # None if the user name or password was left empty
        self.device = django_otp.match_token(user, cleaned.get("otp_token", "").strip()) if user else None
        if self.device is None:
            raise self.get_invalid_login_error()
        return cleaned


@sensitive_post_parameters("password", "otp_token")
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request, data=request.POST or None)
    attempt, retry_after = None, None
    if request.method == "POST":
        try:
            attempt = throttle.sign_in_attempt_start(username=request.POST.get("username", ""),
                                                     source=commenter_key(request), now=clock.now())
        except throttle.SignInThrottled as throttled:
            retry_after, minutes = throttled.retry_after, math.ceil(throttled.retry_after / 60)
            form.refusal = (f"Too many sign-in attempts. Wait {minutes} minute{'' if minutes == 1 else 's'}, "
                            "then try again.")
    if attempt and form.is_valid():
        throttle.sign_in_attempt_succeed(attempt=attempt)
        auth.login(request, form.get_user())
        django_otp.login(request, form.device)
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = resolve_url("workspace:queue")
        return redirect(target)
    response = render(request, "workspace/sign_in.html", {"form": form, "next": request.GET.get("next", "")},
                      status=429 if retry_after else 401 if request.method == "POST" else 200)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    auth.logout(request)
    return redirect("workspace:sign-in")


def workspace_view(*roles: str):
    """Signed in with both factors, and (if given) one of `roles`; otherwise to sign-in or 403."""
    def decorate(view):
        @never_cache
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not (user.is_authenticated and user.is_verified()):
                return redirect(f"{resolve_url('workspace:sign-in')}?{urlencode({'next': request.get_full_path()})}")
            if roles and user.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)
        return wrapper
    return decorate


EDITORS = (User.Role.EDITOR, User.Role.ADMIN)
