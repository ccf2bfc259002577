-- Fixture migration: only its name and order matter to the unit tests' golden plans.
CREATE TABLE IF NOT EXISTS app.items (id integer PRIMARY KEY, name text NOT NULL);
