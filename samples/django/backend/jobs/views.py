"""A small JSON API: queue a job, read it back once the worker has processed it; beat's heartbeat; health."""
import json
import os

import redis
from django.conf import settings
from django.db import connection, transaction
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from . import tasks
from .models import Job

# What GET /api/version says served it: edited by scripts/bench/hot-reload.d/django.sh to time runserver's reload.
SERVICE = "django-sample"


@require_GET
def index(request):
    return HttpResponse(
        "<!doctype html><title>Django sample</title><h1>Django sample</h1>"
        "<p><code>POST /api/jobs {\"text\": \"...\"}</code> queues a job for the Celery worker; "
        "<a href=\"/api/jobs\">/api/jobs</a>, <a href=\"/api/heartbeat\">/api/heartbeat</a>, "
        "<a href=\"/admin/\">/admin/</a>.</p>"
    )


@require_GET
def healthz(request):
    """200 when PostgreSQL and Redis answer, else 503 naming the one that did not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # noqa: BLE001 - any failure is "unhealthy"
        return JsonResponse({"status": "unhealthy", "database": str(error)}, status=503)
    try:
        redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=3).ping()
    except Exception as error:  # noqa: BLE001
        return JsonResponse({"status": "unhealthy", "broker": str(error)}, status=503)
    return JsonResponse({"status": "ok"})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def jobs(request):
    if request.method == "GET":
        return JsonResponse({"jobs": [job.as_json() for job in Job.objects.order_by("-id")[:50]]})
    try:
        text = str(json.loads(request.body or b"{}")["text"]).strip()
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": 'send {"text": "..."}'}, status=400)
    if not text:
        return JsonResponse({"error": "text is empty"}, status=400)
    job = Job.objects.create(text=text[:500])
    # Queued once the row is committed, so the worker always finds it.
    transaction.on_commit(lambda: tasks.process_job.delay(job.id))
    return JsonResponse(job.as_json(), status=202, headers={"Location": f"/api/jobs/{job.id}"})


@require_GET
def job(request, job_id):
    found = Job.objects.filter(pk=job_id).first()
    if found is None:
        return JsonResponse({"error": f"no job {job_id}"}, status=404)
    return JsonResponse(found.as_json())


@require_GET
def heartbeat_view(request):
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=3)
    count, last = client.get(tasks.HEARTBEAT_KEY + ":count"), client.get(tasks.HEARTBEAT_KEY + ":last")
    return JsonResponse({"beats": int(count or 0), "last": last.decode() if last else None})


@require_GET
def version(request):
    return JsonResponse(
        {"service": SERVICE, "version": os.environ.get("APP_VERSION", "dev"), "commit": os.environ.get("APP_COMMIT", "unknown")}
    )
