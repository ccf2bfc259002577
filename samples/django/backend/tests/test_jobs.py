"""Unit tests that need no database or broker: a job's JSON and the API's input checks (plain functions, so
pytest-django sets up no test database; the views are called directly)."""
import json

from django.test import RequestFactory

from jobs import tasks, views
from jobs.models import Job


def test_a_job_serialises_its_processing_stamp():
    job = Job(id=7, text="a b c", status=Job.DONE, words=3, processed_by=tasks.PROCESSOR)

    assert job.as_json()["processedBy"] == tasks.PROCESSOR
    assert job.as_json()["words"] == 3


def test_a_job_without_text_is_refused():
    request = RequestFactory().post("/api/jobs", data=json.dumps({}), content_type="application/json")

    assert views.jobs(request).status_code == 400


def test_a_job_that_is_not_json_is_refused():
    request = RequestFactory().post("/api/jobs", data="not json", content_type="application/json")

    assert views.jobs(request).status_code == 400
