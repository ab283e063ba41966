// Package optunaenum holds Optuna's stored names of trial states and
// study directions (optuna/trial/_state.py, optuna/study/_study_direction.py)
// and its split of a float into a nullable number and a value type
// (TrialValueModel, TrialIntermediateValueModel): what every storage that
// follows Optuna's layout (tuner/sqlite, tuner/rdb) writes and reads.
package optunaenum

import (
	"fmt"
	"math"

	"github.com/gradtune/gradtune/tuner"
)

var (
	stateNames = map[tuner.TrialState]string{
		tuner.Running: "RUNNING", tuner.Complete: "COMPLETE", tuner.Pruned: "PRUNED",
		tuner.Failed: "FAIL", tuner.Waiting: "WAITING",
	}
	directionNames = map[tuner.Direction]string{tuner.Minimize: "MINIMIZE", tuner.Maximize: "MAXIMIZE"}
)

// StateName is st's stored name; an unknown state wraps tuner.ErrStorage.
func StateName(st tuner.TrialState) (string, error) {
	if n, ok := stateNames[st]; ok {
		return n, nil
	}
	return "", fmt.Errorf("%w: trial state %v", tuner.ErrStorage, st)
}

// ParseState is the state stored as n; an unknown name wraps tuner.ErrStorage.
func ParseState(n string) (tuner.TrialState, error) {
	for st, name := range stateNames {
		if name == n {
			return st, nil
		}
	}
	return 0, fmt.Errorf("%w: stored trial state %q, want one of Optuna's RUNNING, COMPLETE, PRUNED, FAIL, WAITING", tuner.ErrStorage, n)
}

// DirectionName is d's stored name; a direction other than Minimize or
// Maximize wraps tuner.ErrConfig.
func DirectionName(d tuner.Direction) (string, error) {
	if n, ok := directionNames[d]; ok {
		return n, nil
	}
	return "", fmt.Errorf("%w: Direction = %d, want Minimize or Maximize", tuner.ErrConfig, d)
}

// ParseDirection is the direction stored as n; an unknown name wraps
// tuner.ErrStorage.
func ParseDirection(n string) (tuner.Direction, error) {
	for d, name := range directionNames {
		if name == n {
			return d, nil
		}
	}
	return 0, fmt.Errorf("%w: stored direction %q, want MINIMIZE or MAXIMIZE", tuner.ErrStorage, n)
}

// EncodeValue splits v as Optuna stores it: a finite v as itself with type
// "FINITE"; ±Inf and NaN as a NULL number (nil) with type "INF_POS",
// "INF_NEG" or "NAN".
func EncodeValue(v float64) (value any, typ string) {
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
