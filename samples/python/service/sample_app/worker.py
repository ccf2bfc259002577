"""The worker: takes item names off a Redis list, embeds them and writes them to PostgreSQL.

    python -m sample_app.worker                # run until SIGTERM/SIGINT
    python -m sample_app.worker --healthcheck  # exit 0 when Redis and PostgreSQL answer (compose health check)
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import time

import redis

from . import db
from .embeddings import embed
from .settings import Settings

log = logging.getLogger("worker")


class Worker:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.queue = redis.Redis.from_url(settings.redis_url, socket_timeout=10, socket_connect_timeout=5)
        self.stopping = False

    def stop(self, *_: object) -> None:
        log.info("stopping after the current message")
        self.stopping = True

    def handle(self, payload: bytes) -> None:
        message = json.loads(payload)
        name = message["name"]
        item = db.add_item(self.settings, name, embed(name, self.settings))
        log.info("stored %s as %s", name, item["embedding"])

    def run(self) -> None:
        log.info("consuming %s (mock mode: %s)", self.settings.queue, self.settings.mock_mode)
        while not self.stopping:
            try:
                # A short timeout, so a stop request is seen within seconds.
                popped = self.queue.blpop([self.settings.queue], timeout=2)
            except redis.RedisError as error:
                log.warning("queue unavailable (%s); retrying", error)
                time.sleep(2)
                continue
            if popped is None:
                continue
            _, payload = popped
            try:
                self.handle(payload)
            except Exception:  # noqa: BLE001 - keep the message and go on
                log.exception("could not store a message; put back for a later attempt")
                self.queue.rpush(self.settings.queue, payload)
                time.sleep(2)


def healthcheck(settings: Settings) -> int:
    try:
        redis.Redis.from_url(settings.redis_url, socket_timeout=3, socket_connect_timeout=3).ping()
        db.ping(settings)
    except Exception as error:  # noqa: BLE001
        print(f"unhealthy: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    return 0


def main(argv: list) -> int:
    settings = Settings.from_environment()
    if "--healthcheck" in argv:
        return healthcheck(settings)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    worker = Worker(settings)
    signal.signal(signal.SIGTERM, worker.stop)
    signal.signal(signal.SIGINT, worker.stop)
    worker.run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
