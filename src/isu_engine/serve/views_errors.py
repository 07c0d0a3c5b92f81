"""Error pages in the request's language, without technical detail."""

from django.shortcuts import render


def forbidden(request, exception=None):
    return render(request, "isu/error.html", {"key": "serve.error.forbidden"}, status=403)


def not_found(request, exception=None):
    return render(request, "isu/error.html", {"key": "serve.error.not_found"}, status=404)


def server_error(request):
    return render(request, "isu/error.html", {"key": "serve.error.server"}, status=500)
