from django.contrib import admin
from django.urls import path

from jobs import views

urlpatterns = [
    path("", views.index),
    path("healthz", views.healthz),
    path("api/jobs", views.jobs),
    path("api/jobs/<int:job_id>", views.job),
    path("api/heartbeat", views.heartbeat_view),
    path("api/version", views.version),
    path("admin/", admin.site.urls),
]
