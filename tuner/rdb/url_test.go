package rdb

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

// Storage URLs read as SQLAlchemy reads them (three slashes: relative,
// four: absolute); anything else is ErrConfig naming the expected form.
func TestSQLitePathOf(t *testing.T) {
	for url, want := range map[string]string{
		"sqlite:///study.db":        "study.db",
		"sqlite:///out/tune/a b.db": "out/tune/a b.db",
		"sqlite:////tmp/x/study.db": "/tmp/x/study.db",
		"SQLite:///study%20two.db":  "study two.db",
		"sqlite:////tmp/ünïcode.db": "/tmp/ünïcode.db",
	} {
		got, err := sqlitePathOf(url)
		if err != nil || got != want {
			t.Errorf("sqlitePathOf(%q) = %q, %v; want %q", url, got, err, want)
		}
	}
	for url, says := range map[string]string{
		"mysql://x/y":            `scheme "mysql" not supported`,
		"study.db":               "no scheme",
		"sqlite://host/study.db": "no file name, a host",
		"sqlite:///":             "no file name",
		"sqlite:///a.db?mode=ro": "a query",
		"sqlite:///:memory:":     "bad file name",
		"sqlite:///%zz":          "want sqlite:///FILE",
		"::":                     "want sqlite:///FILE",
	} {
		_, err := Open(context.Background(), url)
		if !errors.Is(err, tuner.ErrConfig) || !strings.Contains(err.Error(), says) || !strings.Contains(err.Error(), "sqlite:///FILE") {
			t.Errorf("Open(%q): %v; want ErrConfig saying %q and the expected form", url, err, says)
		}
	}
}

// An unreachable file (its folder does not exist) is a storage error that
// names the URL.
func TestOpenUnreachable(t *testing.T) {
	url := "sqlite:///" + t.TempDir() + "/no/such/folder/study.db"
	_, err := Open(context.Background(), url)
	if !errors.Is(err, tuner.ErrStorage) || !strings.Contains(err.Error(), url) {
		t.Errorf("Open(%q): %v, want ErrStorage naming the URL", url, err)
	}
}
