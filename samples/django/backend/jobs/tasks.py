"""Celery tasks: the worker runs them; the web app enqueues process_job, beat schedules heartbeat."""
import socket

import redis
from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .models import Job

# Stamped on every job this code processes: after an edit of this file the restarted worker stamps the new value.
PROCESSOR = "jobs-v1"

HEARTBEAT_KEY = "sample:heartbeat"


@shared_task
def process_job(job_id):
    job = Job.objects.get(pk=job_id)
    job.words = len(job.text.split())
    job.status = Job.DONE
    job.processed_by = f"{PROCESSOR}@{socket.gethostname()}"
    job.finished = timezone.now()
    job.save(update_fields=["words", "status", "processed_by", "finished"])
    return job.words


@shared_task
def heartbeat():
    """Scheduled by beat: counts its runs and keeps the time of the last, which GET /api/heartbeat shows."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    beats = client.incr(HEARTBEAT_KEY + ":count")
    client.set(HEARTBEAT_KEY + ":last", timezone.now().isoformat())
    return beats
