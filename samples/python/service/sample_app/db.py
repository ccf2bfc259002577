"""PostgreSQL access. One short connection per unit of work: after DbReset or Restore end every session, the next
request simply connects again (a pool would hand out dead connections first)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, List, Sequence

import psycopg

from .embeddings import from_literal, to_literal
from .settings import Settings


@contextmanager
def connect(settings: Settings) -> Iterator[psycopg.Connection]:
    with psycopg.connect(**settings.connection_arguments()) as connection:
        yield connection


def _item(row) -> dict:
    item = {"id": row[0], "name": row[1], "embedding": from_literal(row[2])}
    if len(row) > 3:
        item["distance"] = round(float(row[3]), 6)
    return item


def ping(settings: Settings) -> None:
    with connect(settings) as connection:
        connection.execute("SELECT 1")


def list_items(settings: Settings, limit: int) -> List[dict]:
    with connect(settings) as connection:
        rows = connection.execute(
            "SELECT id, name, embedding::text FROM app.items ORDER BY id LIMIT %s", (limit,)
        ).fetchall()
    return [_item(r) for r in rows]


def add_item(settings: Settings, name: str, embedding: Sequence[float]) -> dict:
    """Inserts or, for a name already there, updates the embedding: the worker may see a message twice."""
    with connect(settings) as connection:
        row = connection.execute(
            "INSERT INTO app.items (name, embedding) VALUES (%s, %s::vector) "
            "ON CONFLICT (name) DO UPDATE SET embedding = EXCLUDED.embedding "
            "RETURNING id, name, embedding::text",
            (name, to_literal(embedding)),
        ).fetchone()
    return _item(row)


def nearest(settings: Settings, embedding: Sequence[float], k: int) -> List[dict]:
    """The k items closest to embedding by Euclidean distance (pgvector's <->)."""
    literal = to_literal(embedding)
    with connect(settings) as connection:
        rows = connection.execute(
            "SELECT id, name, embedding::text, embedding <-> %s::vector AS distance "
            "FROM app.items ORDER BY embedding <-> %s::vector LIMIT %s",
            (literal, literal, k),
        ).fetchall()
    return [_item(r) for r in rows]
