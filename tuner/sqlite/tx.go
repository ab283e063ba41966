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
	if err := s.usable(ctx); err != nil {
		return err
	}
	return s.inTx(ctx, s.w, nil, what, fn)
}

// read runs fn in a deferred read transaction: one consistent snapshot of
// the file, which never waits for writers in WAL mode.
func (s *Storage) read(ctx context.Context, what string, fn func(tx *sql.Tx) error) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	return s.inTx(ctx, s.r, &sql.TxOptions{ReadOnly: true}, what, fn)
}

// usable refuses, before database/sql sees them, a nil or never-opened
// Storage and a nil context, with errors wrapping tuner.ErrConfig:
// database/sql panics on a nil context while it holds the pool's lock, after
// which every later call, and Close, would block forever.
func (s *Storage) usable(ctx context.Context) error {
	switch {
	case s == nil || s.w == nil:
		return fmt.Errorf("%w: sqlite: the Storage is nil or was not opened, want one from sqlite.Open", tuner.ErrConfig)
	case ctx == nil:
		return fmt.Errorf("%w: sqlite: nil context", tuner.ErrConfig)
	}
	return nil
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
