package tuner

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
)

// The trials table: one row per trial, as Optuna's study.trials_dataframe().
// Its columns, in order:
//
//	number, state, value, duration_seconds,
//	param_<name>   one per parameter, the union over all trials, sorted by name,
//	fail_reason,
//	attr_<key>     one per attribute, the union over all trials, sorted by key.
//
// Differences from Optuna: parameters are prefixed param_ (Optuna: params_),
// attributes attr_ (Optuna: user_attrs_ and system_attrs_, which we do not
// separate), the duration is in seconds rather than a Timedelta, the start
// and completion times are left out, and the failure reason has a column.

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
// without one (NaN: Failed, Running, Waiting), the duration of an unfinished
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
	cw := csv.NewWriter(w)
	header := []string{"number", "state", "value", "duration_seconds"}
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
		value, duration := "", ""
		if !math.IsNaN(t.Value) {
			value = resultsFloat(t.Value)
		}
		if d, ok := resultsDuration(t); ok {
			duration = resultsFloat(d)
		}
		row = append(row, strconv.Itoa(t.Number), t.State.String(), value, duration)
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
	DurationSeconds *float64          `json:"duration_seconds"`
	Params          map[string]any    `json:"params"`
	FailReason      string            `json:"fail_reason,omitempty"`
	Attrs           map[string]string `json:"attrs,omitempty"`
}

// WriteTrialsJSON writes trials as a JSON array, one object per trial in the
// given order, with the CSV's content typed:
//
//	{"number": 3, "state": "complete", "value": 0.25, "duration_seconds": 1.5,
//	 "params": {"act": "relu", "lr": 0.01, "units": 64},
//	 "fail_reason": "...", "attrs": {"key": "value"}}
//
// value and duration_seconds are null where the CSV cell is empty; value is
// also null for ±Inf, which JSON cannot hold. params holds only the
// parameters the trial suggested, by external value (float64, int, string
// or bool); fail_reason and attrs are left out when empty. A nil w, or a
// parameter that is NaN or ±Inf, is an error wrapping ErrConfig.
func WriteTrialsJSON(w io.Writer, trials []FrozenTrial) error {
	if w == nil {
		return fmt.Errorf("%w: WriteTrialsJSON: nil writer", ErrConfig)
	}
	rows := make([]resultsRow, len(trials))
	for i, t := range trials {
		r := resultsRow{Number: t.Number, State: t.State.String(), Params: map[string]any{}, FailReason: t.FailReason}
		if !math.IsNaN(t.Value) && !math.IsInf(t.Value, 0) {
			v := t.Value
			r.Value = &v
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
