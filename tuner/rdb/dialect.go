package rdb

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/gradtune/gradtune/tuner"
)

// dialect holds what differs between the databases the storage runs on;
// everything else is the same SQL (both SQLite and PostgreSQL have
// INSERT ... ON CONFLICT ... DO UPDATE SET x = excluded.x and RETURNING).
//
// Write transactions differ too, outside this type: on SQLite every one is
// BEGIN IMMEDIATE (the DSN's _txlock), which takes the file's write lock
// at once, so a read-then-write never fails to upgrade; on PostgreSQL they
// are ordinary transactions that lock the rows they claim.
type dialect struct {
	name string
	// placeholder is the i-th (1-based) bind parameter: "?" or "$i".
	placeholder func(i int) string
	// lockWaiting ends the SELECT that picks the Waiting trial to claim:
	// "" on SQLite, whose writers are serialized by BEGIN IMMEDIATE;
	// " FOR UPDATE SKIP LOCKED" on PostgreSQL, so that concurrent claimers
	// take different rows without waiting for each other.
	lockWaiting string
	// lockStudy ends the SELECT of the study row in transactions that
	// number a trial or claim a value: "" on SQLite (BEGIN IMMEDIATE
	// already serializes them); " FOR UPDATE" on PostgreSQL, so that two
	// transactions never count the same past trials or claim holders.
	lockStudy string
	// lockSchema, if set, runs first in the transaction that checks or
	// creates the schema, so that processes opening one new database at
	// once create it once.
	lockSchema string
	// readOptions begin the read transactions: one snapshot for all
	// their statements.
	readOptions *sql.TxOptions
	// retry, if set, runs a write transaction again while the database
	// aborts it for a conflict that a new attempt resolves.
	retry func(ctx context.Context, fn func() error) error
	// schema creates Optuna's tables as Optuna creates them on this database.
	schema []string
	// stepBits is the width of Optuna's INTEGER step column: 64 on
	// SQLite, 32 on PostgreSQL.
	stepBits int
	// listTables names the database's tables, one per row.
	listTables string
	// now is the database's clock as a value for a DATETIME column, as
	// Optuna's record_heartbeat stores it (func.now(): UTC on SQLite, with
	// microseconds as SQLAlchemy writes them); PostgreSQL: now().
	now string
	// heartbeatOlder is a condition on h.heartbeat: older than ? seconds
	// by the database's clock. SQLite compares Julian days, which read
	// Optuna's and our formats alike; PostgreSQL:
	// h.heartbeat < now() - make_interval(secs => ?).
	heartbeatOlder string
	// file: the database is a file that may come from anyone, whose schema
	// is checked before use (studyfile): SQLite.
	file bool
	// lockStale ends the SELECT of stale Running trials: "" on SQLite
	// (BEGIN IMMEDIATE); " FOR UPDATE OF t" on PostgreSQL, the row lock
	// FinishTrial's check-then-update relies on there.
	lockStale string
}

var sqliteDialect = dialect{
	name:        "sqlite",
	file:        true,
	placeholder: func(int) string { return "?" },
	schema:      sqliteSchema,
	stepBits:    64,
	listTables:  `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`,
	readOptions: &sql.TxOptions{ReadOnly: true},
	now:         `strftime('%Y-%m-%d %H:%M:%f000', 'now')`,
	// Julian days read Optuna's and our datetime formats alike.
	heartbeatOlder: `julianday(h.heartbeat) < julianday('now') - ? / 86400.0`,
}

// checkStep refuses an intermediate value's step that Optuna's step
// column cannot hold on this database, with tuner.ErrConfig.
func (d dialect) checkStep(step int) error {
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if d.stepBits == 32 {
		lo, hi = math.MinInt32, math.MaxInt32
	}
	if int64(step) < lo || int64(step) > hi {
		return fmt.Errorf("%w: step %d, want one in [%d, %d]: Optuna's trial_intermediate_values.step is a %d-bit INTEGER on %s",
			tuner.ErrConfig, step, lo, hi, d.stepBits, d.name)
	}
	return nil
}

// rebind turns the '?' placeholders of q (written for SQLite) into the
// dialect's. Queries here hold no '?' inside string literals.
func (d dialect) rebind(q string) string {
	if d.placeholder(1) == "?" {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString(d.placeholder(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// postgresPlaceholder is PostgreSQL's $n.
func postgresPlaceholder(i int) string { return "$" + strconv.Itoa(i) }
