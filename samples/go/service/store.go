package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/kit-go-sample/internal/postgres"
	"example.com/kit-go-sample/internal/redis"
)

// Item is one row of app.items.
type Item struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"createdAt"`
}

// Items is what the api needs of PostgreSQL.
type Items interface {
	List(ctx context.Context) ([]Item, error)
	Add(ctx context.Context, name string) (Item, error)
	Ping(ctx context.Context) error
}

// Counters is what the api needs of Redis.
type Counters interface {
	Incr(ctx context.Context, key string) (int64, error)
	Ping(ctx context.Context) error
}

// ErrDuplicate: an item of that name exists (unique_violation).
var ErrDuplicate = errors.New("an item of that name exists")

// postgresItems opens a session per call, as the Python sample does: after DbReset or Restore end every
// session, the next request simply connects again (no pool to heal).
type postgresItems struct {
	config postgres.Config
}

func (p postgresItems) exec(ctx context.Context, sql string, parameters ...string) (*postgres.Result, error) {
	conn, err := postgres.Connect(ctx, p.config)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return conn.Exec(ctx, sql, parameters...)
}

func (p postgresItems) Ping(ctx context.Context) error {
	_, err := p.exec(ctx, "SELECT 1")
	return err
}

func (p postgresItems) List(ctx context.Context) ([]Item, error) {
	result, err := p.exec(ctx, "SELECT id, name, created_at FROM app.items ORDER BY id")
	if err != nil {
		return nil, err
	}
	items := make([]Item, 0, len(result.Rows))
	for _, row := range result.Rows {
		item, err := scanItem(row)
		if err != nil {
			return nil, err
		}
		items = append(items, item)
	}
	return items, nil
}

func (p postgresItems) Add(ctx context.Context, name string) (Item, error) {
	result, err := p.exec(ctx, "INSERT INTO app.items (name) VALUES ($1) RETURNING id, name, created_at", name)
	var failure *postgres.Error
	if errors.As(err, &failure) && failure.Code == "23505" {
		return Item{}, ErrDuplicate
	}
	if err != nil {
		return Item{}, err
	}
	if len(result.Rows) != 1 {
		return Item{}, fmt.Errorf("INSERT returned %d rows", len(result.Rows))
	}
	return scanItem(result.Rows[0])
}

// scanItem reads id, name, created_at in PostgreSQL's text format (timestamptz as ISO 8601, DateStyle ISO).
func scanItem(row []postgres.Value) (Item, error) {
	if len(row) != 3 {
		return Item{}, fmt.Errorf("expected 3 columns, got %d", len(row))
	}
	id, err := strconv.ParseInt(row[0].Text, 10, 64)
	if err != nil {
		return Item{}, fmt.Errorf("id %q: %w", row[0].Text, err)
	}
	created, err := time.Parse("2006-01-02 15:04:05.999999999-07", row[2].Text)
	if err != nil {
		return Item{}, fmt.Errorf("created_at %q: %w", row[2].Text, err)
	}
	return Item{ID: id, Name: row[1].Text, CreatedAt: created.UTC()}, nil
}

// redisCounters wraps the RESP client.
type redisCounters struct {
	client redis.Client
}

func (r redisCounters) Incr(ctx context.Context, key string) (int64, error) {
	return r.client.Incr(ctx, key)
}
func (r redisCounters) Ping(ctx context.Context) error { return r.client.Ping(ctx) }
