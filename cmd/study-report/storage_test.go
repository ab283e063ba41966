package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An empty file or a folder given as the database is refused with a
// message saying so, and the empty file stays empty: the command creates
// nothing in the database, Optuna's tables included.
func TestStorageNotADatabase(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	for _, c := range []struct{ path, says string }{
		{empty, "is empty, not a study database"},
		{dir, "is a folder, want the database file"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(ctx, []string{"-storage", "sqlite:///" + c.path, "-study", "lr", "-out", out}, &stdout, &stderr)
		if code != 1 || !strings.Contains(stderr.String(), c.says) {
			t.Errorf("-storage %s: exit %d, stderr %q; want exit 1 saying %q", c.path, code, stderr.String(), c.says)
		}
	}
	if fi, err := os.Stat(empty); err != nil || fi.Size() != 0 {
		t.Errorf("the empty file now holds %d bytes (%v)", fi.Size(), err)
	}
}

// Objective names are trimmed: "-objectives error, throughput" names
// "throughput", not " throughput".
func TestObjectivesTrimmed(t *testing.T) {
	db := newDB(t)
	out := filepath.Join(t.TempDir(), "out")
	var stdout, stderr bytes.Buffer
	if code := run(ctx, []string{"-storage", "sqlite:///" + db, "-study", "two", "-out", out, "-objectives", " error, throughput"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	b, err := os.ReadFile(filepath.Join(out, "report.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "directions: error: minimize, throughput: maximize\n"; !strings.Contains(string(b), want) {
		t.Errorf("report.txt does not say %q:\n%s", want, b)
	}
}
