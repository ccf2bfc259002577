-- The Go sample's schema: named items. IF NOT EXISTS on the schema: DbReset recreates the (empty) schema before
-- migrating.
CREATE SCHEMA IF NOT EXISTS app;

CREATE TABLE app.items (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now()
);
