package rdb

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/internal/studyfile"
)

// GetOrCreateStudy implements tuner.Storage: the id of the study called
// name, created with dirs (study_directions rows 0, 1, … as Optuna keeps
// them) if it does not exist. A study stored with other directions, in
// number or way, is an error wrapping tuner.ErrConfig, and nothing is
// written.
func (s *Storage) GetOrCreateStudy(ctx context.Context, name string, dirs []tuner.Direction) (id int64, created bool, err error) {
	if err := tuner.CheckDirections(name, nil, dirs); err != nil {
		return 0, false, err
	}
	names := make([]string, len(dirs))
	for i, d := range dirs {
		if names[i], err = directionName(d); err != nil {
			return 0, false, err
		}
	}
	err = s.write(ctx, fmt.Sprintf("open study %q", name), func(t txn) error {
		created = false // a retried transaction starts over
		err := t.row(`SELECT study_id FROM studies WHERE study_name = ?`, name).Scan(&id)
		if err == sql.ErrNoRows {
			created = true
			if err := t.row(`INSERT INTO studies (study_name) VALUES (?) RETURNING study_id`, name).Scan(&id); err != nil {
				return err
			}
			for k, d := range names {
				if _, err := t.exec(`INSERT INTO study_directions (direction, study_id, objective) VALUES (?, ?, ?)`, d, id, k); err != nil {
					return err
				}
			}
			return nil
		}
		if err != nil {
			return err
		}
		stored, err := studyDirections(t, id)
		if err != nil {
			return err
		}
		have := make([]tuner.Direction, len(stored))
		for i, n := range stored {
			if have[i], err = parseDirection(n); err != nil {
				return err
			}
		}
		return tuner.CheckDirections(name, have, dirs)
	})
	if err != nil {
		return 0, false, err
	}
	return id, created, nil
}

func studyDirections(t txn, id int64) ([]string, error) {
	rows, err := t.query(`SELECT direction FROM study_directions WHERE study_id = ? ORDER BY objective LIMIT ?`, id, studyfile.MaxRowsSmall+1)
	if err != nil {
		return nil, err
	}
	var dirs []string
	count := studyfile.NewCounter("objectives", studyfile.MaxRowsSmall, 0)
	err = eachRow(rows, func() error {
		var d string
		if err := rows.Scan(&d); err != nil {
			return err
		}
		if err := count.Row(0); err != nil {
			return err
		}
		dirs = append(dirs, d)
		return nil
	})
	return dirs, err
}

// studyExists fails with tuner.ErrStorage if there is no study id.
func studyExists(t txn, id int64) error {
	var one int
	err := t.row(`SELECT 1 FROM studies WHERE study_id = ?`, id).Scan(&one)
	if err == sql.ErrNoRows {
		return fmt.Errorf("%w: no study %d", tuner.ErrStorage, id)
	}
	return err
}
