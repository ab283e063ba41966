package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"

	"github.com/gradtune/gradtune/tuner"
)

// SetTrialParam implements tuner.Storage: it sets (or replaces) a parameter
// of a Running trial; tuner.ErrTrialFinished if the trial is not Running.
func (s *Storage) SetTrialParam(ctx context.Context, trialID int64, name string, internal float64, d tuner.Distribution) error {
	if err := checkParam(name, internal, d); err != nil {
		return err
	}
	return s.write(ctx, fmt.Sprintf("set parameter %q of trial id %d", name, trialID), func(tx *sql.Tx) error {
		if err := mustBeRunning(ctx, tx, trialID); err != nil {
			return err
		}
		return putParam(ctx, tx, trialID, name, internal, d)
	})
}

// SetTrialIntermediate implements tuner.Storage: it records (or replaces)
// the value at step of a Running trial; NaN and ±Inf are kept.
func (s *Storage) SetTrialIntermediate(ctx context.Context, trialID int64, step int, value float64) error {
	return s.write(ctx, fmt.Sprintf("report step %d of trial id %d", step, trialID), func(tx *sql.Tx) error {
		if err := mustBeRunning(ctx, tx, trialID); err != nil {
			return err
		}
		v, typ := encodeValue(value)
		_, err := tx.ExecContext(ctx, `INSERT INTO trial_intermediate_values (trial_id, step, value, value_type)
			VALUES (?, ?, ?, ?) ON CONFLICT (trial_id, step)
			DO UPDATE SET value = excluded.value, value_type = excluded.value_type`, trialID, step, v, typ)
		return err
	})
}

// SetTrialAttr implements tuner.Storage: it sets (or replaces) an attribute
// of a trial in any state, as tuner's memory storage does.
func (s *Storage) SetTrialAttr(ctx context.Context, trialID int64, key, value string) error {
	return s.write(ctx, fmt.Sprintf("set attribute %q of trial id %d", key, trialID), func(tx *sql.Tx) error {
		if _, _, err := trialState(ctx, tx, trialID); err != nil {
			return err
		}
		return putAttr(ctx, tx, trialID, key, value)
	})
}

// FinishTrial implements tuner.Storage: a Running trial becomes state
// (Complete, Pruned or Failed) with its value (one objective: values holds
// one or none; none is stored as NaN, as before), and a Failed one its
// kind and reason. The check and the update are one IMMEDIATE transaction,
// so of several callers (goroutines or processes) finishing one trial
// exactly one succeeds; the others get tuner.ErrTrialFinished.
func (s *Storage) FinishTrial(ctx context.Context, trialID int64, state tuner.TrialState, values []float64, kind tuner.FailKind, reason string) error {
	return s.write(ctx, fmt.Sprintf("finish trial id %d", trialID), func(tx *sql.Tx) error {
		if err := mustBeRunning(ctx, tx, trialID); err != nil {
			return err
		}
		if err := tuner.CheckFinish(state, values, 1, kind); err != nil {
			return err
		}
		value := math.NaN()
		if len(values) == 1 {
			value = values[0]
		}
		name, err := stateName(state)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE trials SET state = ?, datetime_complete = ?, fail_reason = ?, fail_kind = ?
			WHERE trial_id = ? AND state = 'RUNNING'`, name, encodeTime(time.Now()), reason, string(kind), trialID); err != nil {
			return err
		}
		v, typ := encodeValue(value)
		_, err = tx.ExecContext(ctx, `INSERT INTO trial_values (trial_id, value, value_type) VALUES (?, ?, ?)`, trialID, v, typ)
		return err
	})
}

// trialState returns a trial's state and number; tuner.ErrStorage if there
// is no such trial.
func trialState(ctx context.Context, tx *sql.Tx, trialID int64) (tuner.TrialState, int, error) {
	var (
		name   string
		number int
	)
	err := tx.QueryRowContext(ctx, `SELECT state, number FROM trials WHERE trial_id = ?`, trialID).Scan(&name, &number)
	if err == sql.ErrNoRows {
		return 0, 0, fmt.Errorf("%w: no trial id %d", tuner.ErrStorage, trialID)
	}
	if err != nil {
		return 0, 0, err
	}
	st, err := parseState(name)
	return st, number, err
}

// mustBeRunning fails with tuner.ErrTrialFinished unless the trial is
// Running. Inside an IMMEDIATE transaction the answer holds until commit.
func mustBeRunning(ctx context.Context, tx *sql.Tx, trialID int64) error {
	st, number, err := trialState(ctx, tx, trialID)
	if err != nil {
		return err
	}
	if st != tuner.Running {
		return fmt.Errorf("%w: trial %d is %v", tuner.ErrTrialFinished, number, st)
	}
	return nil
}
