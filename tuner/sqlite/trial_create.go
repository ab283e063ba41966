package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/internal/studyfile"
)

// CreateTrial implements tuner.Storage. In one BEGIN IMMEDIATE transaction
// it claims the study's oldest Waiting trial (lowest number), now Running
// with its queued parameters, or else inserts a Running trial numbered by
// the count of the study's trials, sets attrs on it, and with a claim reads
// the other trials holding claim.Key, lets claim.Pick choose and sets the
// value. The write lock makes it all atomic across goroutines and
// processes: no two callers get the same queued trial, the same number or
// the same claimed value; a failed Pick rolls everything back.
func (s *Storage) CreateTrial(ctx context.Context, studyID int64, attrs map[string]string, claim *tuner.Claim) (tuner.FrozenTrial, error) {
	var ft tuner.FrozenTrial
	err := s.write(ctx, fmt.Sprintf("create trial in study %d", studyID), func(tx *sql.Tx) error {
		if err := studyExists(ctx, tx, studyID); err != nil {
			return err
		}
		now := encodeTime(time.Now())
		var id int64
		err := tx.QueryRowContext(ctx, `UPDATE trials SET state = 'RUNNING', datetime_start = ?
			WHERE trial_id = (SELECT trial_id FROM trials WHERE study_id = ? AND state = 'WAITING' ORDER BY number LIMIT 1)
			RETURNING trial_id`, now, studyID).Scan(&id)
		if err == sql.ErrNoRows {
			id, err = insertTrial(ctx, tx, studyID, "RUNNING", now)
		}
		if err != nil {
			return err
		}
		for k, v := range attrs {
			if err := putAttr(ctx, tx, id, k, v); err != nil {
				return err
			}
		}
		trials, err := loadTrials(ctx, tx, byTrial, id)
		if err != nil {
			return err
		}
		ft = trials[0]
		if claim == nil {
			return nil
		}
		others, err := claimHolders(ctx, tx, studyID, id, claim.Key)
		if err != nil {
			return err
		}
		value, err := claim.Choose(ft, others)
		if err != nil {
			return err
		}
		ft.Attrs[claim.Key] = value
		return putAttr(ctx, tx, id, claim.Key, value)
	})
	if err != nil {
		return tuner.FrozenTrial{}, err
	}
	return ft, nil
}

// claimHolders returns the study's trials other than trialID that have
// attribute key, with what a tuner.Claim's Pick reads: ID, Number, State,
// FailKind, FailReason and that attribute.
func claimHolders(ctx context.Context, tx *sql.Tx, studyID, trialID int64, key string) ([]tuner.FrozenTrial, error) {
	rows, err := tx.QueryContext(ctx, `SELECT t.trial_id, t.number, t.state, t.fail_kind, t.fail_reason, a.value
		FROM trials t JOIN trial_attributes a ON a.trial_id = t.trial_id
		WHERE t.study_id = ? AND a.key = ? AND t.trial_id <> ? ORDER BY t.number LIMIT ?`, studyID, key, trialID, studyfile.MaxTrials+1)
	if err != nil {
		return nil, err
	}
	var out []tuner.FrozenTrial
	count := studyfile.NewCounter("trials holding the claimed attribute", studyfile.MaxTrials, 0)
	err = eachRow(rows, func() error {
		var (
			ft                 tuner.FrozenTrial
			number             int64
			state, kind, value string
		)
		if err := rows.Scan(&ft.ID, &number, &state, &kind, &ft.FailReason, &value); err != nil {
			return err
		}
		if err := count.Row(ft.ID); err != nil {
			return err
		}
		st, err := parseState(state)
		if err != nil {
			return err
		}
		ft.Number, ft.State, ft.FailKind = int(number), st, failKind(st, kind, ft.FailReason)
		ft.Attrs = map[string]string{key: value}
		out = append(out, ft)
		return nil
	})
	return out, err
}

// putAttr inserts or replaces one attribute of a trial.
func putAttr(ctx context.Context, tx *sql.Tx, trialID int64, key, value string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO trial_attributes (trial_id, key, value) VALUES (?, ?, ?)
		ON CONFLICT (trial_id, key) DO UPDATE SET value = excluded.value`, trialID, key, value)
	return err
}

// insertTrial adds a trial numbered by the count of the study's trials;
// the caller's IMMEDIATE transaction makes the count final. start is NULL
// when 0 (a Waiting trial has not started).
func insertTrial(ctx context.Context, tx *sql.Tx, studyID int64, state string, start int64) (int64, error) {
	var startCol any
	if start != 0 {
		startCol = start
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO trials (number, study_id, state, datetime_start)
		VALUES ((SELECT count(*) FROM trials WHERE study_id = ?1), ?1, ?2, ?3) RETURNING trial_id`,
		studyID, state, startCol).Scan(&id)
	return id, err
}

// EnqueueTrial implements tuner.Storage: a Waiting trial, numbered now,
// with fixed parameters (internal values, each with its distribution) and
// attributes.
func (s *Storage) EnqueueTrial(ctx context.Context, studyID int64, params map[string]float64, dists map[string]tuner.Distribution, attrs map[string]string) error {
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	sort.Strings(names) // a stable insertion order, for people reading the file
	for _, name := range names {
		if err := checkParam(name, params[name], dists[name]); err != nil {
			return err
		}
	}
	return s.write(ctx, fmt.Sprintf("enqueue trial in study %d", studyID), func(tx *sql.Tx) error {
		if err := studyExists(ctx, tx, studyID); err != nil {
			return err
		}
		id, err := insertTrial(ctx, tx, studyID, "WAITING", 0)
		if err != nil {
			return err
		}
		for _, name := range names {
			if err := putParam(ctx, tx, id, name, params[name], dists[name]); err != nil {
				return err
			}
		}
		for k, v := range attrs {
			if err := putAttr(ctx, tx, id, k, v); err != nil {
				return err
			}
		}
		return nil
	})
}

// checkParam refuses what the params table cannot hold or give back: no
// distribution, a NaN (SQLite stores NULL), a categorical index outside the
// choices.
func checkParam(name string, x float64, d tuner.Distribution) error {
	switch _, cat := d.(tuner.CategoricalDist); {
	case d == nil:
		return fmt.Errorf("%w: parameter %q has no distribution", tuner.ErrConfig, name)
	case math.IsNaN(x):
		return fmt.Errorf("%w: parameter %q = NaN, want a number in %v", tuner.ErrConfig, name, d)
	case cat && !d.Contains(x):
		return fmt.Errorf("%w: parameter %q = %v, want a choice index of %v", tuner.ErrConfig, name, x, d)
	}
	return nil
}

// putParam inserts or replaces one parameter of a trial.
func putParam(ctx context.Context, tx *sql.Tx, trialID int64, name string, x float64, d tuner.Distribution) error {
	js, err := tuner.MarshalDistribution(d)
	if err != nil {
		return fmt.Errorf("%w: parameter %q: %v: %w", tuner.ErrConfig, name, d, err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json)
		VALUES (?, ?, ?, ?) ON CONFLICT (trial_id, param_name)
		DO UPDATE SET param_value = excluded.param_value, distribution_json = excluded.distribution_json`,
		trialID, name, x, js)
	return err
}
