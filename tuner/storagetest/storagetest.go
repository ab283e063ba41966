// Package storagetest is the conformance suite of tuner.Storage, in the
// manner of testing/fstest: every storage backend runs it from its own
// tests, so that the tuner can rely on each one as on the memory storage,
// which is the reference. A backend's test file needs one function:
//
//	func TestConformance(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T) tuner.Storage {
//			st, err := mystore.Open(newEmptyDatabase(t)) // your backend
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { st.Close() })
//			return st
//		})
//	}
//
// Run calls open once per behaviour, each a subtest named after it
// (TestConformance/RoundTrip, ...; run one with -run), and the storage it
// returns must be empty: no studies, trial numbers starting at 0. Closing
// it is the factory's job (t.Cleanup), as above.
//
// The behaviours are the contract documented on tuner.Storage, tuner.Claim
// and tuner.FailKind: studies created and found again by name, a direction
// mismatch refused; trial numbers 0..n-1 once each under 8 goroutines;
// parameters of every distribution, ±Inf, NaN and −0 values and
// intermediate values, attributes (quotes, Unicode, empty values), states
// and fail reasons coming back bit for bit and equal to the memory
// storage's; Waiting trials claimed oldest first, each once; a finished
// trial never finished or changed again, and of concurrent finishes one
// winning; unknown ids as ErrStorage; fail kinds kept as given and refused
// where they do not belong; claims (tuner.Claim) atomic with the trial's
// creation, under concurrency too; heartbeats and stale trials failed and
// re-queued once by the storage's clock (tuner.HeartbeatStorage only);
// studies of several objectives: their directions kept and a change
// refused, every objective's value kept bit for bit, values that do not
// fit the study refused (a storage that keeps one objective per study must
// refuse several with tuner.ErrConfig, creating nothing: those behaviours
// are then skipped); constraints kept through a reopen. Several run through
// tuner.Open and Study.Optimize (OptimizeMulti), so a study on the storage
// is checked as well.
package storagetest

import (
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

// behaviours are the suite's subtests, in the order they run.
var behaviours = []struct {
	name string
	run  func(t *testing.T, st tuner.Storage)
}{
	{"CreateAndReopenStudy", confCreateAndReopen},
	{"DirectionMismatch", confDirectionMismatch},
	{"ConcurrentNumbering", confConcurrentNumbering},
	{"RoundTrip", confRoundTrip},
	{"EnqueueAndClaim", confEnqueueAndClaim},
	{"FinishTwice", confFinishTwice},
	{"UnknownIDs", confUnknownIDs},
	{"FailKinds", confFailKinds},
	{"Claims", confClaims},
	{"ConcurrentClaims", confConcurrentClaims},
	{"Heartbeats", confHeartbeats},
	{"MultiDirections", confMultiDirections},
	{"MultiValues", confMultiValues},
	{"MultiStudy", confMultiStudy},
	{"Constraints", confConstraints},
}

// Run runs every behaviour of the tuner.Storage contract as a subtest of
// t, each on a fresh, empty storage from open. A nil storage from open
// fails the subtest.
func Run(t *testing.T, open func(t *testing.T) tuner.Storage) {
	t.Helper()
	for _, b := range behaviours {
		t.Run(b.name, func(t *testing.T) {
			st := open(t)
			if st == nil {
				t.Fatal("storagetest: open returned a nil tuner.Storage")
			}
			b.run(t, st)
		})
	}
}
