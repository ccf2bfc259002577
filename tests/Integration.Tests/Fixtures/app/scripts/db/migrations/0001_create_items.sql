-- The sample service's schema. The API reads and writes exactly this table.
-- IF NOT EXISTS on the schema: DbReset recreates the (empty) schema before migrating.
CREATE SCHEMA IF NOT EXISTS app;

CREATE TABLE app.items (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    description text,
    created_at timestamptz NOT NULL DEFAULT now()
);
