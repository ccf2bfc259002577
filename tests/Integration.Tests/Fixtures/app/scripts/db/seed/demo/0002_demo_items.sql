-- Demo data: 100 numbered items on top of the minimal ones, spread over the last 100 days. Idempotent.
INSERT INTO app.items (name, description, created_at)
SELECT format('Demo item %s', n), format('Item number %s of the demo data', n), now() - make_interval(days => 100 - n)
FROM generate_series(1, 100) AS n
WHERE NOT EXISTS (SELECT 1 FROM app.items i WHERE i.name = format('Demo item %s', n));
