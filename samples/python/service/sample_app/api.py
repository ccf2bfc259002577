"""The HTTP API: health, items, and the nearest-neighbour query."""

from __future__ import annotations

import json
from typing import List, Optional

import redis
from fastapi import FastAPI, HTTPException, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from . import db
from .embeddings import DIMENSIONS, embed, validate
from .settings import Settings

settings = Settings.from_environment()
app = FastAPI(title="python-sample", version=settings.version)
queue = redis.Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=5)


class NewItem(BaseModel):
    name: str
    # Omitted: the worker computes it (queued, answered 202); given: stored at once (201).
    embedding: Optional[List[float]] = None


def _parse_embedding(text: str) -> List[float]:
    try:
        return validate([float(v) for v in text.split(",")])
    except ValueError as error:
        raise HTTPException(status_code=422, detail=f"embedding: {DIMENSIONS} comma-separated numbers ({error})")


@app.get("/healthz")
def healthz():
    checks = {}
    for name, probe in (("database", lambda: db.ping(settings)), ("queue", queue.ping)):
        try:
            probe()
            checks[name] = "ok"
        except Exception as error:  # noqa: BLE001 - any failure makes the service unhealthy
            checks[name] = f"failed: {type(error).__name__}"
    healthy = all(v == "ok" for v in checks.values())
    body = {"status": "ok" if healthy else "unhealthy", "mockMode": settings.mock_mode, **checks}
    return JSONResponse(body, status_code=200 if healthy else 503)


@app.get("/version")
def version():
    return {"version": settings.version, "commit": settings.commit}


@app.get("/items")
def items(limit: int = Query(default=100, ge=1, le=1000)):
    return db.list_items(settings, limit)


@app.post("/items")
def add_item(item: NewItem):
    name = item.name.strip()
    if not name:
        raise HTTPException(status_code=422, detail="name: must not be empty")
    if item.embedding is not None:
        try:
            embedding = validate(item.embedding)
        except ValueError as error:
            raise HTTPException(status_code=422, detail=f"embedding: {error}")
        return JSONResponse(db.add_item(settings, name, embedding), status_code=201)
    queue.rpush(settings.queue, json.dumps({"name": name}))
    return JSONResponse({"queued": name, "queue": settings.queue}, status_code=202)


@app.get("/items/nearest")
def nearest(
    embedding: Optional[str] = Query(default=None, description="three comma-separated numbers, e.g. 1,0,0"),
    text: Optional[str] = Query(default=None, description="embedded first (mock mode: locally)"),
    k: int = Query(default=3, ge=1, le=100),
):
    if (embedding is None) == (text is None):
        raise HTTPException(status_code=422, detail="give exactly one of embedding or text")
    vector = _parse_embedding(embedding) if embedding is not None else embed(text, settings)
    return {"query": vector, "k": k, "items": db.nearest(settings, vector, k)}
