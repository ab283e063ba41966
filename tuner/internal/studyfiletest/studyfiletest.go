// Package studyfiletest holds the tests that tuner/sqlite and tuner/rdb
// share about study files they did not write: a bounded call, a fuzz
// target for opening any bytes as a study, and writing its seed corpus.
package studyfiletest

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" driver, for Exec

	"github.com/gradtune/gradtune/tuner"
)

// Exec runs statements on the file at path through a plain connection, as
// whoever crafted it would.
func Exec(t testing.TB, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// WriteStudy writes study "s" into st, with trial 0 Complete (x = 0.5 in
// [0, 1], value 0.7, step 1 = 0.9, attribute a = b), and closes st.
func WriteStudy(t testing.TB, st tuner.Storage) {
	t.Helper()
	ctx := context.Background()
	id, _, err := st.GetOrCreateStudy(ctx, "s", []tuner.Direction{tuner.Minimize})
	if err != nil {
		t.Fatal(err)
	}
	ft, err := st.CreateTrial(ctx, id, map[string]string{"a": "b"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{
		st.SetTrialParam(ctx, ft.ID, "x", 0.5, tuner.FloatDist{Low: 0, High: 1}),
		st.SetTrialIntermediate(ctx, ft.ID, 1, 0.9),
		st.FinishTrial(ctx, ft.ID, tuner.Complete, []float64{0.7}, "", ""),
		st.Close(),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// Crafted is a study file made unsafe by statements run on a good one.
type Crafted struct {
	Name  string
	Stmts []string
	Want  []string // in the error, besides the file's path
}

// CheckRefused makes each crafted file (newStudy, then its statements) and
// checks that open refuses it with an error wrapping sentinel and
// tuner.ErrStorage that says what the case wants and the path, within
// Bounded's time and memory, leaving the file byte for byte as it was.
func CheckRefused(t *testing.T, files []Crafted, newStudy func(t *testing.T) string, open func(path string) error, sentinel error) {
	for _, c := range files {
		t.Run(c.Name, func(t *testing.T) {
			path := newStudy(t)
			Exec(t, path, c.Stmts...)
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			err = Bounded(t, "open", func() error { return open(path) })
			if !errors.Is(err, sentinel) || !errors.Is(err, tuner.ErrStorage) {
				t.Fatalf("open = %v, want an error wrapping %v and tuner.ErrStorage", err, sentinel)
			}
			for _, w := range append(c.Want, path) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if after, err := os.ReadFile(path); err != nil || !bytes.Equal(before, after) {
				t.Errorf("open changed the refused file (%v)", err)
			}
		})
	}
}

// Oversized is a study file holding more than a read takes: a statement
// run on a good one, and what the error says.
type Oversized struct{ Name, Stmt, Want string }

// CheckReadsBounded makes each oversized file (newStudy, then its
// statement), opens it and checks that the Trials of study 1 fail with an
// error wrapping tuner.ErrStorage that says what the case wants.
func CheckReadsBounded(t *testing.T, files []Oversized, newStudy func(t *testing.T) string, open func(path string) (tuner.Storage, error)) {
	for _, c := range files {
		t.Run(c.Name, func(t *testing.T) {
			path := newStudy(t)
			Exec(t, path, c.Stmt)
			st, err := open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			trials, err := st.Trials(context.Background(), 1)
			if !errors.Is(err, tuner.ErrStorage) || !strings.Contains(err.Error(), c.Want) {
				t.Errorf("Trials = %d trials, %v; want an error wrapping tuner.ErrStorage saying %q", len(trials), err, c.Want)
			}
		})
	}
}

// Bounded runs call and returns its error. It fails the test if call
// panics or runs longer than 20 s (a guard against a hang, not a speed
// target: it then leaves it running), allocates more than 64 MiB of Go
// memory, or raises the process's peak resident memory by more than 256
// MiB (SQLite's own allocations live outside the Go heap).
func Bounded(t *testing.T, what string, call func() error) error {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	peak := peakRSS()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- panicked{p}
			}
		}()
		done <- call()
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s still running after 20 s", what)
	}
	if p, ok := err.(panicked); ok {
		t.Fatalf("%s: %v", what, p)
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("%s allocated %d MiB", what, alloc>>20)
	}
	if grew := peakRSS() - peak; peak > 0 && grew > 256<<20 {
		t.Errorf("%s raised the peak resident memory by %d MiB", what, grew>>20)
	}
	return err
}

// panicked is a panic that Bounded recovered.
type panicked struct{ v any }

func (p panicked) Error() string { return fmt.Sprint("panic: ", p.v) }

// Fuzz is FuzzOpenStudy's body: whatever the bytes of a study file, open
// and the Trials of studies 1 and 2 return trials or an error wrapping
// tuner.ErrStorage; they never panic (the fuzzer's own limits catch a hang
// or a runaway allocation). Trials come back ordered by number, each with
// its maps.
func Fuzz(t *testing.T, b []byte, open func(path string) (tuner.Storage, error)) {
	path := filepath.Join(t.TempDir(), "study.db")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := open(path)
	if err != nil {
		if !errors.Is(err, tuner.ErrStorage) {
			t.Fatalf("open: %v, want an error wrapping tuner.ErrStorage", err)
		}
		return
	}
	defer st.Close()
	for id := int64(1); id <= 2; id++ {
		trials, err := st.Trials(t.Context(), id)
		if err != nil {
			if !errors.Is(err, tuner.ErrStorage) {
				t.Fatalf("Trials(%d): %v, want an error wrapping tuner.ErrStorage", id, err)
			}
			continue
		}
		for i, tr := range trials {
			if i > 0 && tr.Number < trials[i-1].Number {
				t.Fatalf("Trials(%d): trial %d numbered %d after %d", id, i, tr.Number, trials[i-1].Number)
			}
			if tr.Params == nil || tr.Internal == nil || tr.Distributions == nil || tr.Intermediate == nil || tr.Attrs == nil {
				t.Fatalf("Trials(%d): trial %d has a nil map: %+v", id, i, tr)
			}
		}
	}
}

// WriteSeeds writes a FuzzOpenStudy seed corpus into
// testdata/fuzz/FuzzOpenStudy when GRADTUNE_WRITE_FUZZ_SEEDS=1 (else it
// skips): for each name, a study file from newStudy with the statements
// run on it, in 512-byte pages to keep it small, in go test's corpus
// format.
func WriteSeeds(t *testing.T, newStudy func(t *testing.T) string, seeds map[string][]string) {
	if os.Getenv("GRADTUNE_WRITE_FUZZ_SEEDS") != "1" {
		t.Skip("writes testdata/fuzz/FuzzOpenStudy when GRADTUNE_WRITE_FUZZ_SEEDS=1")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzOpenStudy")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, stmts := range seeds {
		path := newStudy(t)
		Exec(t, path, append(append([]string{`PRAGMA journal_mode=DELETE`, `PRAGMA page_size=512`}, stmts...), `VACUUM`)...)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", b), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d bytes", name, len(b))
	}
}
