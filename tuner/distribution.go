package tuner

import (
	"encoding/json"
	"fmt"
	"math"
)

// Distribution is the range a parameter is drawn from. Values travel in an
// internal float64 representation (Optuna's): the value itself for floats
// and ints, the index of the choice for categoricals.
type Distribution interface {
	// ToInternal converts a value of the distribution to its internal form.
	ToInternal(v any) (float64, error)
	// FromInternal converts back: float64, int or the choice.
	FromInternal(x float64) any
	// Contains reports whether an internal value lies in the distribution.
	Contains(x float64) bool
	String() string
}

// FloatDist is a float in [Low, High], uniform (or log-uniform with Log);
// Step > 0 restricts it to Low + k·Step (not with Log), at most 2^53 + 1
// values (MaxSteps), as an int range.
type FloatDist struct {
	Low, High float64
	Log       bool
	Step      float64
}

// IntDist is an int in [Low, High], uniform (or log-uniform with Log);
// Step > 1 restricts it to Low + k·Step (not with Log). Step 0 means 1.
type IntDist struct {
	Low, High int
	Log       bool
	Step      int
}

// CategoricalDist is one of Choices: strings, ints, floats or bools.
type CategoricalDist struct {
	Choices []any
}

// Validate returns an error wrapping ErrConfig naming the bad field.
func (d FloatDist) Validate() error {
	switch {
	case math.IsNaN(d.Low) || math.IsNaN(d.High) || math.IsInf(d.Low, 0) || math.IsInf(d.High, 0) || d.Low > d.High:
		return fmt.Errorf("%w: float range [%v, %v], want finite Low ≤ High", ErrConfig, d.Low, d.High)
	case d.Log && d.Low <= 0:
		return fmt.Errorf("%w: log float range [%v, %v], want Low > 0", ErrConfig, d.Low, d.High)
	case d.Log && d.Step != 0:
		return fmt.Errorf("%w: float range with both Log and Step %v, want one of them", ErrConfig, d.Step)
	case d.Step < 0 || math.IsNaN(d.Step) || math.IsInf(d.Step, 0):
		return fmt.Errorf("%w: float Step = %v, want finite > 0 (or 0 for continuous)", ErrConfig, d.Step)
	case d.Step > 0 && !((d.High-d.Low)/d.Step <= MaxSteps):
		return fmt.Errorf("%w: float range [%v, %v] with Step %v has more than MaxSteps = 2^53 steps", ErrConfig, d.Low, d.High, d.Step)
	}
	return nil
}

// MaxSteps bounds (High − Low)/Step of a FloatDist and High − Low of an
// IntDist: 2^53, beyond which float64 no longer holds every step's index,
// so that a sampler can count the values.
const MaxSteps = 1 << 53

// Validate returns an error wrapping ErrConfig naming the bad field.
func (d IntDist) Validate() error {
	switch {
	case d.Low > d.High:
		return fmt.Errorf("%w: int range [%d, %d], want Low ≤ High", ErrConfig, d.Low, d.High)
	case d.Log && d.Low < 1:
		return fmt.Errorf("%w: log int range [%d, %d], want Low ≥ 1", ErrConfig, d.Low, d.High)
	case d.Log && d.Step > 1:
		return fmt.Errorf("%w: int range with both Log and Step %d, want one of them", ErrConfig, d.Step)
	case d.Step < 0:
		return fmt.Errorf("%w: int Step = %d, want ≥ 1 (0 means 1)", ErrConfig, d.Step)
	case d.High-d.Low < 0 || int64(d.High-d.Low) > MaxSteps:
		return fmt.Errorf("%w: int range [%d, %d] spans more than MaxSteps = 2^53 values", ErrConfig, d.Low, d.High)
	}
	return nil
}

// Validate returns an error wrapping ErrConfig for no choices or a choice of
// an unsupported type.
func (d CategoricalDist) Validate() error {
	if len(d.Choices) == 0 {
		return fmt.Errorf("%w: categorical with no choices", ErrConfig)
	}
	for i, c := range d.Choices {
		switch c.(type) {
		case string, int, float64, bool:
		default:
			return fmt.Errorf("%w: choice %d is %T, want string, int, float64 or bool", ErrConfig, i, c)
		}
	}
	return nil
}

// IntStep returns the effective step (≥ 1).
func (d IntDist) IntStep() int { return max(d.Step, 1) }

func (d FloatDist) ToInternal(v any) (float64, error) {
	f, ok := v.(float64)
	if !ok {
		return 0, fmt.Errorf("%w: %v is %T, want float64 for %v", ErrConfig, v, v, d)
	}
	return f, nil
}
func (d FloatDist) FromInternal(x float64) any { return x }
func (d FloatDist) Contains(x float64) bool {
	if x < d.Low || x > d.High {
		return false
	}
	if d.Step > 0 {
		k := (x - d.Low) / d.Step
		return math.Abs(k-math.Round(k)) < 1e-8
	}
	return true
}
func (d FloatDist) String() string {
	switch {
	case d.Log:
		return fmt.Sprintf("float[%g, %g] log", d.Low, d.High)
	case d.Step > 0:
		return fmt.Sprintf("float[%g, %g] step %g", d.Low, d.High, d.Step)
	}
	return fmt.Sprintf("float[%g, %g]", d.Low, d.High)
}

func (d IntDist) ToInternal(v any) (float64, error) {
	i, ok := v.(int)
	if !ok {
		return 0, fmt.Errorf("%w: %v is %T, want int for %v", ErrConfig, v, v, d)
	}
	return float64(i), nil
}
func (d IntDist) FromInternal(x float64) any { return int(math.Round(x)) }
func (d IntDist) Contains(x float64) bool {
	i := int(math.Round(x))
	return x == float64(i) && i >= d.Low && i <= d.High && (i-d.Low)%d.IntStep() == 0
}
func (d IntDist) String() string {
	switch {
	case d.Log:
		return fmt.Sprintf("int[%d, %d] log", d.Low, d.High)
	case d.Step > 1:
		return fmt.Sprintf("int[%d, %d] step %d", d.Low, d.High, d.Step)
	}
	return fmt.Sprintf("int[%d, %d]", d.Low, d.High)
}

func (d CategoricalDist) ToInternal(v any) (float64, error) {
	for i, c := range d.Choices {
		if c == v {
			return float64(i), nil
		}
	}
	return 0, fmt.Errorf("%w: %v is not one of %v", ErrConfig, v, d.Choices)
}

// FromInternal returns the choice at index x; nil when x is no index of
// Choices (Contains is false).
func (d CategoricalDist) FromInternal(x float64) any {
	if !d.Contains(x) {
		return nil
	}
	return d.Choices[int(x)]
}
func (d CategoricalDist) Contains(x float64) bool {
	i := int(x)
	return x == float64(i) && i >= 0 && i < len(d.Choices)
}
func (d CategoricalDist) String() string { return fmt.Sprintf("categorical%v", d.Choices) }

// Single reports whether d has exactly one possible value.
func Single(d Distribution) bool {
	switch d := d.(type) {
	case FloatDist:
		return d.Low == d.High
	case IntDist:
		return d.Low == d.High
	case CategoricalDist:
		return len(d.Choices) == 1
	}
	return false
}

// Equal reports whether two distributions are the same: same kind, range,
// Log, Step and choices.
func Equal(a, b Distribution) bool {
	ca, okA := a.(CategoricalDist)
	cb, okB := b.(CategoricalDist)
	if okA || okB {
		if !okA || !okB || len(ca.Choices) != len(cb.Choices) {
			return false
		}
		for i := range ca.Choices {
			if ca.Choices[i] != cb.Choices[i] {
				return false
			}
		}
		return true
	}
	return a == b
}

// Compatible returns nil if a parameter drawn from old may be drawn from
// cur in a later trial of the same study, and an error wrapping ErrConfig
// saying what changed otherwise. A numeric range may change (a dynamic
// range such as Float("other", 0, 1-top)); its kind (float, int or
// categorical), its Log flag and a categorical's choices may not (Optuna
// 3.1's check_distribution_compatibility; a Step may change, as there).
func Compatible(old, cur Distribution) error {
	switch o := old.(type) {
	case FloatDist:
		if c, ok := cur.(FloatDist); ok {
			return compatibleLog(o.Log, c.Log, old, cur)
		}
	case IntDist:
		if c, ok := cur.(IntDist); ok {
			return compatibleLog(o.Log, c.Log, old, cur)
		}
	case CategoricalDist:
		if _, ok := cur.(CategoricalDist); ok {
			if !Equal(old, cur) {
				return fmt.Errorf("%w: %v, earlier %v: a categorical's choices may not change", ErrConfig, cur, old)
			}
			return nil
		}
	default:
		if Equal(old, cur) { // a Distribution of the caller's own
			return nil
		}
	}
	return fmt.Errorf("%w: %v, earlier %v: a parameter's kind (float, int or categorical) may not change", ErrConfig, cur, old)
}

func compatibleLog(oldLog, curLog bool, old, cur Distribution) error {
	if oldLog != curLog {
		return fmt.Errorf("%w: %v, earlier %v: a parameter's Log flag may not change", ErrConfig, cur, old)
	}
	return nil
}

// distJSON is the stored form of a Distribution.
type distJSON struct {
	Type    string       `json:"type"`
	Low     float64      `json:"low,omitempty"`
	High    float64      `json:"high,omitempty"`
	Log     bool         `json:"log,omitempty"`
	Step    float64      `json:"step,omitempty"`
	Choices []choiceJSON `json:"choices,omitempty"`
}

// choiceJSON keeps a categorical choice's Go type, which JSON alone loses
// (1.0 and 1 are the same JSON number).
type choiceJSON struct {
	Type  string `json:"t"` // "string", "int", "float", "bool"
	Value any    `json:"v"`
}

// MarshalDistribution encodes d as JSON, for storages.
func MarshalDistribution(d Distribution) (string, error) {
	var j distJSON
	switch d := d.(type) {
	case FloatDist:
		j = distJSON{Type: "float", Low: d.Low, High: d.High, Log: d.Log, Step: d.Step}
	case IntDist:
		j = distJSON{Type: "int", Low: float64(d.Low), High: float64(d.High), Log: d.Log, Step: float64(d.Step)}
	case CategoricalDist:
		j = distJSON{Type: "categorical"}
		for _, c := range d.Choices {
			var t string
			switch c.(type) {
			case string:
				t = "string"
			case int:
				t = "int"
			case float64:
				t = "float"
			case bool:
				t = "bool"
			default:
				return "", fmt.Errorf("%w: choice %v is %T, want string, int, float64 or bool", ErrConfig, c, c)
			}
			j.Choices = append(j.Choices, choiceJSON{Type: t, Value: c})
		}
	default:
		return "", fmt.Errorf("%w: unknown distribution %T", ErrConfig, d)
	}
	b, err := json.Marshal(j)
	return string(b), err
}

// UnmarshalDistribution decodes MarshalDistribution's output; categorical
// choices come back with their Go types.
func UnmarshalDistribution(s string) (Distribution, error) {
	var j distJSON
	if err := json.Unmarshal([]byte(s), &j); err != nil {
		return nil, fmt.Errorf("%w: distribution %q: %w", ErrStorage, s, err)
	}
	switch j.Type {
	case "float":
		return FloatDist{Low: j.Low, High: j.High, Log: j.Log, Step: j.Step}, nil
	case "int":
		return IntDist{Low: int(j.Low), High: int(j.High), Log: j.Log, Step: int(j.Step)}, nil
	case "categorical":
		choices := make([]any, len(j.Choices))
		for i, c := range j.Choices {
			f, isNum := c.Value.(float64)
			switch {
			case c.Type == "int" && isNum:
				choices[i] = int(f)
			case c.Type == "float" && isNum, c.Type == "string", c.Type == "bool":
				choices[i] = c.Value
			default:
				return nil, fmt.Errorf("%w: distribution %q: choice %d has type %q and value %v", ErrStorage, s, i, c.Type, c.Value)
			}
		}
		return CategoricalDist{Choices: choices}, nil
	}
	return nil, fmt.Errorf("%w: distribution type %q", ErrStorage, j.Type)
}
