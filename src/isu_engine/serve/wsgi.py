"""The WSGI application that the production server (waitress) runs."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isu_engine.serve.settings")

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
