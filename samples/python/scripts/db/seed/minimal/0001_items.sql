-- Three items on the axes: enough to see the nearest-neighbour query answer. Idempotent: inserts only missing names.
INSERT INTO app.items (name, embedding)
SELECT v.name, v.embedding::public.vector
FROM (VALUES
    ('red', '[1,0,0]'),
    ('green', '[0,1,0]'),
    ('blue', '[0,0,1]')
) AS v(name, embedding)
WHERE NOT EXISTS (SELECT 1 FROM app.items i WHERE i.name = v.name);
