package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/internal/studyfile"
)

// Trials implements tuner.Storage: every trial of the study, ordered by
// number, read from one snapshot.
func (s *Storage) Trials(ctx context.Context, studyID int64) ([]tuner.FrozenTrial, error) {
	var out []tuner.FrozenTrial
	err := s.read(ctx, fmt.Sprintf("trials of study %d", studyID), func(tx *sql.Tx) error {
		if err := studyExists(ctx, tx, studyID); err != nil {
			return err
		}
		var err error
		out, err = loadTrials(ctx, tx, byStudy, studyID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// The trials loadTrials reads: a WHERE clause on trials t, with one argument.
const (
	byStudy = `t.study_id = ?`
	byTrial = `t.trial_id = ?`
)

// loadTrials reads the trials selected by where (byStudy or byTrial) with
// their values, parameters, intermediate values and attributes, ordered by
// number: at most studyfile.MaxTrials trials and its per-trial limits.
func loadTrials(ctx context.Context, tx *sql.Tx, where string, arg int64) ([]tuner.FrozenTrial, error) {
	rows, err := tx.QueryContext(ctx, `SELECT t.trial_id, t.number, t.state, t.datetime_start, t.datetime_complete,
		t.fail_kind, t.fail_reason, v.value, v.value_type
		FROM trials t LEFT JOIN trial_values v ON v.trial_id = t.trial_id
		WHERE `+where+` ORDER BY t.number LIMIT ?`, arg, studyfile.MaxTrials+1)
	if err != nil {
		return nil, err
	}
	out := []tuner.FrozenTrial{} // never nil, as in tuner's memory storage
	index := map[int64]int{}
	count := studyfile.NewCounter("trials", studyfile.MaxTrials, 0)
	err = eachRow(rows, func() error {
		var (
			ft         tuner.FrozenTrial
			number     int64
			state      string
			kind       string
			start, end sql.NullInt64
			value      sql.NullFloat64
			valueType  sql.NullString
		)
		if err := rows.Scan(&ft.ID, &number, &state, &start, &end, &kind, &ft.FailReason, &value, &valueType); err != nil {
			return err
		}
		if err := count.Row(ft.ID); err != nil {
			return err
		}
		st, err := parseState(state)
		if err != nil {
			return err
		}
		ft.Number, ft.State, ft.Start, ft.Complete = int(number), st, decodeTime(start), decodeTime(end)
		ft.FailKind = failKind(st, kind, ft.FailReason)
		ft.Value = math.NaN() // no value yet (Running, Waiting), as in tuner's memory storage
		if valueType.Valid {
			if ft.Value, err = decodeValue(value, valueType.String); err != nil {
				return err
			}
		}
		if !math.IsNaN(ft.Value) {
			ft.Values = []float64{ft.Value} // one objective; NaN is no value
		}
		ft.Params, ft.Internal, ft.Distributions = map[string]any{}, map[string]float64{}, map[string]tuner.Distribution{}
		ft.Intermediate, ft.Attrs = map[int]float64{}, map[string]string{}
		index[ft.ID] = len(out)
		out = append(out, ft)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := loadParams(ctx, tx, where, arg, out, index); err != nil {
		return nil, err
	}
	if err := loadIntermediate(ctx, tx, where, arg, out, index); err != nil {
		return nil, err
	}
	if err := loadAttrs(ctx, tx, where, arg, out, index); err != nil {
		return nil, err
	}
	return out, nil
}

func loadParams(ctx context.Context, tx *sql.Tx, where string, arg int64, out []tuner.FrozenTrial, index map[int64]int) error {
	rows, err := tx.QueryContext(ctx, `SELECT p.trial_id, p.param_name, p.param_value, p.distribution_json
		FROM trial_params p JOIN trials t ON t.trial_id = p.trial_id WHERE `+where, arg)
	if err != nil {
		return err
	}
	dists := map[string]tuner.Distribution{} // most trials share a few distributions
	count := studyfile.NewCounter("parameters", 0, studyfile.MaxParamsPerTrial)
	return eachRow(rows, func() error {
		var (
			id       int64
			name, js string
			x        float64
		)
		if err := rows.Scan(&id, &name, &x, &js); err != nil {
			return err
		}
		if err := count.Row(id); err != nil {
			return err
		}
		d, ok := dists[js]
		if !ok {
			var err error
			if d, err = tuner.UnmarshalDistribution(js); err != nil {
				return err
			}
			dists[js] = d
		}
		// A categorical index outside the choices would panic in FromInternal.
		if _, cat := d.(tuner.CategoricalDist); cat && !d.Contains(x) {
			return fmt.Errorf("%w: trial id %d: parameter %q = %v, not a choice of %v", tuner.ErrStorage, id, name, x, d)
		}
		t := &out[index[id]]
		t.Params[name], t.Internal[name], t.Distributions[name] = d.FromInternal(x), x, d
		return nil
	})
}

func loadIntermediate(ctx context.Context, tx *sql.Tx, where string, arg int64, out []tuner.FrozenTrial, index map[int64]int) error {
	rows, err := tx.QueryContext(ctx, `SELECT i.trial_id, i.step, i.value, i.value_type
		FROM trial_intermediate_values i JOIN trials t ON t.trial_id = i.trial_id WHERE `+where, arg)
	if err != nil {
		return err
	}
	count := studyfile.NewCounter("intermediate values", 0, studyfile.MaxStepsPerTrial)
	return eachRow(rows, func() error {
		var (
			id, step int64
			value    sql.NullFloat64
			typ      string
		)
		if err := rows.Scan(&id, &step, &value, &typ); err != nil {
			return err
		}
		if err := count.Row(id); err != nil {
			return err
		}
		v, err := decodeValue(value, typ)
		if err != nil {
			return err
		}
		out[index[id]].Intermediate[int(step)] = v
		return nil
	})
}

func loadAttrs(ctx context.Context, tx *sql.Tx, where string, arg int64, out []tuner.FrozenTrial, index map[int64]int) error {
	rows, err := tx.QueryContext(ctx, `SELECT a.trial_id, a.key, a.value
		FROM trial_attributes a JOIN trials t ON t.trial_id = a.trial_id WHERE `+where, arg)
	if err != nil {
		return err
	}
	count := studyfile.NewCounter("attributes", 0, studyfile.MaxAttrsPerTrial)
	return eachRow(rows, func() error {
		var (
			id         int64
			key, value string
		)
		if err := rows.Scan(&id, &key, &value); err != nil {
			return err
		}
		if err := count.Row(id); err != nil {
			return err
		}
		out[index[id]].Attrs[key] = value
		return nil
	})
}

// failKind is the kind of a trial in state st, stored as kind with reason:
// none unless Failed; LegacyFailKind(reason) for a Failed trial written
// before fail kinds (schema version 1, or a version-1 process).
func failKind(st tuner.TrialState, kind, reason string) tuner.FailKind {
	switch {
	case st != tuner.Failed:
		return ""
	case kind == "":
		return tuner.LegacyFailKind(reason)
	}
	return tuner.FailKind(kind)
}

// eachRow calls fn for every row, then closes rows and reports the first error.
func eachRow(rows *sql.Rows, fn func() error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(); err != nil {
			return err
		}
	}
	return rows.Err()
}
