package rdb_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/rdb"
	"github.com/gradtune/gradtune/tuner/storagetest"
)

var ctx = context.Background()

func TestConformance(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			storagetest.Run(t, func(t *testing.T) tuner.Storage { return openURL(t, b.fresh(t)) })
		})
	}
}

func openAt(t *testing.T, path string) *rdb.Storage {
	t.Helper()
	st, err := rdb.OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func tempPath(t *testing.T) string { return filepath.Join(t.TempDir(), "study.db") }
