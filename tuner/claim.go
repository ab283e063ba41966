package tuner

import (
	"errors"
	"fmt"

	"github.com/gradtune/gradtune/internal/gerr"
)

// ErrSearchSpaceExhausted: every point of the sampler's search space is
// taken (GridSampler). A TrialClaimer's Pick or a TrialStarter returns it
// (wrapped); Optimize then stops without error.
var ErrSearchSpaceExhausted = errors.New("tuner: search space exhausted")

// A Claim makes Storage.CreateTrial give the trial it starts an attribute
// value that no other trial of the study holds (GridSampler: its grid
// point), chosen in the same atomic step as the trial's creation, so that
// trials started at once by goroutines, Study handles or processes sharing
// the storage never get the same value.
//
// How a storage makes it atomic: the memory storage holds its lock; SQLite
// runs the read of the other trials, Pick and the writes in one BEGIN
// IMMEDIATE transaction. A server database can do the same after locking
// the study's row (SELECT ... FOR UPDATE), which serializes the claims of
// one study and leaves other studies alone.
type Claim struct {
	// Key is the attribute that holds the value.
	Key string
	// Pick returns the value for trial (new, or the Waiting trial being
	// started, with its parameters), given the study's other trials that
	// have attribute Key. These carry at least ID, Number, State, FailKind,
	// FailReason and Attrs[Key], and must not be changed. Which of them
	// still hold their value (a stale trial's point is free again) is for
	// Pick to say. An error (ErrSearchSpaceExhausted when every value is
	// held) makes CreateTrial fail and create nothing. Pick runs inside the
	// storage's lock or transaction: it must be quick, safe for concurrent
	// use, and must not call the storage.
	Pick func(trial FrozenTrial, others []FrozenTrial) (string, error)
}

// TrialClaimer is a Sampler whose trials each claim a value no other trial
// holds (GridSampler: a grid point). The study passes its Claim to
// Storage.CreateTrial; when Pick fails with ErrSearchSpaceExhausted,
// Optimize stops without error.
type TrialClaimer interface {
	TrialClaim() *Claim
}

// Choose runs Pick for a storage: it checks the claim, turns a panic in
// Pick into an error and refuses an empty value. Errors other than Pick's
// own wrap ErrConfig (a nil Claim too).
func (c *Claim) Choose(trial FrozenTrial, others []FrozenTrial) (value string, err error) {
	if c == nil {
		return "", fmt.Errorf("%w: nil Claim", ErrConfig)
	}
	if c.Key == "" || c.Pick == nil {
		return "", fmt.Errorf("%w: Claim{Key: %q} needs a Key and a Pick", ErrConfig, c.Key)
	}
	defer func() {
		if r := recover(); r != nil {
			value, err = "", fmt.Errorf("%w: claim of %q: %w", ErrConfig, c.Key, gerr.Recovered("Pick", r))
		}
	}()
	if value, err = c.Pick(trial, others); err != nil {
		return "", err
	}
	if value == "" {
		return "", fmt.Errorf("%w: claim of %q: Pick chose an empty value", ErrConfig, c.Key)
	}
	return value, nil
}
