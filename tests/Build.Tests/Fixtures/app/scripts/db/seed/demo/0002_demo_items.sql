INSERT INTO app.items (id, name) VALUES (2, 'second'), (3, 'third') ON CONFLICT (id) DO NOTHING;
