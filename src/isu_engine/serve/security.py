"""Response headers (CSP without inline script), the signed-in user, the language of each request, and what
every page gets."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from isu_engine.i18n import LANGUAGES
from isu_engine.serve.language import set_language, t

APP_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
           "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
REPORT_CSP = ("sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
              "form-action 'none'; frame-ancestors 'self'; base-uri 'none'")


class HeadersMiddleware:
    """Every page gets the application's CSP unless it set its own (a report sets a stricter one)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", APP_CSP)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cache-Control", "no-store")
        return response


class ProfileModelBackend(ModelBackend):
    """Django's password backend; the user of a session comes with their profile, which every request reads."""

    def get_user(self, user_id):
        try:
            user = get_user_model()._default_manager.select_related("profile").get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


def request_language(request) -> str:
    chosen = request.session.get("language") if hasattr(request, "session") else None
    if chosen in LANGUAGES:
        return chosen
    user = getattr(request, "user", None)
    profile = getattr(user, "profile", None) if user is not None and user.is_authenticated else None
    if profile is not None and profile.language in LANGUAGES:
        return profile.language
    from isu_engine.serve.models import Organisation

    return Organisation.current().language


class LanguageMiddleware:
    """Messages in the signed-in user's language (or the organisation's)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils import translation

        request.language = request_language(request)
        set_language(request.language)
        translation.activate(request.language)
        return self.get_response(request)


def page_context(request) -> dict:
    from isu_engine.serve.roles import is_administrator, sign_in_step

    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated and hasattr(user, "profile")
                     and sign_in_step(request) is None)
    return {"language": getattr(request, "language", "sv"), "signed_in": signed_in,
            "is_administrator": signed_in and is_administrator(user), "app_title": t("serve.app_title")}
