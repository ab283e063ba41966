package diagnose

import (
	"strings"

	"github.com/gradtune/gradtune/trainer"
)

// Online applies, while a run goes on, the rules of Analyze that can
// condemn it before it ends, with Analyze's thresholds, so that a callback
// can stop it (tuner/tunertrainer.PruneOnDiagnosis prunes a trial with it;
// divergence is the Watchdog's part):
//
//   - Step, at each monitored step (trainer.Config.MonitorEvery): Analyze's
//     dead-ReLU rule on the last DeadSteps monitored steps, a ReLU
//     activation more than DeadFraction dead at each of them. It waits for
//     DeadSteps monitored steps, where Analyze, at the end of a shorter
//     run, judges the ones there are.
//   - Epoch, at each epoch's end: a loss stuck at chance, Analyze's chance
//     rule (Classes, ChanceMargin) on the last epoch and its flat-loss rule
//     (FlatDrop) on the last FlatEpochs epochs, both at once. Either alone is
//     Analyze's underfitting verdict at the end of a run; during one, a loss
//     near chance that still falls is a slow start, and a flat loss below
//     chance a plateau. Without Options.Classes there is no such check.
//
// The Diagnosis is the one Analyze would give on the same steps or epochs
// (DeadReLU; Underfitting with both rules' evidence and measures). Make one
// Online per run; the zero Online is NewOnline's of Options{} (no chance
// check). Not safe for concurrent use.
type Online struct {
	o      Options               // resolved
	ready  bool                  // o is resolved and the windows made
	mons   []trainer.StepMonitor // the last DeadSteps monitored steps, oldest first
	epochs []trainer.EpochStats  // the last FlatEpochs epochs, oldest first
}

// NewOnline returns an Online applying opts (zero fields are defaults, as
// for Analyze; Patience, MinRise, VanishingRatio, UpdateRatio*, Weights and
// Divergence are not used). Invalid opts are an error wrapping ErrConfig,
// as Options.Validate returns.
func NewOnline(opts Options) (*Online, error) {
	o, err := opts.resolved()
	if err != nil {
		return nil, err
	}
	on := &Online{o: o}
	on.init()
	return on, nil
}

// init resolves the zero Online's options (the defaults, which are valid)
// and makes the windows, once.
func (on *Online) init() {
	if on.ready {
		return
	}
	if on.o.DeadSteps == 0 { // not resolved: the zero Online
		on.o, _ = Options{}.resolved()
	}
	on.mons = make([]trainer.StepMonitor, 0, on.o.DeadSteps)
	on.epochs = make([]trainer.EpochStats, 0, on.o.FlatEpochs)
	on.ready = true
}

// Step reads a monitored step (trainer.Event.Monitor at BatchEnd) and
// returns a DeadReLU diagnosis, true, when the dead-ReLU rule holds at it.
// It keeps m (not a copy of its slices, which the trainer does not
// change). A nil m is no step.
func (on *Online) Step(m *trainer.StepMonitor) (Diagnosis, bool) {
	if on == nil || m == nil {
		return Diagnosis{}, false
	}
	on.init()
	on.mons = push(on.mons, *m, on.o.DeadSteps)
	if len(on.mons) < on.o.DeadSteps || !anyDead(m, on.o.DeadFraction) {
		return Diagnosis{}, false
	}
	ds := detectDeadReLU(&trainer.History{Monitor: on.mons}, on.o)
	if len(ds) == 0 {
		return Diagnosis{}, false
	}
	return ds[0], true
}

// Epoch reads an epoch's record (trainer.Event.Stats at EpochEnd) and
// returns an Underfitting diagnosis, true, when the loss is stuck at
// chance: at chance after this epoch and flat over the last FlatEpochs. A
// nil s is no epoch.
func (on *Online) Epoch(s *trainer.EpochStats) (Diagnosis, bool) {
	if on == nil || s == nil {
		return Diagnosis{}, false
	}
	on.init()
	on.epochs = push(on.epochs, *s, on.o.FlatEpochs)
	if on.o.Classes < 2 || len(on.epochs) < on.o.FlatEpochs {
		return Diagnosis{}, false
	}
	h := &trainer.History{Epochs: on.epochs}
	chance, ok := atChance(h, on.o)
	if !ok {
		return Diagnosis{}, false
	}
	flat, ok := flatLoss(h, on.o)
	if !ok {
		return Diagnosis{}, false
	}
	d := chance
	d.Where = flat.Where
	d.Evidence = strings.Join([]string{chance.Evidence, flat.Evidence}, "; ")
	d.Cause = "the loss sits at chance and does not move: the model has not learned anything and is not learning (rate too low, vanishing gradients, dead units, an output that ignores the input, or a bug such as shuffled labels)"
	for k, v := range flat.Measures {
		d.Measures[k] = v
	}
	return d, true
}

// push appends v to the window w of at most k values, dropping the oldest
// when full; w's capacity of k is kept, so it does not allocate.
func push[T any](w []T, v T, k int) []T {
	if len(w) < k {
		return append(w, v)
	}
	copy(w, w[1:])
	w[len(w)-1] = v
	return w
}

// anyDead reports whether a watched ReLU of m is more than frac dead: the
// cheap test before the rule.
func anyDead(m *trainer.StepMonitor, frac float64) bool {
	for _, a := range m.Activations {
		if a.DeadFraction > frac && reluLike(a.Name) {
			return true
		}
	}
	return false
}
