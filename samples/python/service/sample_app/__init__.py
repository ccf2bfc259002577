"""The kit's Python sample: a FastAPI API and a Redis-queue worker over PostgreSQL with pgvector."""
