package rdb_test

import (
	"testing"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/internal/studyfiletest"
	"github.com/gradtune/gradtune/tuner/rdb"
)

// Whatever the bytes of a study file, OpenSQLite and Trials return trials or an
// error wrapping tuner.ErrStorage: they never panic, hang or run SQL stored
// in the file (studyfiletest.Fuzz). The seeds (testdata/fuzz/FuzzOpenStudy,
// written by TestWriteFuzzSeeds) are a real study and three of the crafted
// files of TestOpenRefusesCraftedFiles.
func FuzzOpenStudy(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("SQLite format 3\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		studyfiletest.Fuzz(t, b, func(path string) (tuner.Storage, error) { return rdb.OpenSQLite(path) })
	})
}

// TestWriteFuzzSeeds writes FuzzOpenStudy's seed corpus when
// GRADTUNE_WRITE_FUZZ_SEEDS=1: a study file with three trials (one
// Waiting), and the trigger, the view and the recursive view of
// craftedFiles.
func TestWriteFuzzSeeds(t *testing.T) {
	study := func(t *testing.T) string {
		path := studyFile(t)
		st := openAt(t, path)
		if _, err := st.CreateTrial(ctx, 1, map[string]string{"owner": "x"}, nil); err != nil {
			t.Fatal(err)
		}
		dist := tuner.CategoricalDist{Choices: []any{"a", 2}}
		if err := st.EnqueueTrial(ctx, 1, map[string]float64{"c": 1}, map[string]tuner.Distribution{"c": dist}, nil); err != nil {
			t.Fatal(err)
		}
		st.Close()
		return path
	}
	studyfiletest.WriteSeeds(t, study, map[string][]string{
		"study":                   nil,
		"trigger-rewrites-values": craftedFiles[0].Stmts,
		"view-shadows-table":      craftedFiles[1].Stmts,
		"recursive-view":          craftedFiles[2].Stmts,
	})
}
