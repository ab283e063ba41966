package tuner

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"

	"github.com/gradtune/gradtune/tuner/pareto"
)

// The trials table: one row per trial, as Optuna's study.trials_dataframe().
// Its columns, in order:
//
//	number, state,
//	value          or, when a trial has several values (a study of several
//	               objectives), values_0, values_1, … one per objective, as
//	               Optuna names them,
//	constraints_0, constraints_1, …, feasible
//	               when a trial reported constraints (Trial.SetConstraints):
//	               one column per constraint, the most any trial has, and
//	               whether the trial satisfies all of them (true/false),
//	duration_seconds,
//	param_<name>   one per parameter, the union over all trials, sorted by name,
//	fail_reason,
//	attr_<key>     one per attribute, the union over all trials, sorted by key.
//
// Differences from Optuna: parameters are prefixed param_ (Optuna: params_),
// attributes attr_ (Optuna: user_attrs_ and system_attrs_, which we do not
// separate), the duration is in seconds rather than a Timedelta, the start
// and completion times are left out, the failure reason has a column, and
// constraints (Optuna: the list in system_attrs_constraints) have one
// column each and a feasible column.

// resultsShape is how many value and constraint columns the table has.
type resultsShape struct {
	objectives  int  // > 1: values_<i> columns, else one value column
	constraints int  // constraints_<j> columns
	feasible    bool // a feasible column: some trial reported constraints
}

// resultsShapeOf sizes the table for trials.
func resultsShapeOf(trials []FrozenTrial) resultsShape {
	var sh resultsShape
	for _, t := range trials {
		sh.objectives = max(sh.objectives, len(t.Values))
		sh.constraints = max(sh.constraints, len(t.Constraints))
		sh.feasible = sh.feasible || t.Constraints != nil
	}
	return sh
}

// header returns the value and constraint columns.
func (sh resultsShape) header() []string {
	var h []string
	if sh.objectives > 1 {
		for i := range sh.objectives {
			h = append(h, "values_"+strconv.Itoa(i))
		}
	} else {
		h = append(h, "value")
	}
	for j := range sh.constraints {
		h = append(h, "constraints_"+strconv.Itoa(j))
	}
	if sh.feasible {
		h = append(h, "feasible")
	}
	return h
}

// cells returns t's value and constraint cells, empty where t has none.
func (sh resultsShape) cells(t FrozenTrial) []string {
	cell := func(xs []float64, i int) string {
		if i < len(xs) && !math.IsNaN(xs[i]) {
			return resultsFloat(xs[i])
		}
		return ""
	}
	var row []string
	if sh.objectives > 1 {
		for i := range sh.objectives {
			row = append(row, cell(t.Values, i))
		}
	} else {
		row = append(row, cell([]float64{t.Value}, 0))
	}
	for j := range sh.constraints {
		row = append(row, cell(t.Constraints, j))
	}
	if sh.feasible {
		f := ""
		if t.Constraints != nil {
			f = strconv.FormatBool(pareto.Feasible(t.Constraints))
		}
		row = append(row, f)
	}
	return row
}

// resultsColumns lists the parameter names and attribute keys of trials, sorted.
func resultsColumns(trials []FrozenTrial) (params, attrs []string) {
	ps, as := map[string]bool{}, map[string]bool{}
	for _, t := range trials {
		for k := range t.Params {
			ps[k] = true
		}
		for k := range t.Attrs {
			as[k] = true
		}
	}
	for k := range ps {
		params = append(params, k)
	}
	for k := range as {
		attrs = append(attrs, k)
	}
	sort.Strings(params)
	sort.Strings(attrs)
	return params, attrs
}

// resultsDuration returns the trial's run time in seconds; ok is false while
// it has no start or completion time (Running, Waiting).
func resultsDuration(t FrozenTrial) (float64, bool) {
	if t.Start.IsZero() || t.Complete.IsZero() {
		return 0, false
	}
	return t.Complete.Sub(t.Start).Seconds(), true
}

// resultsFloat formats x as the shortest decimal that parses back to x.
func resultsFloat(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// resultsParam formats an external parameter value (float64, int, string, bool).
func resultsParam(v any) string {
	switch v := v.(type) {
	case float64:
		return resultsFloat(v)
	case int:
		return strconv.Itoa(v)
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	}
	return fmt.Sprint(v)
}

// WriteTrialsCSV writes trials as a CSV table (RFC 4180, a header row, then
// one row per trial in the given order) with the columns described above.
// A cell is empty where there is nothing to show: the value of a trial
// without one (NaN: Failed, Running, Waiting), a constraint the trial did
// not report (and its feasibility), the duration of an unfinished
// trial, a parameter the trial did not suggest (conditional parameters), an
// absent attribute. Numbers are written in Go's shortest round-trip form
// (strconv 'g', -1), so ±Inf values read "+Inf"/"-Inf"; parameters by their
// external value (choices as they are). A nil w is an error wrapping
// ErrConfig.
func WriteTrialsCSV(w io.Writer, trials []FrozenTrial) error {
	if w == nil {
		return fmt.Errorf("%w: WriteTrialsCSV: nil writer", ErrConfig)
	}
	params, attrs := resultsColumns(trials)
	shape := resultsShapeOf(trials)
	cw := csv.NewWriter(w)
	header := append(append([]string{"number", "state"}, shape.header()...), "duration_seconds")
	for _, p := range params {
		header = append(header, "param_"+p)
	}
	header = append(header, "fail_reason")
	for _, a := range attrs {
		header = append(header, "attr_"+a)
	}
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("tuner: writing the trials CSV: %w", err)
	}
	for _, t := range trials {
		row := make([]string, 0, len(header))
		duration := ""
		if d, ok := resultsDuration(t); ok {
			duration = resultsFloat(d)
		}
		row = append(append(append(row, strconv.Itoa(t.Number), t.State.String()), shape.cells(t)...), duration)
		for _, p := range params {
			cell := ""
			if v, ok := t.Params[p]; ok {
				cell = resultsParam(v)
			}
			row = append(row, cell)
		}
		row = append(row, t.FailReason)
		for _, a := range attrs {
			row = append(row, t.Attrs[a])
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("tuner: writing the trials CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("tuner: writing the trials CSV: %w", err)
	}
	return nil
}

// resultsRow is one trial in WriteTrialsJSON's output.
type resultsRow struct {
	Number          int               `json:"number"`
	State           string            `json:"state"`
	Value           *float64          `json:"value"`
	Values          []*float64        `json:"values,omitempty"`
	Constraints     []*float64        `json:"constraints,omitempty"`
	Feasible        *bool             `json:"feasible,omitempty"`
	DurationSeconds *float64          `json:"duration_seconds"`
	Params          map[string]any    `json:"params"`
	FailReason      string            `json:"fail_reason,omitempty"`
	Attrs           map[string]string `json:"attrs,omitempty"`
}

// resultsJSONFloat is x for JSON: nil (null) for NaN and ±Inf.
func resultsJSONFloat(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

// resultsJSONFloats is resultsJSONFloat of each of xs; nil for nil xs.
func resultsJSONFloats(xs []float64) []*float64 {
	if xs == nil {
		return nil
	}
	out := make([]*float64, len(xs))
	for i, x := range xs {
		out[i] = resultsJSONFloat(x)
	}
	return out
}

// WriteTrialsJSON writes trials as a JSON array, one object per trial in the
// given order, with the CSV's content typed:
//
//	{"number": 3, "state": "complete", "value": 0.25, "values": [0.25, 1200],
//	 "constraints": [-0.5], "feasible": true, "duration_seconds": 1.5,
//	 "params": {"act": "relu", "lr": 0.01, "units": 64},
//	 "fail_reason": "...", "attrs": {"key": "value"}}
//
// value and duration_seconds are null where the CSV cell is empty; value is
// also null for ±Inf, which JSON cannot hold, and so are such entries of
// values and constraints. values (every objective, FrozenTrial.Values) is
// there when some trial has several, as in the CSV; values, constraints and
// feasible are left out when the trial has none. params holds only the
// parameters the trial suggested, by external value (float64, int, string
// or bool); fail_reason and attrs are left out when empty. A nil w, or a
// parameter that is NaN or ±Inf, is an error wrapping ErrConfig.
func WriteTrialsJSON(w io.Writer, trials []FrozenTrial) error {
	if w == nil {
		return fmt.Errorf("%w: WriteTrialsJSON: nil writer", ErrConfig)
	}
	rows := make([]resultsRow, len(trials))
	multi := resultsShapeOf(trials).objectives > 1
	for i, t := range trials {
		r := resultsRow{Number: t.Number, State: t.State.String(), Params: map[string]any{}, FailReason: t.FailReason}
		r.Value, r.Constraints = resultsJSONFloat(t.Value), resultsJSONFloats(t.Constraints)
		if multi {
			r.Values = resultsJSONFloats(t.Values)
		}
		if t.Constraints != nil {
			f := pareto.Feasible(t.Constraints)
			r.Feasible = &f
		}
		if d, ok := resultsDuration(t); ok {
			r.DurationSeconds = &d
		}
		for k, v := range t.Params {
			if f, ok := v.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
				return fmt.Errorf("%w: trial %d: parameter %q = %v, want a finite value", ErrConfig, t.Number, k, f)
			}
			r.Params[k] = v
		}
		if len(t.Attrs) > 0 {
			r.Attrs = t.Attrs
		}
		rows[i] = r
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // fail reasons and choices stay readable
	if err := enc.Encode(rows); err != nil {
		return fmt.Errorf("tuner: writing the trials JSON: %w", err)
	}
	return nil
}
