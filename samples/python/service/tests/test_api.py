"""The API without a database: FastAPI's TestClient (httpx) and the request validation that needs no connection."""

import pytest

pytest.importorskip("httpx")

from fastapi.testclient import TestClient  # noqa: E402

from sample_app.api import app  # noqa: E402

client = TestClient(app)


def test_nearest_needs_exactly_one_of_embedding_or_text():
    assert client.get("/items/nearest").status_code == 422
    assert client.get("/items/nearest?embedding=1,0,0&text=red").status_code == 422


def test_nearest_refuses_a_wrong_dimension():
    assert client.get("/items/nearest?embedding=1,0").status_code == 422


def test_version_answers_without_a_database():
    assert client.get("/version").json()["version"]
