package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// BuildInfo is set at link time (-ldflags -X) by docker/go/Dockerfile's build stage.
type BuildInfo struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	BuildTime string `json:"buildTime"`
}

type api struct {
	items    Items
	counters Counters
	build    BuildInfo
	log      *slog.Logger
}

// routes: Go 1.22's pattern mux (method and path), no router module needed.
func (a *api) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", a.health)
	mux.HandleFunc("GET /hello", a.hello)
	mux.HandleFunc("GET /items", a.listItems)
	mux.HandleFunc("POST /items", a.addItem)
	mux.HandleFunc("POST /visits", a.visit)
	mux.HandleFunc("GET /version", a.version)
	return mux
}

func (a *api) health(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	status, code := map[string]string{"database": "ok", "cache": "ok"}, http.StatusOK
	if err := a.items.Ping(ctx); err != nil {
		status["database"], code = err.Error(), http.StatusServiceUnavailable
	}
	if err := a.counters.Ping(ctx); err != nil {
		status["cache"], code = err.Error(), http.StatusServiceUnavailable
	}
	writeJSON(w, code, status)
}

func (a *api) hello(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"message": greeting})
}

func (a *api) listItems(w http.ResponseWriter, r *http.Request) {
	items, err := a.items.List(r.Context())
	if err != nil {
		a.fail(w, "list items", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (a *api) addItem(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name string `json:"name"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&body); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "expected {\"name\": \"...\"}"})
		return
	}
	body.Name = strings.TrimSpace(body.Name)
	if body.Name == "" || len(body.Name) > 200 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "name must be 1 to 200 characters"})
		return
	}
	item, err := a.items.Add(r.Context(), body.Name)
	if errors.Is(err, ErrDuplicate) {
		writeJSON(w, http.StatusConflict, map[string]string{"error": err.Error()})
		return
	}
	if err != nil {
		a.fail(w, "add item", err)
		return
	}
	writeJSON(w, http.StatusCreated, item)
}

// visit counts in Redis: INCR is atomic, so concurrent requests never lose a visit.
func (a *api) visit(w http.ResponseWriter, r *http.Request) {
	count, err := a.counters.Incr(r.Context(), "visits")
	if err != nil {
		a.fail(w, "count visit", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int64{"visits": count})
}

func (a *api) version(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, a.build)
}

func (a *api) fail(w http.ResponseWriter, what string, err error) {
	a.log.Error(what, "error", err)
	writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": what + " failed"})
}

func writeJSON(w http.ResponseWriter, code int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}
