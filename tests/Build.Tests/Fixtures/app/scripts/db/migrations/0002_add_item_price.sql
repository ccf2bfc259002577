ALTER TABLE app.items ADD COLUMN IF NOT EXISTS price numeric(10, 2);
