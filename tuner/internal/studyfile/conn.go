// Package studyfile opens SQLite study files as data, not code, for the
// storages that keep a study in one (tuner/sqlite, tuner/rdb): a file may
// come from anyone, and SQLite would otherwise run the views and triggers
// stored in it inside our own queries.
//
// What it does, and what the driver in use (modernc.org/sqlite) exposes
// for it:
//
//   - OpenDB gives every connection an authorizer (sqlite3_set_authorizer)
//     that refuses any statement reaching into a view or trigger, so that
//     stored SQL never runs even in a file changed after it was checked;
//     and caps the length of any string, blob or row at MaxValueBytes
//     (sqlite3_limit SQLITE_LIMIT_LENGTH; SQLite's default is 1 GB). The
//     DSN adds PRAGMA trusted_schema=OFF and SQLite's defensive mode
//     (SQLITE_DBCONFIG_DEFENSIVE).
//   - Check refuses a file holding views, triggers, virtual tables, or
//     tables of ours whose columns, defaults or foreign keys differ from
//     what our own CREATE statements make (Spec), or that use collations.
//   - Limit bounds the rows one read takes: trials per study, parameters,
//     attributes and intermediate values per trial.
package studyfile

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	sqlite3 "modernc.org/sqlite"
	sqlitelib "modernc.org/sqlite/lib"
)

// MaxValueBytes is the longest string, blob or row a connection reads or
// writes (SQLITE_LIMIT_LENGTH): 16 MiB, far above any distribution, message
// or attribute a study holds; a longer one fails with "string or blob too
// big" instead of being materialized.
const MaxValueBytes = 16 << 20

// SafeDSN is the query parameters OpenDB's callers add to their DSN: PRAGMA
// trusted_schema=OFF (functions and virtual tables not marked innocuous
// cannot run from the schema) and defensive mode (no writable_schema, no
// direct writes to the file's pages).
const SafeDSN = "&_pragma=trusted_schema(0)&_defensive=1"

// OpenDB opens a database/sql handle on the SQLite URI dsn whose every
// connection has the authorizer and the length limit (see the package
// comment). It does not open a connection yet.
func OpenDB(dsn string) (*sql.DB, error) {
	c, err := sqlite3.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(guarded{c}), nil
}

// guarded sets each new connection up before database/sql gets it.
type guarded struct{ driver.Connector }

func (g guarded) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := g.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	if err := guard(dc); err != nil {
		dc.Close()
		return nil, fmt.Errorf("studyfile: setting up a connection: %w", err)
	}
	return dc, nil
}

// guard installs the authorizer and the length limit on one connection.
func guard(dc driver.Conn) error {
	ar, ok := dc.(sqlite3.AuthorizerRegisterer)
	if !ok {
		return fmt.Errorf("the SQLite driver's connection %T has no authorizer", dc)
	}
	if err := ar.RegisterAuthorizer(noStoredSQL); err != nil {
		return err
	}
	return setLimit(dc, sqlitelib.SQLITE_LIMIT_LENGTH, MaxValueBytes)
}

// noStoredSQL denies every action taken on behalf of a view or trigger (its
// name is triggerOrView) and allows our own statements. Foreign-key actions
// (ON DELETE CASCADE) run as nameless triggers and stay allowed.
func noStoredSQL(_ sqlite3.AuthorizerActionCode, _, _, _, triggerOrView string) sqlite3.AuthorizerReturnCode {
	if triggerOrView != "" {
		return sqlite3.AuthorizerDeny
	}
	return sqlite3.AuthorizerOK
}

// setLimit calls sqlite3_limit on dc. The driver exposes it only through a
// *sql.Conn (sqlite.Limit), so dc is lent, behind a Close that does
// nothing, to a private one-connection sql.DB for the call.
func setLimit(dc driver.Conn, id, value int) error {
	db := sql.OpenDB(lent{dc})
	defer db.Close()
	c, err := db.Conn(context.Background())
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := sqlite3.Limit(c, id, value); err != nil {
		return err
	}
	if got, err := sqlite3.Limit(c, id, -1); err != nil || got != value {
		return errors.Join(fmt.Errorf("sqlite3_limit(%d) = %d, want %d", id, got, value), err)
	}
	return nil
}

// lent is a connector that hands out one borrowed connection.
type lent struct{ dc driver.Conn }

func (l lent) Connect(context.Context) (driver.Conn, error) { return borrowed{l.dc}, nil }
func (l lent) Driver() driver.Driver                        { return nil }

// borrowed is a connection that its sql.DB may not close; Unwrap lets the
// driver's Limit reach the real one.
type borrowed struct{ driver.Conn }

func (borrowed) Close() error          { return nil }
func (b borrowed) Unwrap() driver.Conn { return b.Conn }
