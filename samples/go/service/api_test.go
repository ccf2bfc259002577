package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"example.com/kit-go-sample/internal/postgres"
)

type fakeItems struct {
	items []Item
	down  error
}

func (f *fakeItems) List(context.Context) ([]Item, error) { return f.items, f.down }
func (f *fakeItems) Ping(context.Context) error           { return f.down }
func (f *fakeItems) Add(_ context.Context, name string) (Item, error) {
	if f.down != nil {
		return Item{}, f.down
	}
	for _, item := range f.items {
		if item.Name == name {
			return Item{}, ErrDuplicate
		}
	}
	item := Item{ID: int64(len(f.items) + 1), Name: name}
	f.items = append(f.items, item)
	return item, nil
}

type fakeCounters struct {
	counts map[string]int64
	down   error
}

func (f *fakeCounters) Ping(context.Context) error { return f.down }
func (f *fakeCounters) Incr(_ context.Context, key string) (int64, error) {
	if f.down != nil {
		return 0, f.down
	}
	f.counts[key]++
	return f.counts[key], nil
}

func newTestAPI() (*api, *fakeItems, *fakeCounters) {
	items := &fakeItems{items: []Item{{ID: 1, Name: "red"}}}
	counters := &fakeCounters{counts: map[string]int64{}}
	return &api{items: items, counters: counters, build: BuildInfo{Version: "1.2.3", Commit: "abc"}, log: slog.New(slog.NewTextHandler(io.Discard, nil))}, items, counters
}

func call(t *testing.T, a *api, method, path, body string) (int, map[string]any) {
	t.Helper()
	recorder := httptest.NewRecorder()
	a.routes().ServeHTTP(recorder, httptest.NewRequest(method, path, strings.NewReader(body)))
	var decoded map[string]any
	if err := json.Unmarshal(recorder.Body.Bytes(), &decoded); err != nil {
		t.Fatalf("%s %s: not JSON: %q", method, path, recorder.Body.String())
	}
	return recorder.Code, decoded
}

func TestHealthIsOKWhenDatabaseAndCacheAnswer(t *testing.T) {
	a, _, _ := newTestAPI()
	code, body := call(t, a, "GET", "/healthz", "")
	if code != http.StatusOK || body["database"] != "ok" || body["cache"] != "ok" {
		t.Fatalf("GET /healthz = %d %v", code, body)
	}
}

func TestHealthIs503WhenTheCacheIsDown(t *testing.T) {
	a, _, counters := newTestAPI()
	counters.down = errors.New("connection refused")
	code, body := call(t, a, "GET", "/healthz", "")
	if code != http.StatusServiceUnavailable || body["database"] != "ok" || body["cache"] != "connection refused" {
		t.Fatalf("GET /healthz = %d %v", code, body)
	}
}

func TestHelloAnswersTheGreeting(t *testing.T) {
	a, _, _ := newTestAPI()
	if code, body := call(t, a, "GET", "/hello", ""); code != http.StatusOK || body["message"] != greeting {
		t.Fatalf("GET /hello = %d %v", code, body)
	}
}

func TestAddItemStoresItAndRefusesADuplicate(t *testing.T) {
	a, items, _ := newTestAPI()
	if code, body := call(t, a, "POST", "/items", `{"name":" teal "}`); code != http.StatusCreated || body["name"] != "teal" {
		t.Fatalf("POST /items = %d %v", code, body)
	}
	if len(items.items) != 2 {
		t.Fatalf("items = %v", items.items)
	}
	if code, _ := call(t, a, "POST", "/items", `{"name":"teal"}`); code != http.StatusConflict {
		t.Fatalf("duplicate POST /items = %d, want 409", code)
	}
}

func TestAddItemRefusesAnEmptyNameAndBadJSON(t *testing.T) {
	a, _, _ := newTestAPI()
	for _, body := range []string{`{"name":"  "}`, `not json`} {
		if code, _ := call(t, a, "POST", "/items", body); code != http.StatusBadRequest {
			t.Fatalf("POST /items %s = %d, want 400", body, code)
		}
	}
}

func TestVisitsCountInTheCache(t *testing.T) {
	a, _, _ := newTestAPI()
	call(t, a, "POST", "/visits", "")
	if code, body := call(t, a, "POST", "/visits", ""); code != http.StatusOK || body["visits"] != float64(2) {
		t.Fatalf("POST /visits = %d %v", code, body)
	}
}

func TestListItemsIs503WhenTheDatabaseIsDown(t *testing.T) {
	a, items, _ := newTestAPI()
	items.down = errors.New("no route to host")
	if code, body := call(t, a, "GET", "/items", ""); code != http.StatusServiceUnavailable || strings.Contains(body["error"].(string), "route") {
		t.Fatalf("GET /items = %d %v (the cause is logged, not shown)", code, body)
	}
}

func TestVersionAnswersTheBuildInfo(t *testing.T) {
	a, _, _ := newTestAPI()
	if code, body := call(t, a, "GET", "/version", ""); code != http.StatusOK || body["version"] != "1.2.3" || body["commit"] != "abc" {
		t.Fatalf("GET /version = %d %v", code, body)
	}
}

func TestScanItemReadsPostgresTextFormat(t *testing.T) {
	item, err := scanItem([]postgres.Value{{Text: "7"}, {Text: "teal"}, {Text: "2026-12-01 05:31:52.123456+00"}})
	if err != nil {
		t.Fatal(err)
	}
	if item.ID != 7 || item.Name != "teal" || !item.CreatedAt.Equal(time.Date(2026, 12, 1, 5, 31, 52, 123456000, time.UTC)) {
		t.Fatalf("item = %+v", item)
	}
}

func TestProbeIsZeroOnlyFor200(t *testing.T) {
	healthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer healthy.Close()
	sick := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(503) }))
	defer sick.Close()
	if probe(healthy.URL) != 0 || probe(sick.URL) != 1 || probe("http://127.0.0.1:1/") != 1 {
		t.Fatal("probe does not follow the status")
	}
}
