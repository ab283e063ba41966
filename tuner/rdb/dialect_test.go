package rdb

import "testing"

func TestRebind(t *testing.T) {
	pg := dialect{placeholder: postgresPlaceholder}
	q := `INSERT INTO t (a, b) VALUES ((SELECT count(*) FROM t WHERE s = ?), ?) RETURNING id`
	if got, want := pg.rebind(q), `INSERT INTO t (a, b) VALUES ((SELECT count(*) FROM t WHERE s = $1), $2) RETURNING id`; got != want {
		t.Errorf("postgres rebind:\n got %s\nwant %s", got, want)
	}
	if got := sqliteDialect.rebind(q); got != q {
		t.Errorf("sqlite rebind changed the query: %s", got)
	}
}
