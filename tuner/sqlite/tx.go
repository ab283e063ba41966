package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/gradtune/gradtune/internal/gerr"
	"github.com/gradtune/gradtune/panics"
	"github.com/gradtune/gradtune/tuner"
)

// write runs fn in one BEGIN IMMEDIATE transaction and commits it; any
// error (or panic) rolls it back. The error is wrapped by wrap(what, ...).
func (s *Storage) write(ctx context.Context, what string, fn func(tx *sql.Tx) error) error {
	return s.inTx(ctx, s.w, nil, what, fn)
}

// read runs fn in a deferred read transaction: one consistent snapshot of
// the file, which never waits for writers in WAL mode.
func (s *Storage) read(ctx context.Context, what string, fn func(tx *sql.Tx) error) error {
	return s.inTx(ctx, s.r, &sql.TxOptions{ReadOnly: true}, what, fn)
}

func (s *Storage) inTx(ctx context.Context, db *sql.DB, opts *sql.TxOptions, what string, fn func(tx *sql.Tx) error) (err error) {
	tx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return wrap(what, err)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %w", tuner.ErrStorage, gerr.RecoveredAs("sqlite: "+what, panics.ErrDependency, r))
		}
		if err != nil {
			tx.Rollback()
		}
	}()
	if err := fn(tx); err != nil {
		return wrap(what, err)
	}
	if err := tx.Commit(); err != nil {
		return wrap(what, err)
	}
	return nil
}
