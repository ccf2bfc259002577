from django.contrib import admin
from django.contrib.staticfiles.views import serve as serve_static
from django.urls import path, re_path

from jobs import views

urlpatterns = [
    path("", views.index),
    path("healthz", views.healthz),
    path("api/jobs", views.jobs),
    path("api/jobs/<int:job_id>", views.job),
    path("api/heartbeat", views.heartbeat_view),
    path("api/version", views.version),
    path("admin/", admin.site.urls),
    # The admin's CSS and scripts from the installed apps (staticfiles' finders), so the admin is styled under gunicorn
    # too (runserver serves them itself in dev). Fine for the sample's few files; a busy site collects them
    # (collectstatic) and serves them from nginx or WhiteNoise instead.
    re_path(r"^static/(?P<path>.*)$", serve_static, {"insecure": True}),
]
