from django.db import models


class Job(models.Model):
    """A piece of text the web app queues and the Celery worker processes (counts its words)."""

    QUEUED = "queued"
    DONE = "done"
    STATUSES = [(QUEUED, "queued"), (DONE, "done")]

    text = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=STATUSES, default=QUEUED)
    words = models.IntegerField(null=True, blank=True)
    # which code processed it (tasks.PROCESSOR) and on which worker: a worker restarted after an edit shows the new one
    processed_by = models.CharField(max_length=100, blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def as_json(self):
        return {
            "id": self.id,
            "text": self.text,
            "status": self.status,
            "words": self.words,
            "processedBy": self.processed_by,
            "created": self.created.isoformat() if self.created else None,
            "finished": self.finished.isoformat() if self.finished else None,
        }
