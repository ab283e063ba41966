package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/gradtune/gradtune/tuner"
)

// GetOrCreateStudy implements tuner.Storage: the id of the study called
// name, created with dir if it does not exist. A study stored with another
// direction is an error wrapping tuner.ErrConfig.
func (s *Storage) GetOrCreateStudy(ctx context.Context, name string, dir tuner.Direction) (id int64, created bool, err error) {
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
			return fmt.Errorf("%w: study %q exists with direction %v, not %v", tuner.ErrConfig, name, have, dir)
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
