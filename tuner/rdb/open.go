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
// Messages name the URL without its password. A nil ctx is an error
// wrapping tuner.ErrConfig.
func Open(ctx context.Context, storageURL string) (*Storage, error) {
	if ctx == nil {
		return nil, fmt.Errorf("%w: rdb: Open: nil context", tuner.ErrConfig)
	}
	scheme, _, ok := strings.Cut(storageURL, "://")
	switch {
	case ok && strings.EqualFold(scheme, "sqlite"):
		path, err := sqlitePathOf(storageURL)
		if err != nil {
			return nil, err
		}
		st, err := OpenSQLite(path)
		if err != nil {
			return nil, fmt.Errorf("storage %q: %w", storageURL, err)
		}
		return st, nil
	case ok && (scheme == "postgres" || scheme == "postgresql" || scheme == "postgresql+psycopg2"):
		return OpenPostgres(ctx, storageURL)
	}
	const want = "want sqlite:///FILE (relative), sqlite:////ABSOLUTE/FILE or postgres://user@host:port/database"
	what := redactRaw(storageURL)
	u, err := url.Parse(storageURL)
	switch {
	case err != nil:
		return nil, fmt.Errorf("%w: rdb: storage URL %s is malformed; %s", tuner.ErrConfig, what, want)
	case u.Scheme == "":
		return nil, fmt.Errorf("%w: rdb: storage URL %s has no scheme; %s", tuner.ErrConfig, u.Redacted(), want)
	}
	return nil, fmt.Errorf("%w: rdb: storage URL %s: scheme %q not supported; %s", tuner.ErrConfig, u.Redacted(), u.Scheme, want)
}
