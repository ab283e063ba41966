package rdb

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

// CreateTrial implements tuner.Storage. In one write transaction it claims
// the study's oldest Waiting trial, now Running with its queued
// parameters, or else inserts a Running trial numbered as Optuna numbers
// it (the count of the study's earlier trials), sets attrs on it, and with
// a claim reads the other trials holding claim.Key, lets claim.Pick choose
// and stores the value. On SQLite the transaction is BEGIN IMMEDIATE: the
// file's write lock makes it atomic across goroutines and processes, so no
// two callers get the same queued trial, number or claimed value; a failed
// Pick rolls everything back.
func (s *Storage) CreateTrial(ctx context.Context, studyID int64, attrs map[string]string, claim *tuner.Claim) (tuner.FrozenTrial, error) {
	var ft tuner.FrozenTrial
	err := s.write(ctx, fmt.Sprintf("create trial in study %d", studyID), func(t txn) error {
		if err := lockStudy(t, studyID); err != nil {
			return err
		}
		now := encodeTime(time.Now())
		var id int64
		err := t.row(`UPDATE trials SET state = 'RUNNING', datetime_start = ?
			WHERE trial_id = (SELECT trial_id FROM trials WHERE study_id = ? AND state = 'WAITING'
				ORDER BY number, trial_id LIMIT 1`+t.d.lockWaiting+`)
			RETURNING trial_id`, now, studyID).Scan(&id)
		if err == sql.ErrNoRows {
			id, err = insertTrial(t, studyID, "RUNNING", now)
		}
		if err != nil {
			return err
		}
		for k, v := range attrs {
			if err := putAttr(t, id, k, v); err != nil {
				return err
			}
		}
		trials, err := loadTrials(t, byTrial, id)
		if err != nil {
			return err
		}
		ft = trials[0]
		if claim == nil {
			return nil
		}
		others, err := claimHolders(t, studyID, id, claim.Key)
		if err != nil {
			return err
		}
		value, err := claim.Choose(ft, others)
		if err != nil {
			return err
		}
		ft.Attrs[claim.Key] = value
		return putAttr(t, id, claim.Key, value)
	})
	if err != nil {
		return tuner.FrozenTrial{}, err
	}
	return ft, nil
}

// insertTrial adds a trial numbered by Optuna's count_past_trials: the
// count of the study's trials with a smaller trial_id, which the write
// transaction keeps final. start is NULL when "" (Waiting).
func insertTrial(t txn, studyID int64, state, start string) (int64, error) {
	var startCol any
	if start != "" {
		startCol = start
	}
	var id int64
	err := t.row(`INSERT INTO trials (number, study_id, state, datetime_start)
		VALUES ((SELECT count(*) FROM trials WHERE study_id = ?), ?, ?, ?) RETURNING trial_id`,
		studyID, studyID, state, startCol).Scan(&id)
	return id, err
}

// claimHolders returns the study's trials other than trialID that have
// attribute key, with what a tuner.Claim's Pick reads: ID, Number, State,
// FailKind, FailReason and that attribute.
func claimHolders(t txn, studyID, trialID int64, attr string) ([]tuner.FrozenTrial, error) {
	table, key := attrTable(attr)
	rows, err := t.query(`SELECT t.trial_id, t.number, t.state, a.value_json, k.value_json, r.value_json
		FROM trials t JOIN `+table+` a ON a.trial_id = t.trial_id AND a."key" = ?
		LEFT JOIN trial_system_attributes k ON k.trial_id = t.trial_id AND k."key" = ?
		LEFT JOIN trial_system_attributes r ON r.trial_id = t.trial_id AND r."key" = ?
		WHERE t.study_id = ? AND t.trial_id <> ? ORDER BY t.number LIMIT ?`, key, sysFailKind, sysFailReason, studyID, trialID,
		studyfile.MaxTrials+1)
	if err != nil {
		return nil, err
	}
	var out []tuner.FrozenTrial
	count := studyfile.NewCounter("trials holding the claimed attribute", studyfile.MaxTrials, 0)
	err = eachRow(rows, func() error {
		var (
			ft           tuner.FrozenTrial
			number       int64
			state, value string
			kind, reason sql.NullString
		)
		if err := rows.Scan(&ft.ID, &number, &state, &value, &kind, &reason); err != nil {
			return err
		}
		if err := count.Row(ft.ID); err != nil {
			return err
		}
		st, err := parseState(state)
		if err != nil {
			return err
		}
		ft.FailReason = decodeAttr(reason.String)
		ft.Number, ft.State, ft.FailKind = int(number), st, failKind(st, decodeAttr(kind.String), ft.FailReason)
		ft.Attrs = map[string]string{attr: decodeAttr(value)}
		out = append(out, ft)
		return nil
	})
	return out, err
}

// EnqueueTrial implements tuner.Storage: a Waiting trial, numbered now,
// with fixed parameters (internal values, each with its distribution) in
// trial_params, where Optuna's Trial finds them as already suggested, and
// attributes attrs, which the trial keeps when it is claimed.
func (s *Storage) EnqueueTrial(ctx context.Context, studyID int64, params map[string]float64, dists map[string]tuner.Distribution, attrs map[string]string) error {
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	sort.Strings(names)
	jsons := map[string]string{}
	for _, name := range names {
		js, err := checkParam(name, params[name], dists[name])
		if err != nil {
			return err
		}
		jsons[name] = js
	}
	return s.write(ctx, fmt.Sprintf("enqueue trial in study %d", studyID), func(t txn) error {
		if err := lockStudy(t, studyID); err != nil {
			return err
		}
		return enqueue(t, studyID, names, params, jsons, attrs)
	})
}

// enqueue inserts a Waiting trial with the parameters names (checked, with
// their distributions' JSON) and attrs, inside the caller's transaction.
func enqueue(t txn, studyID int64, names []string, params map[string]float64, jsons, attrs map[string]string) error {
	id, err := insertTrial(t, studyID, "WAITING", "")
	if err != nil {
		return err
	}
	for _, name := range names {
		if err := putParam(t, id, name, params[name], jsons[name]); err != nil {
			return err
		}
	}
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys) // one order of writes, whatever the map's
	for _, k := range keys {
		if err := putAttr(t, id, k, attrs[k]); err != nil {
			return err
		}
	}
	return nil
}

// checkParam refuses what trial_params cannot hold or give back (no
// distribution, NaN, a categorical index outside the choices, a choice
// Optuna's JSON cannot hold) and returns the distribution's JSON.
func checkParam(name string, x float64, d tuner.Distribution) (string, error) {
	switch _, cat := d.(tuner.CategoricalDist); {
	case d == nil:
		return "", fmt.Errorf("%w: parameter %q has no distribution", tuner.ErrConfig, name)
	case math.IsNaN(x):
		return "", fmt.Errorf("%w: parameter %q = NaN, want a number in %v", tuner.ErrConfig, name, d)
	case cat && !d.Contains(x):
		return "", fmt.Errorf("%w: parameter %q = %v, want a choice index of %v", tuner.ErrConfig, name, x, d)
	}
	js, err := MarshalDistribution(d)
	if err != nil {
		return "", fmt.Errorf("parameter %q: %v: %w", name, d, err)
	}
	return js, nil
}

// putParam inserts or replaces one parameter of a trial.
func putParam(t txn, trialID int64, name string, x float64, distJSON string) error {
	_, err := t.exec(`INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json)
		VALUES (?, ?, ?, ?) ON CONFLICT (trial_id, param_name)
		DO UPDATE SET param_value = excluded.param_value, distribution_json = excluded.distribution_json`,
		trialID, name, x, distJSON)
	return err
}
