package rdb

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/gradtune/gradtune/tuner"
)

// MarshalDistribution writes d as Optuna 3.1's distribution_to_json does,
// byte for byte (trial_params.distribution_json): {"name": class, "attributes": _asdict()} through json.dumps, with
// Python's separators, float formatting and key order (the order of the
// attributes' assignment in each class's __init__).
func MarshalDistribution(d tuner.Distribution) (string, error) {
	switch d := d.(type) {
	case tuner.FloatDist:
		step := "null"
		if d.Step != 0 {
			step = pyFloat(d.Step)
		}
		return fmt.Sprintf(`{"name": "FloatDistribution", "attributes": {"step": %s, "low": %s, "high": %s, "log": %t}}`,
			step, pyFloat(d.Low), pyFloat(d.High), d.Log), nil
	case tuner.IntDist:
		return fmt.Sprintf(`{"name": "IntDistribution", "attributes": {"log": %t, "step": %d, "low": %d, "high": %d}}`,
			d.Log, d.IntStep(), d.Low, d.High), nil
	case tuner.CategoricalDist:
		choices := make([]string, len(d.Choices))
		for i, c := range d.Choices {
			switch c := c.(type) {
			case string:
				choices[i] = pyString(c)
			case int:
				choices[i] = strconv.Itoa(c)
			case float64:
				if math.IsNaN(c) || math.IsInf(c, 0) {
					return "", fmt.Errorf("%w: choice %v: Optuna's JSON would not read it back as a number", tuner.ErrConfig, c)
				}
				choices[i] = pyFloat(c)
			case bool:
				choices[i] = strconv.FormatBool(c)
			default:
				return "", fmt.Errorf("%w: choice %v is %T, want string, int, float64 or bool", tuner.ErrConfig, c, c)
			}
		}
		return `{"name": "CategoricalDistribution", "attributes": {"choices": [` + strings.Join(choices, ", ") + `]}}`, nil
	}
	return "", fmt.Errorf("%w: unknown distribution %T", tuner.ErrConfig, d)
}

// optunaDist is distribution_json as any Optuna writes it; legacy class
// names (UniformDistribution, ...) are read as Optuna 3.1 reads them.
type optunaDist struct {
	Name       string `json:"name"`
	Attributes struct {
		Low, High, Step, Q *json.Number
		Log                bool
		Choices            []json.RawMessage
	} `json:"attributes"`
}

// UnmarshalDistribution reads distribution_json written by
// MarshalDistribution or by Optuna. A JSON number choice with a '.' or an exponent is a float64, any
// other an int (as Python's json.loads). Errors wrap tuner.ErrStorage.
func UnmarshalDistribution(s string) (tuner.Distribution, error) {
	bad := func(why string, args ...any) error {
		return fmt.Errorf("%w: distribution_json %q: %s", tuner.ErrStorage, s, fmt.Sprintf(why, args...))
	}
	var j optunaDist
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(&j); err != nil {
		return nil, bad("%v", err)
	}
	a := j.Attributes
	num := func(n *json.Number, def float64) (float64, error) {
		if n == nil {
			return def, nil
		}
		return strconv.ParseFloat(string(*n), 64)
	}
	low, err1 := num(a.Low, 0)
	high, err2 := num(a.High, 0)
	step, err3 := num(a.Step, 0)
	q, err4 := num(a.Q, 0)
	if err := firstErr(err1, err2, err3, err4); err != nil {
		return nil, bad("%v", err)
	}
	isInt := func(xs ...float64) bool {
		for _, x := range xs {
			if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
				return false
			}
		}
		return true
	}
	switch j.Name {
	case "FloatDistribution", "UniformDistribution", "LogUniformDistribution", "DiscreteUniformDistribution":
		d := tuner.FloatDist{Low: low, High: high, Log: a.Log || j.Name == "LogUniformDistribution", Step: step}
		if j.Name == "DiscreteUniformDistribution" {
			d.Step = q
		}
		return d, nil
	case "IntDistribution", "IntUniformDistribution", "IntLogUniformDistribution":
		if !isInt(low, high, step) {
			return nil, bad("low, high and step must be integers")
		}
		d := tuner.IntDist{Low: int(low), High: int(high), Log: a.Log || j.Name == "IntLogUniformDistribution", Step: int(step)}
		if d.Step == 1 {
			d.Step = 0 // tuner's zero value means Optuna's default step 1
		}
		return d, nil
	case "CategoricalDistribution":
		choices := make([]any, len(a.Choices))
		for i, raw := range a.Choices {
			c, err := decodeChoice(raw)
			if err != nil {
				return nil, bad("choice %d: %v", i, err)
			}
			choices[i] = c
		}
		return tuner.CategoricalDist{Choices: choices}, nil
	}
	return nil, bad("unknown distribution %q", j.Name)
}

func decodeChoice(raw json.RawMessage) (any, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) > 0 && raw[0] == '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case string(raw) == "true" || string(raw) == "false":
		return string(raw) == "true", nil
	case bytes.ContainsAny(raw, ".eE"):
		return strconv.ParseFloat(string(raw), 64)
	}
	n, err := strconv.Atoi(string(raw))
	if err != nil {
		return nil, fmt.Errorf("%s is not a string, int, float or bool (gradtune's choice types)", raw)
	}
	return n, nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
