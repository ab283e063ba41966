package sqlite

import (
	"database/sql"
	"fmt"
	"math"
	"time"

	"github.com/gradtune/gradtune/tuner"
)

// The stored names of trial states and directions are Optuna's enum names.
var (
	stateNames = map[tuner.TrialState]string{
		tuner.Running: "RUNNING", tuner.Complete: "COMPLETE", tuner.Pruned: "PRUNED",
		tuner.Failed: "FAIL", tuner.Waiting: "WAITING",
	}
	directionNames = map[tuner.Direction]string{tuner.Minimize: "MINIMIZE", tuner.Maximize: "MAXIMIZE"}
)

func stateName(st tuner.TrialState) (string, error) {
	if n, ok := stateNames[st]; ok {
		return n, nil
	}
	return "", fmt.Errorf("%w: trial state %v", tuner.ErrStorage, st)
}

func parseState(n string) (tuner.TrialState, error) {
	for st, name := range stateNames {
		if name == n {
			return st, nil
		}
	}
	return 0, fmt.Errorf("%w: stored trial state %q", tuner.ErrStorage, n)
}

func directionName(d tuner.Direction) (string, error) {
	if n, ok := directionNames[d]; ok {
		return n, nil
	}
	return "", fmt.Errorf("%w: Direction = %d, want Minimize or Maximize", tuner.ErrConfig, d)
}

func parseDirection(n string) (tuner.Direction, error) {
	for d, name := range directionNames {
		if name == n {
			return d, nil
		}
	}
	return 0, fmt.Errorf("%w: stored direction %q", tuner.ErrStorage, n)
}

// encodeValue splits v into what the value and value_type columns hold:
// REAL keeps finite numbers only.
func encodeValue(v float64) (value any, typ string) {
	switch {
	case math.IsNaN(v):
		return nil, "NAN"
	case math.IsInf(v, 1):
		return nil, "INF_POS"
	case math.IsInf(v, -1):
		return nil, "INF_NEG"
	}
	return v, "FINITE"
}

// decodeValue inverts encodeValue.
func decodeValue(value sql.NullFloat64, typ string) (float64, error) {
	switch {
	case typ == "NAN" && !value.Valid:
		return math.NaN(), nil
	case typ == "INF_POS" && !value.Valid:
		return math.Inf(1), nil
	case typ == "INF_NEG" && !value.Valid:
		return math.Inf(-1), nil
	case typ == "FINITE" && value.Valid:
		return value.Float64, nil
	}
	return 0, fmt.Errorf("%w: stored value %v of type %q", tuner.ErrStorage, value, typ)
}

// The datetime columns hold Unix nanoseconds; NULL is the zero time.
func encodeTime(t time.Time) int64 { return t.UnixNano() }

func decodeTime(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64)
}
