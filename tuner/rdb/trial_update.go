package rdb

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/gradtune/gradtune/tuner"
)

// SetTrialParam implements tuner.Storage: it sets (or replaces) a parameter
// of a Running trial; tuner.ErrTrialFinished if the trial is not Running.
func (s *Storage) SetTrialParam(ctx context.Context, trialID int64, name string, internal float64, d tuner.Distribution) error {
	js, err := checkParam(name, internal, d)
	if err != nil {
		return err
	}
	return s.write(ctx, fmt.Sprintf("set parameter %q of trial id %d", name, trialID), func(t txn) error {
		if err := mustBeRunning(t, trialID); err != nil {
			return err
		}
		return putParam(t, trialID, name, internal, js)
	})
}

// SetTrialIntermediate implements tuner.Storage: it records (or replaces)
// the value at step of a Running trial; NaN and ±Inf are kept in
// intermediate_value_type, −0 in a system attribute.
func (s *Storage) SetTrialIntermediate(ctx context.Context, trialID int64, step int, value float64) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	if err := s.d.checkStep(step); err != nil {
		return err
	}
	return s.write(ctx, fmt.Sprintf("report step %d of trial id %d", step, trialID), func(t txn) error {
		if err := mustBeRunning(t, trialID); err != nil {
			return err
		}
		v, typ := encodeValue(value)
		if _, err := t.exec(`INSERT INTO trial_intermediate_values (trial_id, step, intermediate_value, intermediate_value_type)
			VALUES (?, ?, ?, ?) ON CONFLICT (trial_id, step)
			DO UPDATE SET intermediate_value = excluded.intermediate_value, intermediate_value_type = excluded.intermediate_value_type`,
			trialID, step, v, typ); err != nil {
			return err
		}
		return markNegZero(t, trialID, sysNegZeroStepStart+strconv.Itoa(step), value)
	})
}

// markNegZero records under key whether v is −0.
func markNegZero(t txn, trialID int64, key string, v float64) error {
	if v == 0 && math.Signbit(v) {
		return putJSON(t, "trial_system_attributes", trialID, key, "true")
	}
	return deleteSystem(t, trialID, key)
}

// SetTrialAttr implements tuner.Storage: it sets (or replaces) an attribute
// of a trial in any state, as tuner's memory storage does.
func (s *Storage) SetTrialAttr(ctx context.Context, trialID int64, key, value string) error {
	return s.write(ctx, fmt.Sprintf("set attribute %q of trial id %d", key, trialID), func(t txn) error {
		if _, _, err := trialState(t, trialID); err != nil {
			return err
		}
		return putAttr(t, trialID, key, value)
	})
}

// FinishTrial implements tuner.Storage: a Running trial becomes state
// (Complete, Pruned or Failed) with its values (trial_values rows, one per
// objective; none for a trial without values, as Optuna stores a failed
// trial), and a Failed one its kind and reason. The check and the update
// are one write transaction, so of several callers finishing one trial
// exactly one succeeds; the others get tuner.ErrTrialFinished.
func (s *Storage) FinishTrial(ctx context.Context, trialID int64, state tuner.TrialState, values []float64, kind tuner.FailKind, reason string) error {
	return s.write(ctx, fmt.Sprintf("finish trial id %d", trialID), func(t txn) error {
		return finish(t, trialID, state, values, kind, reason)
	})
}

// finish is FinishTrial inside the caller's write transaction.
func finish(t txn, trialID int64, state tuner.TrialState, values []float64, kind tuner.FailKind, reason string) error {
	if err := mustBeRunning(t, trialID); err != nil {
		return err
	}
	objectives, err := trialObjectives(t, trialID)
	if err != nil {
		return err
	}
	if err := tuner.CheckFinish(state, values, objectives, kind); err != nil {
		return err
	}
	name, err := stateName(state)
	if err != nil {
		return err
	}
	if _, err := t.exec(`UPDATE trials SET state = ?, datetime_complete = ? WHERE trial_id = ? AND state = 'RUNNING'`,
		name, encodeTime(time.Now()), trialID); err != nil {
		return err
	}
	for k, value := range values {
		v, typ := encodeValue(value)
		if _, err := t.exec(`INSERT INTO trial_values (trial_id, objective, value, value_type) VALUES (?, ?, ?, ?)`,
			trialID, k, v, typ); err != nil {
			return err
		}
		if err := markNegZero(t, trialID, negZeroValueKey(k), value); err != nil {
			return err
		}
	}
	if kind != "" {
		if err := putJSON(t, "trial_system_attributes", trialID, sysFailKind, pyString(string(kind))); err != nil {
			return err
		}
	}
	if reason != "" {
		return putJSON(t, "trial_system_attributes", trialID, sysFailReason, pyString(reason))
	}
	return nil
}

// trialObjectives returns the number of objectives of a trial's study
// (its study_directions rows).
func trialObjectives(t txn, trialID int64) (int, error) {
	var n int
	err := t.row(`SELECT COUNT(*) FROM study_directions d JOIN trials t ON t.study_id = d.study_id WHERE t.trial_id = ?`, trialID).Scan(&n)
	return n, err
}

// trialState returns a trial's state and number; tuner.ErrStorage if there
// is no such trial.
func trialState(t txn, trialID int64) (tuner.TrialState, int, error) {
	var (
		name   string
		number sql.NullInt64
	)
	err := t.row(`SELECT state, number FROM trials WHERE trial_id = ?`, trialID).Scan(&name, &number)
	if err == sql.ErrNoRows {
		return 0, 0, fmt.Errorf("%w: no trial id %d", tuner.ErrStorage, trialID)
	}
	if err != nil {
		return 0, 0, err
	}
	st, err := parseState(name)
	return st, int(number.Int64), err
}

// mustBeRunning fails with tuner.ErrTrialFinished unless the trial is
// Running. Inside the write transaction the answer holds until commit.
func mustBeRunning(t txn, trialID int64) error {
	st, number, err := trialState(t, trialID)
	if err != nil {
		return err
	}
	if st != tuner.Running {
		return fmt.Errorf("%w: trial %d is %v", tuner.ErrTrialFinished, number, st)
	}
	return nil
}
