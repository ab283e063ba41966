package katib

import (
	"fmt"
	"math"
	"strconv"

	"github.com/gradtune/gradtune/tuner"
)

// parameter maps a gradtune distribution to Katib's parameter spec, and
// returns how many grid points it has (for Grid's default MaxTrials):
//
//	FloatDist        double, min/max, step if Step > 0, logUniform if Log
//	IntDist          int, min/max, step if Step > 1 (always for Grid), logUniform if Log
//	CategoricalDist  discrete (list) if every choice is an int or float64,
//	                 categorical (list of strings) otherwise
func parameter(p Param, algo Algorithm) (parameterSpec, int, error) {
	if v, ok := p.Dist.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return parameterSpec{}, 0, fmt.Errorf("%w: parameter %s: %w", ErrInvalid, p.Name, err)
		}
	}
	ps := parameterSpec{Name: p.Name}
	switch d := p.Dist.(type) {
	case tuner.FloatDist:
		ps.ParameterType = "double"
		ps.FeasibleSpace = feasibleSpace{Min: formatFloat(d.Low), Max: formatFloat(d.High), Distribution: distribution(d.Log)}
		if d.Step > 0 {
			ps.FeasibleSpace.Step = formatFloat(d.Step)
			// The grid is Low + k·Step ≤ High; the epsilon absorbs (High-Low)/Step
			// landing just under an integer, as tuner.FloatDist.Contains does.
			return ps, int(math.Floor((d.High-d.Low)/d.Step+1e-8)) + 1, nil
		}
		if algo == Grid {
			return ps, 0, fmt.Errorf("%w: parameter %s: %v has no Step, which Katib's grid needs on a float", ErrInvalid, p.Name, d)
		}
		return ps, 1, nil
	case tuner.IntDist:
		ps.ParameterType = "int"
		ps.FeasibleSpace = feasibleSpace{Min: strconv.Itoa(d.Low), Max: strconv.Itoa(d.High), Distribution: distribution(d.Log)}
		if d.IntStep() > 1 || algo == Grid {
			ps.FeasibleSpace.Step = strconv.Itoa(d.IntStep())
		}
		return ps, (d.High-d.Low)/d.IntStep() + 1, nil
	case tuner.CategoricalDist:
		ps.ParameterType = "discrete"
		seen := map[string]bool{}
		for _, c := range d.Choices {
			s, numeric := formatChoice(c)
			if !numeric {
				ps.ParameterType = "categorical"
			}
			if seen[s] {
				return ps, 0, fmt.Errorf("%w: parameter %s: choice %q appears twice in %v once written as a string", ErrInvalid, p.Name, s, d)
			}
			seen[s] = true
			ps.FeasibleSpace.List = append(ps.FeasibleSpace.List, s)
		}
		return ps, len(d.Choices), nil
	}
	return ps, 0, fmt.Errorf("%w: parameter %s: distribution %T, want tuner.FloatDist, IntDist or CategoricalDist", ErrInvalid, p.Name, p.Dist)
}

func distribution(log bool) string {
	if log {
		return "logUniform"
	}
	return "uniform"
}

// formatFloat writes the shortest decimal that parses back to x, the form
// Katib passes to the trial unchanged.
func formatFloat(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// formatChoice writes a categorical choice (CategoricalDist.Validate has
// checked its type) and says whether it is a number.
func formatChoice(c any) (string, bool) {
	switch c := c.(type) {
	case int:
		return strconv.Itoa(c), true
	case float64:
		return formatFloat(c), true
	case bool:
		return strconv.FormatBool(c), false
	}
	return fmt.Sprint(c), false
}
