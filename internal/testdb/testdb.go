// Package testdb gives tests the real servers they need: a fresh PostgreSQL
// database per test and a Python interpreter with a given module.
//
// Without a server a test skips with a message saying what to set, so that
// `go test ./...` passes on a laptop. CI (.ci/run) starts PostgreSQL on
// loopback and sets GRADTUNE_REQUIRE_SERVERS=1: there a missing server or
// module fails the test instead, so a broken CI setup cannot pass by
// skipping everything.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// Environment variables read by this package.
const (
	// EnvPostgresURL is a postgres:// URL of a server and a database the
	// tests may connect to; the role must be allowed to CREATE DATABASE.
	EnvPostgresURL = "GRADTUNE_PG_URL"
	// EnvRequireServers = "1" turns every skip of this package into a failure.
	EnvRequireServers = "GRADTUNE_REQUIRE_SERVERS"
	// EnvPython overrides the interpreter Python tries first.
	EnvPython = "GRADTUNE_PYTHON"
)

// DefaultPython is Debian's interpreter, the one python3-optuna and
// python3-psycopg2 install into (a pyenv or venv python3 earlier on PATH
// would not see them).
const DefaultPython = "/usr/bin/python3"

// connectTimeout bounds each statement this package sends to the server.
const connectTimeout = 10 * time.Second

// Required reports whether GRADTUNE_REQUIRE_SERVERS=1, i.e. whether a
// missing server must fail the test rather than skip it.
func Required() bool { return os.Getenv(EnvRequireServers) == "1" }

// unavailable skips tb with msg, or fails it when servers are required.
func unavailable(tb testing.TB, msg string) {
	tb.Helper()
	if Required() {
		tb.Fatalf("%s (%s=1: servers are required here)", msg, EnvRequireServers)
	}
	tb.Skip(msg)
}

// Postgres returns the URL of a new, empty database on the server named by
// GRADTUNE_PG_URL, with a name unique to this call; the database is dropped
// when the test ends (connections still open to it are closed by the drop).
// It skips the test when GRADTUNE_PG_URL is unset, or fails it when
// GRADTUNE_REQUIRE_SERVERS=1. A URL that is set but malformed or
// unreachable always fails the test: whoever set it expects it to work.
func Postgres(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(EnvPostgresURL)
	if base == "" {
		unavailable(tb, fmt.Sprintf("no PostgreSQL: set %s=postgres://user@host:port/db?sslmode=disable (.ci/run starts one)", EnvPostgresURL))
		return ""
	}
	u, err := parseURL(base)
	if err != nil {
		tb.Fatalf("%s: %v", EnvPostgresURL, err)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("%s: open %s: %v", EnvPostgresURL, redact(u), err)
	}
	defer admin.Close()

	name, err := databaseName(tb.Name())
	if err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	// The name is ours ([a-z0-9_] only), so quoting it is enough: CREATE
	// DATABASE takes no bind parameters.
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+quoteIdent(name)); err != nil {
		tb.Fatalf("%s: create database %s on %s: %v", EnvPostgresURL, name, redact(u), err)
	}
	tb.Cleanup(func() { dropDatabase(tb, base, name) })

	u.Path = "/" + name
	return u.String()
}

// dropDatabase removes a database made by Postgres; WITH (FORCE)
// (PostgreSQL 13+) closes connections a failed test left open.
func dropDatabase(tb testing.TB, base, name string) {
	db, err := sql.Open("pgx", base)
	if err != nil {
		tb.Errorf("testdb: drop database %s: %v", name, err)
		return
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+quoteIdent(name)+" WITH (FORCE)"); err != nil {
		tb.Errorf("testdb: drop database %s: %v", name, err)
	}
}

// parseURL accepts postgres:// and postgresql:// URLs (not libpq's
// key=value form, which has no path to replace).
func parseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL, which may hold a password
		}
		return nil, fmt.Errorf("malformed URL: %w", err)
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return nil, fmt.Errorf("URL scheme %q, want postgres:// or postgresql://", u.Scheme)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("URL %s has no host, want postgres://user@host:port/db", redact(u))
	}
	return u, nil
}

// redact drops the password from u for messages.
func redact(u *url.URL) string { return u.Redacted() }

var nonIdent = regexp.MustCompile(`[^a-z0-9]+`)

// databaseName makes a PostgreSQL database name from a test name: a fixed
// prefix, a random suffix (parallel runs and reruns never collide) and as
// much of the test name as fits in the 63-byte identifier limit.
func databaseName(testName string) (string, error) {
	var r [6]byte
	if _, err := rand.Read(r[:]); err != nil {
		return "", fmt.Errorf("random database name: %w", err)
	}
	const maxIdent = 63 // NAMEDATALEN - 1
	prefix, suffix := "gradtune_", "_"+hex.EncodeToString(r[:])
	mid := strings.Trim(nonIdent.ReplaceAllString(strings.ToLower(testName), "_"), "_")
	if room := maxIdent - len(prefix) - len(suffix); len(mid) > room {
		mid = mid[:room]
	}
	return prefix + mid + suffix, nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

var moduleName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)

// Python returns the path of a Python 3 interpreter that can import module
// (e.g. "optuna", "psycopg2"): GRADTUNE_PYTHON if set, else
// /usr/bin/python3 (DefaultPython). It skips the test when neither
// imports the module, or fails it when GRADTUNE_REQUIRE_SERVERS=1; a
// module name that is not a dotted Python identifier fails it.
func Python(tb testing.TB, module string) string {
	tb.Helper()
	if !moduleName.MatchString(module) {
		tb.Fatalf("testdb.Python: module %q, want a dotted Python identifier such as optuna or psycopg2", module)
	}
	candidates := []string{DefaultPython}
	if p := os.Getenv(EnvPython); p != "" {
		candidates = []string{p, DefaultPython}
	}
	var tried []string
	for _, py := range candidates {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		out, err := exec.CommandContext(ctx, py, "-c", "import "+module).CombinedOutput()
		cancel()
		if err == nil {
			return py
		}
		tried = append(tried, fmt.Sprintf("%s: %v %s", py, err, lastLine(out)))
	}
	pkg, _, _ := strings.Cut(module, ".")
	unavailable(tb, fmt.Sprintf("no Python with module %s (on Debian: apt-get install python3-%s; or set %s): %s",
		module, pkg, EnvPython, strings.Join(tried, "; ")))
	return ""
}

// lastLine returns the last non-empty line of a command's output, where
// Python puts the exception.
func lastLine(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
