package rdb

import (
	"strconv"
	"strings"
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
	// schema creates Optuna's tables as Optuna creates them on this database.
	schema []string
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
	// lockStale ends the SELECT of stale Running trials: "" on SQLite
	// (BEGIN IMMEDIATE); " FOR UPDATE OF t" on PostgreSQL, the row lock
	// FinishTrial's check-then-update relies on there.
	lockStale string
}

var sqliteDialect = dialect{
	name:           "sqlite",
	placeholder:    func(int) string { return "?" },
	schema:         sqliteSchema,
	listTables:     `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`,
	now:            `strftime('%Y-%m-%d %H:%M:%f000', 'now')`,
	heartbeatOlder: `julianday(h.heartbeat) < julianday('now') - ? / 86400.0`,
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

// postgresPlaceholder is PostgreSQL's $n, for the dialect still to come.
func postgresPlaceholder(i int) string { return "$" + strconv.Itoa(i) }
