"""Text to a 3-dimensional embedding: a local stand-in in mock mode, an HTTP embedding service otherwise."""

from __future__ import annotations

import hashlib
import json
import urllib.request
from typing import List, Sequence

from .settings import Settings

DIMENSIONS = 3


def mock_embedding(text: str) -> List[float]:
    """Deterministic: the same text always lands on the same point of the unit cube."""
    digest = hashlib.sha256(text.strip().lower().encode("utf-8")).digest()
    return [round(digest[i] / 255, 4) for i in range(DIMENSIONS)]


def embed(text: str, settings: Settings) -> List[float]:
    if settings.mock_mode:
        return mock_embedding(text)
    if not settings.embedding_url:
        raise RuntimeError("MOCK_MODE is off but EMBEDDING_URL is not set: set it (and EMBEDDING_API_KEY) or MOCK_MODE=1")
    request = urllib.request.Request(
        settings.embedding_url,
        data=json.dumps({"input": text, "dimensions": DIMENSIONS}).encode("utf-8"),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {settings.embedding_api_key}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return validate(json.load(response)["embedding"])


def validate(values: Sequence[float]) -> List[float]:
    if len(values) != DIMENSIONS:
        raise ValueError(f"an embedding has {DIMENSIONS} numbers, not {len(values)}")
    return [float(v) for v in values]


def to_literal(values: Sequence[float]) -> str:
    """pgvector's text form, '[1,0,0]': passed as a parameter and cast with ::vector, so no adapter is needed."""
    return "[" + ",".join(repr(float(v)) for v in validate(values)) + "]"


def from_literal(text: str) -> List[float]:
    return [float(v) for v in text.strip("[]").split(",") if v]
