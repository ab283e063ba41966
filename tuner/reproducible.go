package tuner

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// A reproducible study (Config.ReproducibleWindow = W > 0) numbers its
// trials in a sequence of its own, apart from their storage Number: trial k
// of the sequence is created only once every trial below k−W+1 has
// settled, sees only those (renumbered by sequence) in its sampler and
// pruner, and draws from (Seed, k). What it does is then a function of the
// Seed, W and the objective, not of timing: Parallelism, interruptions and
// other processes change when trials run, never what they are. A trial
// interrupted, failed as stale or to be retried (Config.MaxRetries) frees
// its number, which the next trial created takes again and, drawing from
// the same view and stream, runs with the same parameters.

// attrSequence is the trial attribute holding its sequence number.
const attrSequence = "sequence_number"

// errNotReady is a sequence claim's answer while the trials before the
// new trial's window have not all settled: the worker waits and asks
// again. It never leaves the package.
var errNotReady = errors.New("tuner: the trials before the window have not settled")

// maxSequenceWait bounds the polling of a worker waiting for its window:
// trials of this Study wake it at once, those of other Study handles or
// processes within this.
const maxSequenceWait = 100 * time.Millisecond

// ReproducibilityChecker is a Sampler or Pruner that can tell whether it
// keeps the promise of Config.ReproducibleWindow. CheckReproducible
// returns an error wrapping ErrConfig, naming the setting at fault, when
// what it decides depends on more than what it is shown (state kept across
// calls that timing shapes, running trials). Open calls it on a
// reproducible study's sampler and pruner; one that does not implement it
// is taken to decide from its SampleContext or PruneContext only, as
// RandomSampler, GridSampler, tuner/cmaes and tuner/qmc do.
type ReproducibilityChecker interface {
	CheckReproducible() error
}

// checkReproducible validates Config.ReproducibleWindow against the
// sampler and pruner, which Open has filled in.
func checkReproducible(cfg Config) error {
	switch w := cfg.ReproducibleWindow; {
	case w < 0:
		return fmt.Errorf("%w: ReproducibleWindow = %d, want ≥ 0 (0 = off)", ErrConfig, w)
	case w == 0:
		return nil
	}
	if _, claims := cfg.Sampler.(TrialClaimer); claims {
		if _, grid := cfg.Sampler.(*GridSampler); !grid {
			return fmt.Errorf("%w: ReproducibleWindow: sampler %T claims a value per trial (TrialClaimer), which a reproducible study cannot order; of those, only GridSampler is supported",
				ErrConfig, cfg.Sampler)
		}
	}
	for _, c := range []struct {
		what string
		v    any
	}{{"Sampler", cfg.Sampler}, {"Pruner", cfg.Pruner}} {
		if rc, ok := c.v.(ReproducibilityChecker); ok {
			if err := rc.CheckReproducible(); err != nil {
				return fmt.Errorf("tuner: ReproducibleWindow: %s: %w", c.what, err) // err wraps ErrConfig
			}
		}
	}
	return nil
}

// CheckReproducible implements ReproducibilityChecker: ConstantLiar is
// refused, since a reproducible study shows the sampler no running trial
// to lie about (the trials of the window are hidden, finished or not).
func (s TPESampler) CheckReproducible() error {
	if s.ConstantLiar {
		return fmt.Errorf("%w: TPESampler.ConstantLiar has nothing to act on in a reproducible study: its sampler never sees a running trial; leave it off", ErrConfig)
	}
	return nil
}

// reproducible reports whether the study numbers its trials in a sequence.
func (s *Study) reproducible() bool { return s.cfg.ReproducibleWindow > 0 }

// Sequence returns the trial's sequence number in a reproducible study
// (Config.ReproducibleWindow), and false for a trial without one. A run
// again of the same parameters (after an interruption, a dead worker, a
// retry) keeps the number, where its Number is new.
func (t FrozenTrial) Sequence() (k int, ok bool) {
	v, found := t.Attrs[attrSequence]
	if !found {
		return 0, false
	}
	k, err := strconv.Atoi(v)
	return k, err == nil && k >= 0
}

// Sequence returns the trial's sequence number in a reproducible study
// (Config.ReproducibleWindow), and false in another study, for a nil
// *Trial or one no study made. Seed the objective's own randomness (weight
// initialization, shuffling) with it rather than with Number, which a run
// again of the same parameters changes.
func (t *Trial) Sequence() (int, bool) {
	if t.check() != nil {
		return 0, false
	}
	return t.frozen.Sequence()
}

// sequenceOf returns t's sequence number when the study is reproducible.
func (s *Study) sequenceOf(t *Trial) (int, bool) {
	if !s.reproducible() {
		return 0, false
	}
	return t.frozen.Sequence()
}

// sequenceSlots says where each sequence number stands, from the trials
// that hold it. Settled: a trial that counts (Complete, Pruned, Failed by
// its objective) ended on it and is not to be retried, or its retries are
// spent; that trial is its final one. Busy: a trial runs on it. Free:
// otherwise — never taken, or every trial on it was interrupted, failed as
// stale or is to be retried.
type sequenceSlots struct {
	final map[int]int // settled number → index of its final trial
	busy  map[int]bool
}

func (s *Study) sequenceSlots(trials []FrozenTrial) sequenceSlots {
	sl := sequenceSlots{final: map[int]int{}, busy: map[int]bool{}}
	retried := map[int][]int{} // number → indexes of its retried failures
	for i, t := range trials {
		k, ok := t.Sequence()
		switch {
		case !ok:
		case t.State == Running || t.State == Waiting:
			sl.busy[k] = true
		case s.retried(t):
			retried[k] = append(retried[k], i)
		case counted(t):
			sl.final[k] = i
		}
	}
	for k, idx := range retried {
		if _, done := sl.final[k]; !done && len(idx) > s.cfg.MaxRetries {
			sl.final[k] = slices.MaxFunc(idx, func(a, b int) int { return cmp.Compare(trials[a].Number, trials[b].Number) })
		}
	}
	return sl
}

func (sl sequenceSlots) free(k int) bool {
	_, settled := sl.final[k]
	return !settled && !sl.busy[k]
}

// sequenceClaim gives a reproducible study's new trial the smallest free
// sequence number k, once every trial below k−W+1 has settled
// (errNotReady until then); with a GridSampler, ErrSearchSpaceExhausted
// once k is past the grid's points and no trial runs.
func (s *Study) sequenceClaim() *Claim {
	return &Claim{Key: attrSequence, Pick: func(_ FrozenTrial, others []FrozenTrial) (string, error) {
		sl := s.sequenceSlots(others)
		k := 0
		for !sl.free(k) {
			k++
		}
		if g, ok := s.cfg.Sampler.(*GridSampler); ok && k >= g.Points() {
			if len(sl.busy) == 0 {
				return "", ErrSearchSpaceExhausted
			}
			return "", errNotReady // a running point may yet be freed
		}
		for j := range sl.busy {
			if j <= k-s.cfg.ReproducibleWindow {
				return "", errNotReady
			}
		}
		return strconv.Itoa(k), nil
	}}
}

// createSequenced creates a reproducible study's trial, waiting until its
// window's predecessors have settled: woken when a trial of this Study
// ends, otherwise polling (other Study handles and processes), and failing
// stale trials as it goes (heartbeats), since their numbers must be run
// again before the study can go on. It gives up when the call stops
// (errStopped).
func (s *Study) createSequenced(ctx context.Context, attrs map[string]string, stopped <-chan struct{}) (FrozenTrial, error) {
	wait := time.Millisecond
	for {
		ended := s.trialEnds()
		ft, err := s.storage.CreateTrial(ctx, s.id, attrs, s.sequenceClaim())
		if !errors.Is(err, errNotReady) {
			return ft, err
		}
		select {
		case <-ctx.Done():
			return FrozenTrial{}, ctx.Err()
		case <-stopped:
			return FrozenTrial{}, errStopped
		case <-ended:
			wait = time.Millisecond
		case <-time.After(wait):
			wait = min(2*wait, maxSequenceWait)
		}
		if err := s.failStale(ctx); err != nil {
			return FrozenTrial{}, err
		}
	}
}

// trialEnds returns a channel that is closed when a trial of this Study
// next ends (trialEnded).
func (s *Study) trialEnds() <-chan struct{} {
	s.endMu.Lock()
	defer s.endMu.Unlock()
	if s.ended == nil {
		s.ended = make(chan struct{})
	}
	return s.ended
}

// trialEnded wakes the workers waiting for their window.
func (s *Study) trialEnded() {
	s.endMu.Lock()
	defer s.endMu.Unlock()
	if s.ended != nil {
		close(s.ended)
		s.ended = nil
	}
}

// sequenceView is what the sampler and pruner of trial k of a reproducible
// study see: the final trials of the numbers below k−W+1, in sequence
// order, each renumbered by its sequence number (shallow copies) —
// whatever else has finished by then, and however often a number ran.
func (s *Study) sequenceView(trials []FrozenTrial, k int) []FrozenTrial {
	limit := k - s.cfg.ReproducibleWindow + 1
	var out []FrozenTrial
	for j, i := range s.sequenceSlots(trials).final {
		if j < limit {
			v := trials[i]
			v.Number = j
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b FrozenTrial) int { return cmp.Compare(a.Number, b.Number) })
	return out
}

// startSequenced prepares trial t, number k of a reproducible study,
// before its sampler runs: its view of the study (Trial.history); its grid
// point, the k-th of the grid's order; and when number k ran before, the
// retries spent (Trial.Retries) and, as a re-queued trial would, the run it
// repeats (Trial.RequeuedFrom: an earlier run with parameters that is
// retried, or with RequeueStale one interrupted or failed as stale).
func (s *Study) startSequenced(t *Trial, trials []FrozenTrial) error {
	k, _ := t.frozen.Sequence()
	t.history = s.sequenceView(trials, k)
	attrs := map[string]string{}
	if g, ok := s.cfg.Sampler.(*GridSampler); ok {
		attrs[attrSamplerSystemGrid] = strconv.Itoa(g.pointAt(k))
	}
	retries, from := 0, -1
	for _, o := range trials {
		if j, ok := o.Sequence(); !ok || j != k || o.ID == t.frozen.ID || !o.State.Finished() {
			continue
		}
		if s.retried(o) {
			retries++
		}
		if len(o.Internal) > 0 && (s.retried(o) || s.cfg.RequeueStale && !counted(o)) {
			from = max(from, o.Number)
		}
	}
	if retries > 0 {
		attrs[attrRetries] = strconv.Itoa(retries)
	}
	if from >= 0 {
		attrs[attrRequeuedFrom] = strconv.Itoa(from)
	}
	for key, v := range attrs {
		if err := s.storage.SetTrialAttr(t.ctx, t.frozen.ID, key, v); err != nil {
			return t.checkLost(err)
		}
		t.frozen.Attrs[key] = v
	}
	return nil
}

// sequenced returns the trial as a reproducible study's sampler and pruner
// see it: renumbered by its sequence number, sharing its maps (what they
// note in Attrs is the trial's). Others see &t.frozen itself.
func (s *Study) sequenced(t *Trial) *FrozenTrial {
	k, ok := s.sequenceOf(t)
	if !ok {
		return &t.frozen
	}
	v := t.frozen
	v.Number = k
	return &v
}

// pointAt is the grid point at position p of the grid's visiting order.
func (g *GridSampler) pointAt(p int) int {
	if !g.Shuffle {
		return p
	}
	return newGridOrder(g.Points(), g.Seed).at(p)
}

// Sequence returns a reproducible study's (Config.ReproducibleWindow)
// settled trials in sequence order (FrozenTrial.Sequence), one per number:
// the run that counts, not the interrupted, stale or retried runs it
// replaced, which Trials also lists. The same Seed, window and
// deterministic objective give the same list — parameters, values, states
// — whatever the Parallelism, the interruptions and the processes. Trials
// keep their storage Number. Empty for a study never run reproducibly.
// Errors are Trials'.
func (s *Study) Sequence(ctx context.Context) ([]FrozenTrial, error) {
	if err := s.check(ctx, "Sequence"); err != nil {
		return nil, err
	}
	trials, err := s.load(ctx)
	if err != nil {
		return nil, err
	}
	final := s.sequenceSlots(trials).final
	out := make([]FrozenTrial, 0, len(final))
	for _, i := range final {
		out = append(out, trials[i])
	}
	slices.SortFunc(out, func(a, b FrozenTrial) int {
		ka, _ := a.Sequence()
		kb, _ := b.Sequence()
		return cmp.Compare(ka, kb)
	})
	return out, nil
}
