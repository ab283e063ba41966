package rdb_test

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/rdb"
)

// StudyDirections finds a study's directions without writing: an absent
// study is ErrNoStudy naming the studies there, and the file is unchanged.
func TestStudyDirections(t *testing.T) {
	path := tempPath(t)
	st := openAt(t, path)
	if _, err := st.StudyDirections(ctx, "a"); !errors.Is(err, rdb.ErrNoStudy) || !strings.Contains(err.Error(), "which holds no study") {
		t.Errorf("StudyDirections in an empty database: %v, want ErrNoStudy saying it holds none", err)
	}
	two := []tuner.Direction{tuner.Maximize, tuner.Minimize}
	for name, dirs := range map[string][]tuner.Direction{"b": {tuner.Minimize}, "a": two} {
		if _, _, err := st.GetOrCreateStudy(ctx, name, dirs); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.StudyDirections(ctx, "a")
	if err != nil || !slices.Equal(got, two) {
		t.Errorf("StudyDirections(a) = %v, %v; want %v", got, err, two)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.StudyDirections(ctx, "c")
	if !errors.Is(err, rdb.ErrNoStudy) || !strings.Contains(err.Error(), `no such study: "c" in `+path+`, which holds "a", "b"`) {
		t.Errorf("StudyDirections(c) = %v, want ErrNoStudy naming a and b", err)
	}
	if after, err := os.ReadFile(path); err != nil || !slices.Equal(before, after) {
		t.Errorf("the file changed (%v)", err)
	}
	for i := range 12 {
		if _, _, err := st.GetOrCreateStudy(ctx, "s"+string(rune('a'+i)), []tuner.Direction{tuner.Minimize}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.StudyDirections(ctx, "z"); err == nil || !strings.HasSuffix(err.Error(), `"sg", "sh", …`) {
		t.Errorf("StudyDirections among 14 studies: %v, want the first 10 by name and …", err)
	}
	var zero *rdb.Storage
	if _, err := zero.StudyDirections(ctx, "a"); !errors.Is(err, tuner.ErrConfig) {
		t.Errorf("StudyDirections on a nil Storage: %v, want ErrConfig", err)
	}
}

func TestSQLitePath(t *testing.T) {
	for url, want := range map[string]string{"sqlite:///out/study.db": "out/study.db", "sqlite:////abs/my%20study.db": "/abs/my study.db"} {
		if got, err := rdb.SQLitePath(url); err != nil || got != want {
			t.Errorf("SQLitePath(%q) = %q, %v; want %q", url, got, err, want)
		}
	}
	for _, url := range []string{"postgres://h/db", "sqlite://host/x.db", "study.db"} {
		if _, err := rdb.SQLitePath(url); !errors.Is(err, tuner.ErrConfig) {
			t.Errorf("SQLitePath(%q): %v, want ErrConfig", url, err)
		}
	}
}
