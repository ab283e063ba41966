package tuner

import "strings"

// FailKind says why a trial failed, in values that never change between
// versions: whether a Failed trial counts toward a TotalTrials budget is
// decided from its kind, never from its FailReason message, which may be
// reworded. Storages keep it as given (the kinds are stored as these
// strings, like Optuna's system attribute "fail_reason").
type FailKind string

const (
	FailObjective   FailKind = "objective"   // the objective returned an error, or a vector of the wrong length
	FailPanic       FailKind = "panic"       // the objective panicked
	FailNaN         FailKind = "nan"         // the objective returned NaN (in any objective), or a constraint was NaN
	FailSuggest     FailKind = "suggest"     // a suggestion could not be honoured (a bad or changed range, a sampler error)
	FailSampler     FailKind = "sampler"     // the sampler failed as the trial started
	FailInterrupted FailKind = "interrupted" // cut short by the study's cancelled context
	FailStale       FailKind = "stale"       // still Running when the study was reopened: its process died
	FailNotRun      FailKind = "not_run"     // never run: the sampler's search space was exhausted
	FailTimeout     FailKind = "timeout"     // ran past Config.TrialTimeout
	FailUnknown     FailKind = "unknown"     // stored before fail kinds, with a message LegacyFailKind does not know
)

// Counted reports whether a trial failed with this kind counts toward a
// TotalTrials budget. A failure of the trial itself does; one that says
// nothing about its parameters (stale, interrupted, not run) does not, so
// that a rerun evaluates a replacement. A timeout counts: the parameters
// made the trial too slow, and a rerun would time out again. Kinds this
// version does not know count, as every failure but those three always has.
func (k FailKind) Counted() bool {
	switch k {
	case FailInterrupted, FailStale, FailNotRun:
		return false
	}
	return true
}

// legacyFailKinds are the messages that versions before fail kinds stored
// as the only record of why a trial failed. They are frozen copies: the
// current messages may be reworded, these must not be.
var legacyFailKinds = map[string]FailKind{
	"stale: still running when the study was reopened (its process died)": FailStale,
	"not run: the sampler's search space is exhausted":                    FailNotRun,
	"interrupted: the study's context was cancelled during the trial":     FailInterrupted,
	"objective returned NaN": FailNaN,
}

// LegacyFailKind is the compatibility path for Failed trials stored before
// fail kinds, with a message only: the kind that message meant. A storage
// calls it once, as it reads such a trial, so that old studies count as
// they did. The known messages map to their kinds, "objective panicked: …"
// to FailPanic, any other message (an objective's or a suggestion's error)
// to FailUnknown, which counts.
func LegacyFailKind(reason string) FailKind {
	if k, ok := legacyFailKinds[reason]; ok {
		return k
	}
	if strings.HasPrefix(reason, "objective panicked: ") {
		return FailPanic
	}
	return FailUnknown
}
