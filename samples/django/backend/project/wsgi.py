"""The WSGI application gunicorn serves (APP_MODULE=project.wsgi:application, APP_SERVER=wsgi)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
application = get_wsgi_application()
