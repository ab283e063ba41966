package studyfile

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	sqlite3 "modernc.org/sqlite"
	sqlitelib "modernc.org/sqlite/lib"
)

// Querier is what Check reads through: a *sql.Tx, *sql.Conn or *sql.DB.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// UnsafeError says which object of a study file the storage will not use,
// why, and the one-line way out.
type UnsafeError struct {
	Path   string // the file
	Object string // `view "trials"`, `trigger "t"`, `table "trials"`
	Why    string
	WayOut string
}

func (e *UnsafeError) Error() string {
	return fmt.Sprintf("the file holds %s: %s; %s", e.Object, e.Why, e.WayOut)
}

// startOver is the way out when a file cannot be mended in place.
func startOver(path string) string {
	return fmt.Sprintf("start a new study: `mv %s %s`", shellQuote(path), shellQuote(path+".old"))
}

// dropIt is the way out for an object the user may have added knowingly;
// a name cut short or holding control characters gets startOver only.
func dropIt(path, kind, name string, long bool) string {
	if long || strings.IndexFunc(name, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return startOver(path)
	}
	drop := fmt.Sprintf(`DROP %s "%s"`, strings.ToUpper(kind), strings.ReplaceAll(name, `"`, `""`))
	return fmt.Sprintf("if you added it yourself: `sqlite3 %s %s`; otherwise %s", shellQuote(path), shellQuote(drop), startOver(path))
}

// shellQuote quotes s for a POSIX shell, unless it is plainly safe.
func shellQuote(s string) string {
	safe := func(r rune) bool {
		return r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("/._-+:,@", r))
	}
	if s != "" && strings.IndexFunc(s, func(r rune) bool { return !safe(r) }) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Limits on what Check reads from sqlite_master and the pragmas: a schema
// of ours has about 20 objects and 8 columns a table.
const (
	maxObjects = 1 << 12
	maxColumns = 1 << 8
	maxKeys    = 1 << 6
	maxName    = 1 << 8 // longer names are cut in messages and are none of ours
)

// Spec is the tables a storage creates, as SQLite reports them.
type Spec struct {
	tables map[string]table // by lower-case name
	// optional names "table.column"s that a file of an earlier schema
	// version may lack (Open adds them).
	optional map[string]bool
}

type table struct {
	columns map[string]column // by lower-case name
	keys    []string          // foreign keys, one "from -> table(to) on update X on delete Y" each, sorted
}

// column is what decides how a value is stored and compared: the type's
// affinity (SQLite converts values to it), the default (what an INSERT
// that leaves the column out stores), its place in the primary key (an
// INTEGER PRIMARY KEY is the rowid), and whether it is generated.
type column struct {
	affinity string
	dflt     sql.NullString
	pk       int
	hidden   int
}

// NewSpec runs stmts (CREATE TABLE and CREATE INDEX statements) on an
// empty in-memory database and reads back the tables they made. optional
// lists "table.column"s a file may lack.
func NewSpec(stmts []string, optional ...string) (*Spec, error) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // one connection: one in-memory database
	ctx := context.Background()
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return nil, fmt.Errorf("studyfile: reference schema: %w", err)
		}
	}
	objs, err := objects(ctx, db)
	if err != nil {
		return nil, err
	}
	spec := &Spec{tables: map[string]table{}, optional: map[string]bool{}}
	for _, o := range objs {
		if o.typ != "table" {
			continue
		}
		if spec.tables[o.name], err = readTable(ctx, db, o.name); err != nil {
			return nil, err
		}
	}
	for _, c := range optional {
		spec.optional[strings.ToLower(c)] = true
	}
	return spec, nil
}

// Tables returns the spec's table names, sorted.
func (s *Spec) Tables() []string { return slices.Sorted(maps.Keys(s.tables)) }

// object is one row of sqlite_master, as Check needs it.
type object struct {
	typ, name, table   string // name and table lower-case, cut at maxName
	long               bool   // the name was longer than maxName
	virtual, collation bool   // CREATE VIRTUAL TABLE; COLLATE anywhere in its SQL
}

// objects reads sqlite_master: the SQL itself only through LIKE, so that a
// huge statement is never copied out.
func objects(ctx context.Context, q Querier) ([]object, error) {
	rows, err := q.QueryContext(ctx, `SELECT type, lower(substr(name, 1, ?1)), length(name) > ?1, lower(substr(tbl_name, 1, ?1)),
		coalesce(sql LIKE 'CREATE VIRTUAL%', 0), coalesce(sql LIKE '%COLLATE%', 0)
		FROM sqlite_master LIMIT ?2`, maxName, maxObjects+1)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []object
	for rows.Next() {
		var o object
		if err := rows.Scan(&o.typ, &o.name, &o.long, &o.table, &o.virtual, &o.collation); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// readTable reads a table's columns and foreign keys from the pragmas.
func readTable(ctx context.Context, q Querier, name string) (table, error) {
	t := table{columns: map[string]column{}}
	rows, err := q.QueryContext(ctx, `SELECT lower(name), upper(type), dflt_value, pk, hidden FROM pragma_table_xinfo(?) LIMIT ?`,
		name, maxColumns+1)
	if err != nil {
		return t, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			n, typ string
			c      column
		)
		if err := rows.Scan(&n, &typ, &c.dflt, &c.pk, &c.hidden); err != nil {
			return t, err
		}
		c.affinity = affinity(typ)
		t.columns[n] = c
	}
	if err := rows.Err(); err != nil {
		return t, err
	}
	rows, err = q.QueryContext(ctx, `SELECT lower("from"), lower("table"), lower(coalesce("to", '')), upper(on_update), upper(on_delete)
		FROM pragma_foreign_key_list(?) LIMIT ?`, name, maxKeys+1)
	if err != nil {
		return t, err
	}
	defer rows.Close()
	for rows.Next() {
		var from, parent, to, onUpdate, onDelete string
		if err := rows.Scan(&from, &parent, &to, &onUpdate, &onDelete); err != nil {
			return t, err
		}
		t.keys = append(t.keys, fmt.Sprintf("%s -> %s(%s) on update %s on delete %s", from, parent, to, onUpdate, onDelete))
	}
	slices.Sort(t.keys)
	return t, rows.Err()
}

// affinity is SQLite's type affinity of a declared type
// (https://www.sqlite.org/datatype3.html#determination_of_column_affinity).
func affinity(typ string) string {
	switch {
	case strings.Contains(typ, "INT"):
		return "INTEGER"
	case strings.Contains(typ, "CHAR"), strings.Contains(typ, "CLOB"), strings.Contains(typ, "TEXT"):
		return "TEXT"
	case typ == "", strings.Contains(typ, "BLOB"):
		return "BLOB"
	case strings.Contains(typ, "REAL"), strings.Contains(typ, "FLOA"), strings.Contains(typ, "DOUB"):
		return "REAL"
	}
	return "NUMERIC"
}

// HasTable reports whether the file holds a table called name.
func HasTable(ctx context.Context, q Querier, name string) (bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`, name)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	found := rows.Next()
	return found, rows.Err()
}

// CheckObjects refuses, with an *UnsafeError naming the first one, a file
// (path, for messages) holding views, triggers or virtual tables: their
// stored SQL or module code would run inside our queries.
func CheckObjects(ctx context.Context, q Querier, path string) error {
	objs, err := objects(ctx, q)
	if err != nil {
		return err
	}
	if len(objs) > maxObjects {
		return &UnsafeError{Path: path, Object: fmt.Sprintf("more than %d schema objects", maxObjects),
			Why: "a study file has about 20", WayOut: startOver(path)}
	}
	for _, o := range objs {
		name := o.name
		if o.long {
			name += "..."
		}
		switch {
		case o.typ == "view":
			return &UnsafeError{Path: path, Object: fmt.Sprintf("view %q", name),
				Why: "a view would run its own query inside ours (gradtune and Optuna create none)", WayOut: dropIt(path, "view", o.name, o.long)}
		case o.typ == "trigger":
			return &UnsafeError{Path: path, Object: fmt.Sprintf("trigger %q on %q", name, o.table),
				Why: "a trigger would run its own statements inside ours (gradtune and Optuna create none)", WayOut: dropIt(path, "trigger", o.name, o.long)}
		case o.typ == "table" && o.virtual:
			return &UnsafeError{Path: path, Object: fmt.Sprintf("virtual table %q", name),
				Why: "a virtual table runs module code (gradtune and Optuna create none)", WayOut: startOver(path)}
		}
	}
	return nil
}

// CheckTables compares the tables of spec that the file holds with spec:
// columns (names, type affinity, default, primary key, none generated),
// foreign keys (with their actions), and no collation in the table's or
// its indexes' SQL. A table of spec missing from the file is an error only
// with requireAll (else the caller creates it). Errors are *UnsafeError.
// Call CheckObjects first: a view of a spec table's name is not a table.
func CheckTables(ctx context.Context, q Querier, path string, spec *Spec, requireAll bool) error {
	objs, err := objects(ctx, q)
	if err != nil {
		return err
	}
	present, collated := map[string]bool{}, map[string]bool{}
	for _, o := range objs {
		if o.typ == "table" && !o.long {
			present[o.name] = true
		}
		if o.collation {
			collated[o.table] = true
		}
	}
	for _, name := range spec.Tables() {
		bad := func(why string) error {
			return &UnsafeError{Path: path, Object: fmt.Sprintf("table %q", name), Why: why, WayOut: startOver(path)}
		}
		switch {
		case !present[name] && requireAll:
			return bad("it is missing, and the other tables are there")
		case !present[name]:
			continue
		case collated[name]:
			return bad("it or one of its indexes declares a COLLATE sequence, which changes what our comparisons match")
		}
		got, err := readTable(ctx, q, name)
		if err != nil {
			return err
		}
		if why := spec.differs(name, got); why != "" {
			return bad(why)
		}
	}
	return nil
}

// differs says how got, the file's table name, differs from the spec's, or "".
func (s *Spec) differs(name string, got table) string {
	want := s.tables[name]
	for _, c := range slices.Sorted(maps.Keys(got.columns)) {
		if _, ok := want.columns[c]; !ok {
			return fmt.Sprintf("it has a column %q that gradtune does not create", c)
		}
	}
	for _, c := range slices.Sorted(maps.Keys(want.columns)) {
		w := want.columns[c]
		g, ok := got.columns[c]
		switch {
		case !ok && s.optional[name+"."+c]:
		case !ok:
			return fmt.Sprintf("it has no column %q", c)
		case g.hidden != 0:
			return fmt.Sprintf("its column %q is generated (computed by the file's own expression)", c)
		case g.affinity != w.affinity:
			return fmt.Sprintf("its column %q has %s type affinity, want %s (SQLite would convert our values)", c, g.affinity, w.affinity)
		case g.dflt != w.dflt:
			return fmt.Sprintf("its column %q has default %s, want %s", c, sqlText(g.dflt), sqlText(w.dflt))
		case g.pk != w.pk:
			return fmt.Sprintf("its column %q is at primary-key position %d, want %d", c, g.pk, w.pk)
		}
	}
	if !slices.Equal(got.keys, want.keys) {
		return fmt.Sprintf("its foreign keys are [%s], want [%s]", strings.Join(got.keys, "; "), strings.Join(want.keys, "; "))
	}
	return ""
}

func sqlText(s sql.NullString) string {
	if !s.Valid {
		return "none"
	}
	if len(s.String) > maxName {
		return s.String[:maxName] + "..."
	}
	return s.String
}

// PreCheck opens the file at dsn read-only (dsn must hold mode=ro and no
// PRAGMA that writes), runs check in one read transaction and closes it,
// so that a file refused is left exactly as it was. A file that does not
// exist or cannot be opened read-only (a hot journal to roll back) is not
// checked here; the caller checks it again in its first write transaction.
func PreCheck(ctx context.Context, dsn string, check func(ctx context.Context, q Querier) error) error {
	db, err := OpenDB(dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err == nil {
		defer tx.Rollback()
		err = check(ctx, tx)
	}
	var e *sqlite3.Error
	if errors.As(err, &e) && (e.Code()&0xff == sqlitelib.SQLITE_CANTOPEN || e.Code()&0xff == sqlitelib.SQLITE_READONLY) {
		return nil
	}
	return err
}
