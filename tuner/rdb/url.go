package rdb

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/gradtune/gradtune/tuner"
)

// sqlitePathOf returns the file of a sqlite:/// URL, in Optuna's
// (SQLAlchemy's) form, so that the URL a Python worker passes to
// optuna.load_study works here as it is: sqlite:///study.db is a file
// relative to the working directory, sqlite:////abs/study.db an absolute
// one.
func sqlitePathOf(storageURL string) (string, error) {
	const want = "want sqlite:///FILE (relative) or sqlite:////ABSOLUTE/FILE"
	u, err := url.Parse(storageURL)
	if err != nil {
		return "", fmt.Errorf("%w: storage URL %q: %w; %s", tuner.ErrConfig, storageURL, err, want)
	}
	switch strings.ToLower(u.Scheme) {
	case "sqlite":
	case "postgresql", "postgres":
		return "", fmt.Errorf("%w: storage URL %q: PostgreSQL is not supported yet; %s", tuner.ErrConfig, storageURL, want)
	case "":
		return "", fmt.Errorf("%w: storage URL %q has no scheme; %s", tuner.ErrConfig, storageURL, want)
	default:
		return "", fmt.Errorf("%w: storage URL %q: scheme %q not supported; %s", tuner.ErrConfig, storageURL, u.Scheme, want)
	}
	rest, ok := strings.CutPrefix(storageURL[len(u.Scheme):], ":///")
	if !ok || rest == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%w: storage URL %q: no file name, a host or a query; %s", tuner.ErrConfig, storageURL, want)
	}
	path, err := url.PathUnescape(rest)
	if err != nil || path == ":memory:" {
		return "", fmt.Errorf("%w: storage URL %q: bad file name %q; %s", tuner.ErrConfig, storageURL, rest, want)
	}
	return path, nil
}
