-- The mixed colours on top of the minimal items, so a query has near and far neighbours. Idempotent.
INSERT INTO app.items (name, embedding)
SELECT v.name, v.embedding::public.vector
FROM (VALUES
    ('yellow', '[1,1,0]'),
    ('cyan', '[0,1,1]'),
    ('magenta', '[1,0,1]'),
    ('white', '[1,1,1]'),
    ('black', '[0,0,0]'),
    ('orange', '[1,0.5,0]')
) AS v(name, embedding)
WHERE NOT EXISTS (SELECT 1 FROM app.items i WHERE i.name = v.name);
