package rdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/gradtune/gradtune/tuner"
)

// ErrNoStudy is wrapped by StudyDirections' error when the database holds
// no study of the name asked for.
var ErrNoStudy = errors.New("rdb: no such study")

// studiesNamed bounds how many study names ErrNoStudy's message lists.
const studiesNamed = 10

// StudyDirections returns the directions of the study called name, one per
// objective, as tuner.Config.Directions takes them, in one read-only
// transaction: a program that reads a study it did not create (a report, a
// dashboard) learns how to open it without writing anything. A study that
// does not exist is an error wrapping ErrNoStudy that names the studies the
// database holds (the first 10 by name); a nil ctx or Storage one wrapping
// tuner.ErrConfig; a database error one wrapping tuner.ErrStorage.
func (s *Storage) StudyDirections(ctx context.Context, name string) ([]tuner.Direction, error) {
	var dirs []tuner.Direction
	var others []string
	found := false
	err := s.read(ctx, fmt.Sprintf("find study %q", name), func(t txn) error {
		dirs, others, found = nil, nil, false
		var id int64
		err := t.row(`SELECT study_id FROM studies WHERE study_name = ?`, name).Scan(&id)
		if err == sql.ErrNoRows {
			others, err = studyNames(t, studiesNamed+1)
			return err
		}
		if err != nil {
			return err
		}
		found = true
		stored, err := studyDirections(t, id)
		if err != nil {
			return err
		}
		for _, n := range stored {
			d, err := parseDirection(n)
			if err != nil {
				return err
			}
			dirs = append(dirs, d)
		}
		return nil
	})
	switch {
	case err != nil:
		return nil, err
	case found && len(dirs) == 0:
		return nil, fmt.Errorf("%w: rdb: study %q in %s has no direction", tuner.ErrStorage, name, s.where)
	case found:
		return dirs, nil
	case len(others) == 0:
		return nil, fmt.Errorf("%w: %q in %s, which holds no study", ErrNoStudy, name, s.where)
	}
	quoted := make([]string, min(len(others), studiesNamed))
	for i := range quoted {
		quoted[i] = fmt.Sprintf("%q", others[i])
	}
	list := strings.Join(quoted, ", ")
	if len(others) > studiesNamed {
		list += ", …"
	}
	return nil, fmt.Errorf("%w: %q in %s, which holds %s", ErrNoStudy, name, s.where, list)
}

// studyNames returns up to limit study names, sorted.
func studyNames(t txn, limit int) ([]string, error) {
	rows, err := t.query(`SELECT study_name FROM studies ORDER BY study_name LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	var names []string
	err = eachRow(rows, func() error {
		var n string
		if err := rows.Scan(&n); err != nil {
			return err
		}
		names = append(names, n)
		return nil
	})
	return names, err
}

// SQLitePath returns the file a sqlite:/// storage URL names, as Open
// reads it (sqlite:///relative/path.db, sqlite:////absolute/path.db), so
// that a program can check the file exists before Open, which creates it.
// Another scheme, or a malformed URL, is an error wrapping
// tuner.ErrConfig.
func SQLitePath(storageURL string) (string, error) {
	return sqlitePathOf(storageURL)
}
