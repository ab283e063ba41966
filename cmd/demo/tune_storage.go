package main

import (
	"os"
	"path/filepath"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/sqlite"
)

// openStorage returns the study's storage: out/study.db (SQLite, so a
// rerun resumes the study), or memory when out is "".
func openStorage(out string) (tuner.Storage, error) {
	if out == "" {
		return tuner.NewMemoryStorage(), nil
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	return sqlite.Open(filepath.Join(out, "study.db"))
}
