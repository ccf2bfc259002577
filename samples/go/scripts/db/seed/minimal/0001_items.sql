-- Three items: enough to see GET /items answer. Idempotent: inserts only missing names.
INSERT INTO app.items (name)
SELECT v.name
FROM (VALUES ('red'), ('green'), ('blue')) AS v(name)
WHERE NOT EXISTS (SELECT 1 FROM app.items i WHERE i.name = v.name);
