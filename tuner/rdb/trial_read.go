package rdb

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/internal/studyfile"
)

// Trials implements tuner.Storage: every trial of the study (gradtune's
// and Optuna's alike), ordered by number, read from one snapshot.
func (s *Storage) Trials(ctx context.Context, studyID int64) ([]tuner.FrozenTrial, error) {
	var out []tuner.FrozenTrial
	err := s.read(ctx, fmt.Sprintf("trials of study %d", studyID), func(t txn) error {
		if err := studyExists(t, studyID); err != nil {
			return err
		}
		var err error
		out, err = loadTrials(t, byStudy, studyID)
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
// Datetimes are read as text (CAST): the driver would parse a DATETIME
// column itself, as UTC, while Optuna stores local time without a zone.
func loadTrials(t txn, where string, arg int64) ([]tuner.FrozenTrial, error) {
	rows, err := t.query(`SELECT t.trial_id, t.number, t.state, CAST(t.datetime_start AS TEXT), CAST(t.datetime_complete AS TEXT)
		FROM trials t WHERE `+where+` ORDER BY t.number, t.trial_id LIMIT ?`, arg, studyfile.MaxTrials+1)
	if err != nil {
		return nil, err
	}
	out := []tuner.FrozenTrial{} // never nil, as in tuner's memory storage
	index := map[int64]int{}
	count := studyfile.NewCounter("trials", studyfile.MaxTrials, 0)
	err = eachRow(rows, func() error {
		var (
			ft         tuner.FrozenTrial
			number     sql.NullInt64
			state      string
			start, end sql.NullString
		)
		if err := rows.Scan(&ft.ID, &number, &state, &start, &end); err != nil {
			return err
		}
		if err := count.Row(ft.ID); err != nil {
			return err
		}
		st, err := parseState(state)
		if err != nil {
			return err
		}
		ft.Number, ft.State = int(number.Int64), st
		if ft.Start, err = decodeTime(start); err != nil {
			return err
		}
		if ft.Complete, err = decodeTime(end); err != nil {
			return err
		}
		ft.Value = math.NaN() // no value (Running, Waiting, most failures), as in tuner's memory storage
		ft.Params, ft.Internal, ft.Distributions = map[string]any{}, map[string]float64{}, map[string]tuner.Distribution{}
		ft.Intermediate, ft.Attrs = map[int]float64{}, map[string]string{}
		index[ft.ID] = len(out)
		out = append(out, ft)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, load := range []func(txn, string, int64, []tuner.FrozenTrial, map[int64]int) error{
		loadParams, loadValues, loadIntermediate, loadUserAttrs, loadSystemAttrs,
	} {
		if err := load(t, where, arg, out, index); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func loadParams(t txn, where string, arg int64, out []tuner.FrozenTrial, index map[int64]int) error {
	rows, err := t.query(`SELECT p.trial_id, p.param_name, p.param_value, p.distribution_json
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
			if d, err = UnmarshalDistribution(js); err != nil {
				return err
			}
			dists[js] = d
		}
		// A categorical index outside the choices would panic in FromInternal.
		if _, cat := d.(tuner.CategoricalDist); cat && !d.Contains(x) {
			return fmt.Errorf("%w: trial id %d: parameter %q = %v, not a choice of %v", tuner.ErrStorage, id, name, x, d)
		}
		ft := &out[index[id]]
		ft.Params[name], ft.Internal[name], ft.Distributions[name] = d.FromInternal(x), x, d
		return nil
	})
}

// loadValues reads the trials' values, one per objective; a trial's
// objectives must be 0, 1, … without a gap (ErrStorage otherwise).
func loadValues(t txn, where string, arg int64, out []tuner.FrozenTrial, index map[int64]int) error {
	rows, err := t.query(`SELECT v.trial_id, v.objective, v.value, v.value_type
		FROM trial_values v JOIN trials t ON t.trial_id = v.trial_id WHERE `+where, arg)
	if err != nil {
		return err
	}
	byObjective := map[int64]map[int64]float64{}
	count := studyfile.NewCounter("objective values", 0, studyfile.MaxRowsSmall)
	err = eachRow(rows, func() error {
		var (
			id, objective int64
			value         sql.NullFloat64
			typ           string
		)
		if err := rows.Scan(&id, &objective, &value, &typ); err != nil {
			return err
		}
		if err := count.Row(id); err != nil {
			return err
		}
		v, err := decodeValue(value, typ)
		if err != nil {
			return err
		}
		if byObjective[id] == nil {
			byObjective[id] = map[int64]float64{}
		}
		byObjective[id][objective] = v
		return nil
	})
	if err != nil {
		return err
	}
	for id, vs := range byObjective {
		ft := &out[index[id]]
		ft.Values = make([]float64, len(vs))
		for k, v := range vs {
			if k < 0 || k >= int64(len(vs)) {
				return fmt.Errorf("%w: trial %d has values for objectives %v, want 0 to %d", tuner.ErrStorage, ft.Number, slices.Sorted(maps.Keys(vs)), len(vs)-1)
			}
			ft.Values[k] = v
		}
		ft.Value = ft.Values[0]
	}
	return nil
}

func loadIntermediate(t txn, where string, arg int64, out []tuner.FrozenTrial, index map[int64]int) error {
	rows, err := t.query(`SELECT i.trial_id, i.step, i.intermediate_value, i.intermediate_value_type
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

func loadUserAttrs(t txn, where string, arg int64, out []tuner.FrozenTrial, index map[int64]int) error {
	return eachAttr(t, "trial_user_attributes", where, arg, func(id int64, key, js string) error {
		out[index[id]].Attrs[key] = decodeAttr(js)
		return nil
	})
}

// loadSystemAttrs reads the tuner's attributes, fail kind and reason and
// −0 marks (see attrs.go); Optuna's other system attributes are left out.
func loadSystemAttrs(t txn, where string, arg int64, out []tuner.FrozenTrial, index map[int64]int) error {
	kinds := map[int64]string{}
	err := eachAttr(t, "trial_system_attributes", where, arg, func(id int64, key, js string) error {
		ft := &out[index[id]]
		switch {
		case key == sysFailKind:
			kinds[id] = decodeAttr(js)
		case key == sysFailReason:
			ft.FailReason = decodeAttr(js)
		case strings.HasPrefix(key, sysNegZeroValue) && js == "true":
			if k, ok := negZeroObjective(key); ok && k < len(ft.Values) && ft.Values[k] == 0 {
				ft.Values[k] = math.Copysign(0, -1)
				ft.Value = ft.Values[0]
			}
		case strings.HasPrefix(key, sysNegZeroStepStart) && js == "true":
			step, err := strconv.Atoi(strings.TrimPrefix(key, sysNegZeroStepStart))
			if v, ok := ft.Intermediate[step]; err == nil && ok && v == 0 {
				ft.Intermediate[step] = math.Copysign(0, -1)
			}
		default:
			if attr, ok := attrOfSystemKey(key); ok {
				ft.Attrs[attr] = decodeAttr(js)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i := range out {
		out[i].FailKind = failKind(out[i].State, kinds[out[i].ID], out[i].FailReason)
	}
	return nil
}

func eachAttr(t txn, table, where string, arg int64, fn func(id int64, key, js string) error) error {
	rows, err := t.query(`SELECT a.trial_id, a."key", a.value_json FROM `+table+` a
		JOIN trials t ON t.trial_id = a.trial_id WHERE `+where, arg)
	if err != nil {
		return err
	}
	count := studyfile.NewCounter(strings.ReplaceAll(table, "_", " "), 0, studyfile.MaxAttrsPerTrial)
	return eachRow(rows, func() error {
		var (
			id      int64
			key, js sql.NullString
		)
		if err := rows.Scan(&id, &key, &js); err != nil {
			return err
		}
		if err := count.Row(id); err != nil {
			return err
		}
		return fn(id, key.String, js.String)
	})
}
