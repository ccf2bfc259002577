-- The sample service's schema: items with a 3-dimensional embedding, searched by nearest neighbour.
-- The extension lives in public, outside the schemas DbReset recreates, so a reset keeps it; IF NOT EXISTS
-- because DbReset clears the migration history and this file runs again.
CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;

-- IF NOT EXISTS on the schema: DbReset recreates the (empty) schema before migrating.
CREATE SCHEMA IF NOT EXISTS app;

CREATE TABLE app.items (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE,
    embedding public.vector(3) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
