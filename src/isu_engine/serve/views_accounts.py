"""Sign-in (with throttling and no user enumeration), two-factor TOTP, password change, language."""

from __future__ import annotations

import base64
import datetime as dt
import io

import segno

from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from isu_engine.i18n import LANGUAGES
from isu_engine.serve import audit
from isu_engine.serve.language import t
from isu_engine.serve.forms import CodeForm, SignInForm
from isu_engine.serve.models import SignInAttempts
from isu_engine.serve.roles import allowed, public, sign_in_step

MAX_FAILURES = 5
LOCK_MINUTES = 15


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts=None) and target.startswith("/") else "/"


@public
def sign_in(request):
    """One message for every failure (unknown name, wrong password, locked): nothing tells which."""
    form = SignInForm(request.POST or None)
    failed = False
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["username"].strip()
        attempts, _ = SignInAttempts.objects.get_or_create(username=name.casefold()[:150])
        now = timezone.now()
        locked = attempts.locked_until is not None and attempts.locked_until > now
        user = None if locked else authenticate(request, username=name, password=form.cleaned_data["password"])
        if user is None:
            failed = True
            if not locked:
                attempts.failures += 1
                if attempts.failures >= MAX_FAILURES:
                    attempts.locked_until, attempts.failures = now + dt.timedelta(minutes=LOCK_MINUTES), 0
                attempts.save()
            audit.record(name[:150], "sign_in_failed", detail="locked" if locked or attempts.locked_until else "")
        else:
            attempts.failures, attempts.locked_until = 0, None
            attempts.save()
            login(request, user)
            audit.record(request, "sign_in")
            return redirect(sign_in_step(request) or _next(request))
    elif request.method == "POST":
        failed = True
    return render(request, "isu/sign_in.html", {"form": form, "failed": failed, "next": _next(request)},
                  status=200)


@public
@require_POST
def sign_out(request):
    if request.user.is_authenticated:
        audit.record(request, "sign_out")
    logout(request)
    return redirect("login")


@allowed("signed_in", step_ok=True)
def password_change(request):
    must = request.user.profile.must_change_password
    form_class = SetPasswordForm if must else PasswordChangeForm
    form = form_class(request.user, request.POST or None, label_suffix="")
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)
        request.user.profile.must_change_password = False
        request.user.profile.save()
        audit.record(request, "password_changed")
        return redirect(sign_in_step(request) or "home")
    return render(request, "isu/password.html", {"form": form, "must": must})


def _device(user):
    device = TOTPDevice.objects.filter(user=user).order_by("-confirmed", "id").first()
    return device or TOTPDevice.objects.create(user=user, name="app", confirmed=False)


def qr_code(uri: str) -> str:
    """The enrolment link as a QR code in inline SVG: drawn on the server, no script, style or outside file."""
    svg = io.BytesIO()
    segno.make(uri, error="m").save(svg, kind="svg", xmldecl=False, scale=5, border=4, svgclass="qr", lineclass=None)
    label = escape(t("serve.otp.qr"))
    return mark_safe(svg.getvalue().decode("ascii").replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))


@allowed("signed_in", step_ok=True)
def otp_setup(request):
    """Enrol an authenticator app: a QR code to scan, or the secret as text to type in; then one code to confirm."""
    device = _device(request.user)
    if device.confirmed:
        return redirect("otp_verify")
    form = CodeForm(request.POST or None)
    wrong = False
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save()
            otp_login(request, device)
            audit.record(request, "two_factor_enrolled")
            return redirect("home")
        wrong = True
    secret = base64.b32encode(device.bin_key).decode("ascii")
    spaced = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return render(request, "isu/otp_setup.html", {"form": form, "secret": spaced, "wrong": wrong,
                                                  "uri": device.config_url, "qr": qr_code(device.config_url)})


@allowed("signed_in", step_ok=True)
def otp_verify(request):
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect("otp_setup")
    form = CodeForm(request.POST or None)
    wrong = False
    if request.method == "POST" and form.is_valid():
        if device.verify_is_allowed()[0] and device.verify_token(form.cleaned_data["code"]):
            otp_login(request, device)
            audit.record(request, "two_factor_verified")
            return redirect(_next(request) if request.POST.get("next") else "home")
        wrong = True
        audit.record(request, "two_factor_failed")
    return render(request, "isu/otp_verify.html", {"form": form, "wrong": wrong})


@public
@require_POST
def language(request):
    chosen = request.POST.get("language")
    if chosen in LANGUAGES:
        request.session["language"] = chosen
    back = request.POST.get("next", "/")
    return redirect(back if url_has_allowed_host_and_scheme(back, allowed_hosts=None) and back.startswith("/") else "/")
