package main

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/rdb"
	"github.com/gradtune/gradtune/tuner/sqlite"
)

// TestTuneStorageIsOptunaSchema: the demo's study file is in Optuna's
// schema, resumes, and a file from an earlier demo (gradtune's own schema)
// is refused with the command that moves it aside.
func TestTuneStorageIsOptunaSchema(t *testing.T) {
	dir := t.TempDir()
	st, err := openStorage(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := st.(*rdb.Storage); !ok {
		t.Errorf("openStorage gave %T, want *rdb.Storage", st)
	}
	if _, _, err := st.GetOrCreateStudy(context.Background(), "mlp", []tuner.Direction{tuner.Minimize}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if st, err = openStorage(dir); err != nil {
		t.Fatalf("reopen: %v", err)
	}
	st.Close()

	old := t.TempDir()
	legacy, err := sqlite.Open(filepath.Join(old, "study.db"))
	if err != nil {
		t.Fatal(err)
	}
	legacy.Close()
	_, err = openStorage(old)
	want := "mv " + filepath.Join(old, "study.db") + " " + filepath.Join(old, "study.db") + ".old"
	if !errors.Is(err, rdb.ErrOldSchema) || !strings.Contains(err.Error(), want) {
		t.Errorf("old study file: %v, want rdb.ErrOldSchema with %q", err, want)
	}
}
