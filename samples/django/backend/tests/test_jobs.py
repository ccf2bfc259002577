"""Unit tests that need no database or broker: the task's word count and the API's input checks."""
import json

from django.test import Client, SimpleTestCase

from jobs import tasks
from jobs.models import Job


class WordCountTests(SimpleTestCase):
    def test_a_job_serialises_its_processing_stamp(self):
        job = Job(id=7, text="a b c", status=Job.DONE, words=3, processed_by=tasks.PROCESSOR)
        self.assertEqual(job.as_json()["processedBy"], tasks.PROCESSOR)
        self.assertEqual(job.as_json()["words"], 3)


class ApiInputTests(SimpleTestCase):
    def test_a_job_without_text_is_refused(self):
        response = Client().post("/api/jobs", data=json.dumps({}), content_type="application/json")
        self.assertEqual(response.status_code, 400)

    def test_a_job_that_is_not_json_is_refused(self):
        response = Client().post("/api/jobs", data="not json", content_type="application/json")
        self.assertEqual(response.status_code, 400)
