package critic

import (
	"fmt"

	"github.com/gradtune/gradtune/tuner"
)

// Kind names a problem of a search space. The values are stable across
// versions: programs may store and compare them.
type Kind string

// The problems Review recognizes, in the order it reports them.
const (
	// BadRegion: most trials in one part of a parameter's range (or with
	// one choice) failed, diverged or were pruned by diagnosis.
	BadRegion Kind = "bad_region"
	// AtBound: the best trials crowd a bound of a numeric range; the best
	// value may lie beyond it.
	AtBound Kind = "at_bound"
	// UseLog: a positive range spanning two orders of magnitude or more,
	// searched on a linear scale, whose best trials sit in its lower
	// decades, where a linear scale draws few values.
	UseLog Kind = "use_log"
	// NeverWins: a categorical choice tried often, never among the best
	// trials, and ranked worse than the other choices.
	NeverWins Kind = "never_wins"
	// Unimportant: a parameter whose fANOVA importance is no more than a
	// dummy random parameter's, while another parameter's is clearly more.
	Unimportant Kind = "unimportant"
)

// kindOrder orders findings: the failures first, the hints last.
var kindOrder = map[Kind]int{BadRegion: 0, AtBound: 1, UseLog: 2, NeverWins: 3, Unimportant: 4}

// Finding is one problem of a search space, in the style of the training
// doctor's diagnose.Diagnosis: what was measured, and what to change.
type Finding struct {
	Kind Kind
	// Param names the parameter concerned.
	Param string
	// Evidence states the measured facts, with numbers; Fix the change to
	// make to the search space.
	Evidence, Fix string
	// Suggested is the parameter's distribution after the fix: a wider or
	// narrower range, a log scale, fewer choices, or a single value
	// (Unimportant: Low = High, or one choice). Nil when the fix is not a
	// range.
	Suggested tuner.Distribution
	// Measures holds the numbers quoted in Evidence, by name — e.g.
	// "trials", "top", "p_value", "threshold" — unrounded, for programs
	// and tests.
	Measures map[string]float64
}

// String formats f on one line per field, as diagnose.Diagnosis does.
func (f Finding) String() string {
	return fmt.Sprintf("[%s] %s\n  evidence: %s\n  fix:      %s", f.Kind, f.Param, f.Evidence, f.Fix)
}
