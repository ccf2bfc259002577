"""Settings from the environment, read once. Compose passes each part on its own (see compose/compose.yaml)."""

from __future__ import annotations

import os
from dataclasses import dataclass


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    return value in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    postgres_host: str
    postgres_port: int
    postgres_db: str
    postgres_user: str
    postgres_password: str
    redis_url: str
    queue: str
    # On (the default): embeddings are computed locally, so the sample needs no cloud credentials.
    mock_mode: bool
    embedding_url: str
    embedding_api_key: str
    version: str
    commit: str

    @classmethod
    def from_environment(cls) -> "Settings":
        return cls(
            postgres_host=os.environ.get("POSTGRES_HOST", "db"),
            postgres_port=int(os.environ.get("POSTGRES_PORT", "5432")),
            postgres_db=os.environ.get("POSTGRES_DB", "app"),
            postgres_user=os.environ.get("POSTGRES_USER", "app"),
            postgres_password=os.environ.get("POSTGRES_PASSWORD", ""),
            redis_url=os.environ.get("REDIS_URL", "redis://cache:6379/0"),
            queue=os.environ.get("ITEMS_QUEUE", "items:to-embed"),
            mock_mode=_flag("MOCK_MODE", True),
            embedding_url=os.environ.get("EMBEDDING_URL", ""),
            embedding_api_key=os.environ.get("EMBEDDING_API_KEY", ""),
            version=os.environ.get("APP_VERSION", "dev"),
            commit=os.environ.get("APP_COMMIT", "unknown"),
        )

    def connection_arguments(self) -> dict:
        # Keyword arguments, not a URL: a password with @ / : or % needs no escaping.
        return {
            "host": self.postgres_host,
            "port": self.postgres_port,
            "dbname": self.postgres_db,
            "user": self.postgres_user,
            "password": self.postgres_password,
            "connect_timeout": 5,
            "application_name": "python-sample",
        }
