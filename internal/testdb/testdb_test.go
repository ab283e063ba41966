package testdb

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeTB records what a helper did to its test: Skip and Fatal end the
// calling goroutine as the real ones do.
type fakeTB struct {
	testing.TB
	mu              sync.Mutex
	skipped, failed bool
	msg             string
	cleanups        []func()
}

func (f *fakeTB) Helper()      {}
func (f *fakeTB) Name() string { return "TestFake" }
func (f *fakeTB) Cleanup(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cleanups = append(f.cleanups, fn)
}
func (f *fakeTB) Skip(args ...any) {
	f.mu.Lock()
	f.skipped, f.msg = true, fmt.Sprint(args...)
	f.mu.Unlock()
	runtime.Goexit()
}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.failed, f.msg = true, fmt.Sprintf(format, args...)
	f.mu.Unlock()
	runtime.Goexit()
}
func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	f.failed, f.msg = true, fmt.Sprintf(format, args...)
	f.mu.Unlock()
}

// run calls fn with a fakeTB on its own goroutine (Goexit must not end the
// real test) and returns the fake once fn has returned or exited.
func run(fn func(tb testing.TB) string) (*fakeTB, string) {
	f := &fakeTB{}
	var got string
	done := make(chan struct{})
	go func() {
		defer close(done)
		got = fn(f)
	}()
	<-done
	return f, got
}

func TestPostgresSkipsWithoutURL(t *testing.T) {
	t.Setenv(EnvPostgresURL, "")
	t.Setenv(EnvRequireServers, "")
	f, _ := run(Postgres)
	if !f.skipped || f.failed {
		t.Fatalf("skipped=%t failed=%t, want a skip", f.skipped, f.failed)
	}
	if !strings.Contains(f.msg, EnvPostgresURL) {
		t.Errorf("skip message %q does not say to set %s", f.msg, EnvPostgresURL)
	}
}

func TestPostgresFailsWithoutURLWhenRequired(t *testing.T) {
	t.Setenv(EnvPostgresURL, "")
	t.Setenv(EnvRequireServers, "1")
	f, _ := run(Postgres)
	if !f.failed || f.skipped {
		t.Fatalf("skipped=%t failed=%t, want a failure", f.skipped, f.failed)
	}
	if !strings.Contains(f.msg, EnvRequireServers) {
		t.Errorf("failure %q does not name %s", f.msg, EnvRequireServers)
	}
}

func TestPostgresBadURLFails(t *testing.T) {
	t.Setenv(EnvRequireServers, "")
	for _, tc := range []struct{ url, want string }{
		{"mysql://root@127.0.0.1/db", `scheme "mysql"`},
		{"postgres:///db", "no host"},
		{"postgres://u:secret@127.0.0.1:%zz/db", "malformed URL: invalid port"},
		{"host=127.0.0.1 dbname=x", "scheme"},
	} {
		t.Setenv(EnvPostgresURL, tc.url)
		f, _ := run(Postgres)
		if !f.failed || !strings.Contains(f.msg, tc.want) {
			t.Errorf("%q: failed=%t msg %q, want a failure containing %q", tc.url, f.failed, f.msg, tc.want)
		}
		if strings.Contains(f.msg, "secret") {
			t.Errorf("%q: failure %q shows the password", tc.url, f.msg)
		}
	}
}

func TestPostgresUnreachableFails(t *testing.T) {
	t.Setenv(EnvRequireServers, "")
	// Port 1 on loopback: nothing listens there, the connection is refused at once.
	t.Setenv(EnvPostgresURL, "postgres://u:secret@127.0.0.1:1/db?sslmode=disable&connect_timeout=5")
	f, _ := run(Postgres)
	if !f.failed || f.skipped {
		t.Fatalf("skipped=%t failed=%t, want a failure", f.skipped, f.failed)
	}
	if strings.Contains(f.msg, "secret") {
		t.Errorf("failure %q shows the password", f.msg)
	}
	if !strings.Contains(f.msg, "127.0.0.1:1") {
		t.Errorf("failure %q does not name the server", f.msg)
	}
}

func TestPythonMissingModule(t *testing.T) {
	t.Setenv(EnvPython, "")
	const mod = "gradtune_no_such_module"
	t.Setenv(EnvRequireServers, "")
	f, _ := run(func(tb testing.TB) string { return Python(tb, mod) })
	if !f.skipped || !strings.Contains(f.msg, mod) {
		t.Errorf("skipped=%t msg %q, want a skip naming %s", f.skipped, f.msg, mod)
	}
	t.Setenv(EnvRequireServers, "1")
	f, _ = run(func(tb testing.TB) string { return Python(tb, mod) })
	if !f.failed || f.skipped {
		t.Errorf("required: skipped=%t failed=%t, want a failure", f.skipped, f.failed)
	}
}

func TestPythonBadModuleNameFails(t *testing.T) {
	t.Setenv(EnvRequireServers, "")
	for _, mod := range []string{"", "os; import sys", "a..b", "1x"} {
		f, _ := run(func(tb testing.TB) string { return Python(tb, mod) })
		if !f.failed {
			t.Errorf("module %q: failed=%t skipped=%t, want a failure", mod, f.failed, f.skipped)
		}
	}
}

func TestPythonOverride(t *testing.T) {
	t.Setenv(EnvRequireServers, "")
	t.Setenv(EnvPython, "/nonexistent/python3")
	// "sys" is in every Python: the override fails, DefaultPython is taken.
	f, got := run(func(tb testing.TB) string { return Python(tb, "sys") })
	if _, err := exec.LookPath(DefaultPython); err != nil {
		if !f.skipped || !strings.Contains(f.msg, "/nonexistent/python3") {
			t.Errorf("no %s: skipped=%t msg %q, want a skip naming both interpreters", DefaultPython, f.skipped, f.msg)
		}
		return
	}
	if f.failed || f.skipped || got != DefaultPython {
		t.Errorf("got %q (failed=%t skipped=%t), want %s", got, f.failed, f.skipped, DefaultPython)
	}
}

var identRE = regexp.MustCompile(`^gradtune_[a-z0-9_]*_[0-9a-f]{12}$`)

func TestDatabaseName(t *testing.T) {
	long := "TestSomething/" + strings.Repeat("very long subtest name ", 10)
	a, err := databaseName(long)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := databaseName(long)
	if a == b {
		t.Errorf("two names for one test are both %q, want them unique", a)
	}
	if len(a) > 63 || !identRE.MatchString(a) {
		t.Errorf("name %q (%d bytes), want ≤ 63 bytes matching %s", a, len(a), identRE)
	}
	if !strings.HasPrefix(a, "gradtune_testsomething_very_long") {
		t.Errorf("name %q does not start with the test's name", a)
	}
}

// TestPostgresRoundTrip is the smoke test of the pgx driver: a row written
// through database/sql comes back, Debian's psycopg2 reads the same row from
// the same URL, and the database is gone once its test has ended.
func TestPostgresRoundTrip(t *testing.T) {
	var dbURL string
	t.Run("fresh database", func(t *testing.T) {
		dbURL = Postgres(t)
		db, err := sql.Open("pgx", dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()

		var tables int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&tables); err != nil {
			t.Fatal(err)
		}
		if tables != 0 {
			t.Fatalf("new database has %d tables, want 0", tables)
		}
		if _, err := db.ExecContext(ctx, `CREATE TABLE trials (trial_id serial PRIMARY KEY, state text NOT NULL, value double precision)`); err != nil {
			t.Fatal(err)
		}
		var id int
		if err := db.QueryRowContext(ctx, `INSERT INTO trials (state, value) VALUES ($1, $2) RETURNING trial_id`, "COMPLETE", 0.125).Scan(&id); err != nil {
			t.Fatal(err)
		}
		var state string
		var value float64
		if err := db.QueryRowContext(ctx, `SELECT state, value FROM trials WHERE trial_id = $1`, id).Scan(&state, &value); err != nil {
			t.Fatal(err)
		}
		if id != 1 || state != "COMPLETE" || value != 0.125 {
			t.Fatalf("read back (%d, %q, %v), want (1, COMPLETE, 0.125)", id, state, value)
		}

		py := Python(t, "psycopg2")
		script := `import sys, psycopg2
conn = psycopg2.connect(sys.argv[1])
cur = conn.cursor()
cur.execute("SELECT trial_id, state, value FROM trials")
print(cur.fetchall())`
		out, err := exec.CommandContext(ctx, py, "-c", script, dbURL).CombinedOutput()
		if err != nil {
			t.Fatalf("psycopg2: %v\n%s", err, out)
		}
		if got := strings.TrimSpace(string(out)); got != "[(1, 'COMPLETE', 0.125)]" {
			t.Errorf("psycopg2 read %s, want [(1, 'COMPLETE', 0.125)]", got)
		}
	})
	if dbURL == "" {
		return // skipped: no server
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	admin, err := sql.Open("pgx", os.Getenv(EnvPostgresURL))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var n int
	if err := admin.QueryRow(`SELECT count(*) FROM pg_database WHERE datname = $1`, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("database %s still exists after its test ended", name)
	}
}

func TestPythonFindsOptuna(t *testing.T) {
	py := Python(t, "optuna")
	out, err := exec.Command(py, "-c", "import optuna; print(optuna.__version__)").Output()
	if err != nil {
		t.Fatal(err)
	}
	if v := strings.TrimSpace(string(out)); !regexp.MustCompile(`^\d+\.\d+`).MatchString(v) {
		t.Errorf("optuna.__version__ = %q, want a version number", v)
	}
}
