package rdb

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/gradtune/gradtune/tuner"
)

// Open opens a study database by storage URL, as Optuna names them:
//
//   - sqlite:///relative/path.db or sqlite:////absolute/path.db
//     (SQLAlchemy's form: what follows "sqlite:///" is the path), opened
//     with OpenSQLite;
//   - postgres://, postgresql:// or postgresql+psycopg2://
//     user[:password]@host[:port]/database[?sslmode=...], opened with
//     OpenPostgres.
//
// A URL of another scheme or a malformed one is an error wrapping
// tuner.ErrConfig; an unreachable server one wrapping tuner.ErrStorage.
// Messages name the URL without its password.
func Open(ctx context.Context, storageURL string) (*Storage, error) {
	scheme, _, ok := strings.Cut(storageURL, "://")
	switch {
	case ok && scheme == "sqlite":
		path, found := strings.CutPrefix(storageURL, "sqlite:///")
		if !found || path == "" {
			return nil, fmt.Errorf("%w: rdb: storage URL %q, want sqlite:///relative.db or sqlite:////absolute.db", tuner.ErrConfig, storageURL)
		}
		return OpenSQLite(path)
	case ok && (scheme == "postgres" || scheme == "postgresql" || scheme == "postgresql+psycopg2"):
		return OpenPostgres(ctx, storageURL)
	}
	what := redactRaw(storageURL)
	if u, err := url.Parse(storageURL); err == nil {
		what = u.Redacted()
	}
	return nil, fmt.Errorf("%w: rdb: storage URL %s, want sqlite:///path.db or postgres://user@host:port/database", tuner.ErrConfig, what)
}
