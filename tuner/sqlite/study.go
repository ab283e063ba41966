package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/gradtune/gradtune/tuner"
)

// GetOrCreateStudy implements tuner.Storage: the id of the study called
// name, created with dirs if it does not exist. This schema keeps one
// objective per study: several directions are refused with an error
// wrapping tuner.ErrConfig that names tuner/rdb, whose schema (Optuna's)
// keeps them all. A study stored with another direction is an error
// wrapping tuner.ErrConfig. Either way nothing is written.
func (s *Storage) GetOrCreateStudy(ctx context.Context, name string, dirs []tuner.Direction) (id int64, created bool, err error) {
	if err := tuner.CheckDirections(name, nil, dirs); err != nil {
		return 0, false, err
	}
	if len(dirs) != 1 {
		return 0, false, fmt.Errorf("%w: study %q has %d objectives (directions %v), and tuner/sqlite keeps one per study: store it with tuner/rdb (rdb.OpenSQLite), whose schema, Optuna's, keeps them all",
			tuner.ErrConfig, name, len(dirs), dirs)
	}
	dir := dirs[0]
	want, err := directionName(dir)
	if err != nil {
		return 0, false, err
	}
	err = s.write(ctx, fmt.Sprintf("open study %q", name), func(tx *sql.Tx) error {
		var stored string
		err := tx.QueryRowContext(ctx, `SELECT study_id, direction FROM studies WHERE study_name = ?`, name).Scan(&id, &stored)
		switch {
		case err == sql.ErrNoRows:
			created = true
			return tx.QueryRowContext(ctx, `INSERT INTO studies (study_name, direction) VALUES (?, ?) RETURNING study_id`,
				name, want).Scan(&id)
		case err != nil:
			return err
		case stored != want:
			have, err := parseDirection(stored)
			if err != nil {
				return err
			}
			return tuner.CheckDirections(name, []tuner.Direction{have}, dirs)
		}
		return nil
	})
	if err != nil {
		return 0, false, err
	}
	return id, created, nil
}

// studyExists fails with tuner.ErrStorage if there is no study id.
func studyExists(ctx context.Context, tx *sql.Tx, id int64) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM studies WHERE study_id = ?`, id).Scan(&one)
	if err == sql.ErrNoRows {
		return fmt.Errorf("%w: no study %d", tuner.ErrStorage, id)
	}
	return err
}
