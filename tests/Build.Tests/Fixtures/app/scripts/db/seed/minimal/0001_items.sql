INSERT INTO app.items (id, name) VALUES (1, 'first') ON CONFLICT (id) DO NOTHING;
