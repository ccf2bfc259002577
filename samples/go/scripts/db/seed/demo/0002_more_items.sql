-- More items on top of the minimal ones. Idempotent.
INSERT INTO app.items (name)
SELECT v.name
FROM (VALUES ('yellow'), ('cyan'), ('magenta'), ('white'), ('black'), ('orange')) AS v(name)
WHERE NOT EXISTS (SELECT 1 FROM app.items i WHERE i.name = v.name);
