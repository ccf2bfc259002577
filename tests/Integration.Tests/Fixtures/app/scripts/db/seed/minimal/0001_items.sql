-- A handful of items: enough to see the API answer. Idempotent: inserts only the names that are missing.
INSERT INTO app.items (name, description)
SELECT v.name, v.description
FROM (VALUES
    ('Welcome', 'The first item of the sample service'),
    ('Second item', 'Seeded by the minimal profile'),
    ('Third item', NULL)
) AS v(name, description)
WHERE NOT EXISTS (SELECT 1 FROM app.items i WHERE i.name = v.name);
