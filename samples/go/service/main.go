// The Go sample: a standard-library HTTP API with PostgreSQL (app.items) and Redis (a visit counter).
//
//	app                serve on $PORT (8080); pprof on $PPROF_ADDR when set (the dev overlay sets :6060)
//	app -healthcheck   GET /healthz on $PORT and exit 0 when it answers 200: the image's HEALTHCHECK,
//	                   so the final image needs no curl or shell
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof/ on http.DefaultServeMux, served only on PPROF_ADDR
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"example.com/kit-go-sample/internal/postgres"
	"example.com/kit-go-sample/internal/redis"
)

// Set by the build stage: -ldflags "-X main.version=... -X main.commit=... -X main.buildTime=...".
var (
	version   = "dev"
	commit    = "unknown"
	buildTime = "unknown"
)

func main() {
	healthcheck := flag.Bool("healthcheck", false, "probe GET /healthz on $PORT and exit 0 when healthy")
	flag.Parse()
	port := env("PORT", "8080")
	if *healthcheck {
		os.Exit(probe("http://127.0.0.1:" + port + env("HEALTH_PATH", "/healthz")))
	}
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	if err := run(log, port); err != nil {
		log.Error("stopped", "error", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger, port string) error {
	databasePort, err := strconv.Atoi(env("POSTGRES_PORT", "5432"))
	if err != nil {
		return fmt.Errorf("POSTGRES_PORT: %w", err)
	}
	service := &api{
		items: postgresItems{config: postgres.Config{
			Host:     env("POSTGRES_HOST", "127.0.0.1"),
			Port:     databasePort,
			Database: env("POSTGRES_DB", "app"),
			User:     env("POSTGRES_USER", "app"),
			Password: os.Getenv("POSTGRES_PASSWORD"),
		}},
		counters: redisCounters{client: redis.Client{Address: env("REDIS_ADDR", "127.0.0.1:6379")}},
		build:    BuildInfo{Version: version, Commit: commit, BuildTime: buildTime},
		log:      log,
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	if address := os.Getenv("PPROF_ADDR"); address != "" {
		// A listener of its own: the profiles never share the api's port, and production leaves it off.
		go func() {
			log.Info("pprof listening", "address", address, "path", "/debug/pprof/")
			if err := http.ListenAndServe(address, http.DefaultServeMux); err != nil {
				log.Error("pprof stopped", "error", err)
			}
		}()
	}

	server := &http.Server{
		Addr:              ":" + port,
		Handler:           service.routes(),
		ReadHeaderTimeout: 5 * time.Second,
	}
	failed := make(chan error, 1)
	go func() { failed <- server.ListenAndServe() }()
	log.Info("listening", "port", port, "version", version, "commit", commit)

	select {
	case err := <-failed:
		return err
	case <-ctx.Done():
	}
	// Stop at once on the first signal: compose stop and the dev watcher's restart both wait for this.
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := server.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func probe(url string) int {
	client := http.Client{Timeout: 4 * time.Second}
	response, err := client.Get(url)
	if err != nil {
		fmt.Fprintln(os.Stderr, "healthcheck:", err)
		return 1
	}
	defer response.Body.Close()
	if response.StatusCode != http.StatusOK {
		fmt.Fprintln(os.Stderr, "healthcheck:", url, "answered", response.Status)
		return 1
	}
	return 0
}

func env(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}
