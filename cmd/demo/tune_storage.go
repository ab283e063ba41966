package main

import (
	"os"
	"path/filepath"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/rdb"
)

// openStorage returns the study's storage: out/study.db (SQLite in
// Optuna's schema, so a rerun resumes the study and Optuna's tools open
// it), or memory when out is "". A study.db written by an earlier demo, in
// gradtune's own schema, is refused with the command that moves it aside.
func openStorage(out string) (tuner.Storage, error) {
	if out == "" {
		return tuner.NewMemoryStorage(), nil
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	return rdb.OpenSQLite(filepath.Join(out, "study.db"))
}
