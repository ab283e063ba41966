// Package tuner searches hyperparameters: define-by-run search spaces,
// samplers (Random, Grid, TPE, NSGA-II), a pruner interface (the pruners, Median,
// Successive Halving, Hyperband, are in tuner/prune), parallel trials and
// persistent, resumable studies, after Optuna's design.
//
//	study, err := tuner.Open(ctx, tuner.Config{Name: "mlp", Direction: tuner.Minimize})
//	err = study.Optimize(ctx, func(ctx context.Context, t *tuner.Trial) (float64, error) {
//		lr := t.Float("lr", 1e-4, 1e-1, tuner.Log())
//		...
//		return valLoss, nil
//	}, tuner.Budget{Trials: 50})
//	best, err := study.Best(ctx)
//
// Callbacks given to Optimize run after each trial, one at a time, with the
// trial as stored (Optuna's callbacks); one may end the study with
// Study.Stop, which lets the running trials finish (tuner/noise's
// PlateauStopper.Callback stops a study that has stopped improving).
//
// A study of several objectives (Config.Directions) runs a MultiObjective
// with OptimizeMulti, sampled by NSGAIISampler by default, and its best
// trials are the Pareto front, Study.BestTrials; Trial.SetConstraints marks
// a trial infeasible (Optuna's constraints, ≤ 0 feasible), and the best
// trials are feasible ones. Its trials report every objective per step with
// Trial.ReportValues, and prune.SuccessiveHalving and prune.Hyperband stop
// them by Pareto rank.
//
// Storage: memory by default; tuner/rdb keeps a study in Optuna 3.1's own
// database schema (rdb.OpenSQLite("study.db")), which Optuna and its tools
// open as they are: optuna.load_study(study_name="mlp",
// storage="sqlite:///study.db") with Debian's python3-optuna 3.1, and
// Python workers may run study.optimize on it beside gradtune's. Newer
// Optuna versions (3.2 and later) and optuna-dashboard ask for their own
// schema revision first: `optuna storage upgrade --storage
// sqlite:///study.db`, after which gradtune refuses the file
// (rdb.ErrSchemaRevision), so upgrade a copy when gradtune still works on
// the study. tuner/sqlite is the earlier, gradtune-only schema.
package tuner

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/gradtune/gradtune/goal"
	"github.com/gradtune/gradtune/internal/gerr"
	"github.com/gradtune/gradtune/panics"
)

// Errors of the tuner; match them with errors.Is.
var (
	ErrConfig = errors.New("tuner: invalid configuration")
	// ErrPruned, returned by an objective, ends its trial as Pruned.
	ErrPruned = errors.New("tuner: trial pruned")
	// ErrNoCompleted: the study has no completed trial yet.
	ErrNoCompleted = errors.New("tuner: no completed trial")
	// ErrMultiObjective: one best trial or one objective asked of a study of
	// several objectives (Best, Optimize); BestTrials and OptimizeMulti
	// serve them.
	ErrMultiObjective = errors.New("tuner: the study has several objectives")
	// ErrNoFeasible: every completed trial violates one of its constraints
	// (Trial.SetConstraints), so Best has none to give.
	ErrNoFeasible         = errors.New("tuner: no feasible completed trial")
	ErrStorage            = errors.New("tuner: storage")
	ErrTrialFinished      = errors.New("tuner: trial already finished")
	staleReason           = "stale: still running when the study was reopened (its process died)"
	notRunReason          = "not run: the sampler's search space is exhausted"
	interruptedReason     = "interrupted: the study's context was cancelled during the trial"
	objectiveReturnedNaN  = "objective returned NaN"
	attrRequeuedFrom      = "requeued_from"
	attrSamplerSystemGrid = "grid_id"
)

// Direction says whether lower or higher objective values are better: the
// goal.Direction shared with metrics and the trainer's callbacks. A Config's
// zero value, goal.Auto, means Minimize.
type Direction = goal.Direction

const (
	Minimize = goal.Minimize
	Maximize = goal.Maximize
)

// Objective evaluates one trial. It returns the value to optimize, or an
// error: ErrPruned (possibly wrapped) ends the trial as Pruned, any other
// error (or a panic, or a NaN value) as Failed, and the study goes on.
type Objective func(ctx context.Context, t *Trial) (float64, error)

// MultiObjective evaluates one trial of a study of several objectives
// (Study.OptimizeMulti): it returns one value per Config.Directions entry,
// in that order, or an error, as an Objective does. A vector of another
// length fails the trial (FailObjective), and so does a NaN in any
// objective (FailNaN); ±Inf values are kept, as Optuna keeps them.
type MultiObjective func(ctx context.Context, t *Trial) ([]float64, error)

// Config configures a study. The zero value of each field is its default.
type Config struct {
	Name      string    // "" → "default"
	Direction Direction // Minimize by default (the zero value, goal.Auto)
	// Directions makes a study of several objectives, one direction
	// (Minimize or Maximize) per objective, in the order a MultiObjective
	// returns their values (Optuna's directions); nil → one objective, of
	// Direction. With both set, Directions must be [Direction]
	// (ErrConfig otherwise). Reopening a study with other directions, in
	// number or way, is refused (ErrConfig).
	Directions []Direction
	// Sampler draws the parameters; nil → &TPESampler{} for one objective
	// and &NSGAIISampler{} for several, Optuna 3.1's defaults (TPESampler
	// is one objective's: ErrConfig with several, unless its Version is
	// TPEOptuna5, Optuna 5's default for several).
	Sampler Sampler
	// Pruner stops unpromising trials; nil → NopPruner (never prunes).
	// With several objectives, only a DirectionsValidator that accepts
	// them (prune.SuccessiveHalving, prune.Hyperband) or NopPruner:
	// ErrConfig otherwise.
	Pruner Pruner

	Storage Storage // nil → a new in-memory storage
	// Parallelism is the number of trials run at once; 0 → runtime.NumCPU().
	Parallelism int
	// Seed seeds the sampler's draws: trial n's values depend only on
	// (Seed, n, the trials finished before it), not on goroutine timing
	// for samplers that ignore history (Random, Grid); ReproducibleWindow
	// fixes which trials those are, for every sampler.
	Seed uint64
	// RequeueStale re-runs, with the same parameters, the trials found
	// Running when the study is reopened (their process died) and those
	// interrupted by a cancelled context (queued as they end, run first by
	// the next Optimize); by default they are only marked Failed. Either way
	// they do not count toward a Budget. The new trial's RequeuedFrom names
	// the one it re-runs, so an objective that saved its training state
	// can resume it (tunertrainer.StatePaths).
	RequeueStale bool
	// MaxConsecutiveFailures stops Optimize with ErrTooManyFailures once
	// that many trials in a row have failed (an error, a panic, a NaN, a
	// suggestion refused): a study whose every trial fails for one reason
	// says so instead of spending its budget. Trials count in the order
	// they finish; one that completes or is pruned starts the count anew,
	// and one interrupted by a cancelled context is neither. 0 → 10; a
	// negative value never stops. (KerasTuner's max_consecutive_failed_trials
	// defaults to 3; Optuna never stops.)
	MaxConsecutiveFailures int
	// HeartbeatInterval makes each Running trial record a heartbeat in the
	// storage this often (Optuna's heartbeat_interval), by the storage's
	// clock; before a worker starts a trial it fails the Running trials
	// whose heartbeat is older than GracePeriod (FailStale; re-queued with
	// RequeueStale), whichever process or machine ran them. A worker whose
	// trial was failed so sees its objective's ctx cancelled and its result
	// dropped. 0 → off: a study then fails only the trials of dead
	// processes on this host, when it is opened (see Open). The storage
	// must be a HeartbeatStorage (memory, tuner/rdb); ErrConfig otherwise.
	HeartbeatInterval time.Duration
	// GracePeriod is how old a heartbeat may get before its trial counts
	// as stale; 0 → 2 × HeartbeatInterval (Optuna's default). It must
	// exceed HeartbeatInterval; leave room for long GC or I/O pauses
	// (Optuna #4234).
	GracePeriod time.Duration
	// ReproducibleWindow W > 0 makes the study reproducible: the same Seed
	// gives the same trials — parameters, values, pruning — whatever the
	// Parallelism, however often the study is interrupted and resumed, and
	// however many processes share it, for an objective that is itself
	// deterministic. Trial k of the study's sequence (Trial.Sequence)
	// starts once the trials below k−W+1 have ended, and its sampler and
	// pruner see only those; so at most W trials run at once (Parallelism
	// above W only waits). A trial interrupted, stale or retried is run
	// again under its number, with the same parameters, whether or not
	// RequeueStale is set, and takes no place in the Budget, which counts
	// numbers; Study.Sequence lists the result. Refused with
	// ErrConfig: Study.Enqueue, a TrialClaimer other than GridSampler, and a
	// sampler or pruner whose CheckReproducible fails (ReproducibilityChecker:
	// TPESampler's ConstantLiar; tuner/prune's automatic resources). Every
	// process must use the same Seed and W. 0 → off.
	ReproducibleWindow int
	// TrialTimeout stops a trial that runs longer: its objective's ctx is
	// cancelled with cause ErrTrialTimeout, and the trial ends Failed,
	// FailTimeout, whatever the objective then returns; one that ignores
	// ctx is recorded so when it returns, its worker waiting until then. A
	// timed-out trial counts toward the budget (its parameters are too
	// slow) and is not retried unless RetryKinds says so. 0 → none.
	TrialTimeout time.Duration
	// MaxRetries runs a trial that failed in a way RetryKinds lists again,
	// with the same parameters, up to that many times (Optuna's
	// RetryFailedTrialCallback(max_retry)); each run is a trial of its own
	// and counts as one, the retry naming the run before it
	// (Trial.RequeuedFrom) and its count (Trial.Retries). It also bounds
	// the re-runs of stale trials that RequeueStale queues. 0 → no retry.
	MaxRetries int
	// RetryKinds are the failures MaxRetries retries; nil → FailStale (a
	// dead or lost worker) and FailPanic. FailObjective, FailNaN and
	// FailTimeout may be added: an objective's own errors are not retried
	// unless listed. Other kinds, or RetryKinds without MaxRetries, are
	// ErrConfig.
	RetryKinds []FailKind
	// ReadOnly opens the study to read it (a report, a dashboard): Open
	// leaves the trials of dead processes as they are, for the workers'
	// own recovery (RequeueStale) to find, and Optimize, OptimizeMulti and
	// Enqueue are refused with ErrConfig. Open still finds the study with
	// Storage.GetOrCreateStudy, which creates an absent one: check it
	// exists first where that matters (rdb.Storage.StudyDirections).
	ReadOnly bool
}

// Study is a named set of trials in a Storage.
type Study struct {
	cfg     Config
	storage Storage
	id      int64
	mu      sync.Mutex // serializes the sampler and the pruner
	// ended is closed when a trial ends, waking the workers of a
	// reproducible study that wait for their window (trialEnds).
	endMu sync.Mutex
	ended chan struct{}
	// finishing is read-held while a trial is finished and maybe re-queued,
	// so that a worker finding the grid exhausted sees the retry queued.
	finishing sync.RWMutex
	calls     runningCalls // the running Optimize calls, for Stop
}

// Open opens the study called cfg.Name in cfg.Storage, creating it if
// needed. Reopening continues it: trials left Running by a dead process are
// marked Failed (and re-queued with RequeueStale), completed ones feed the
// sampler as before. Each trial records its process ("host/pid"), so the
// trials of a live process on the same machine sharing a persistent storage
// are left alone; Running trials of processes on other hosts are treated as
// dead. Several processes may share a study this way, but a TotalTrials
// budget is counted per process and may be overshot. A nil ctx or a bad
// Config field is an error wrapping ErrConfig.
func Open(ctx context.Context, cfg Config) (*Study, error) {
	if ctx == nil {
		return nil, fmt.Errorf("%w: Open: nil context", ErrConfig)
	}
	if cfg.Name == "" {
		cfg.Name = "default"
	}
	dirs, err := resolveDirections(cfg)
	if err != nil {
		return nil, err
	}
	cfg.Directions, cfg.Direction = dirs, dirs[0]
	multi := len(dirs) > 1
	if multi {
		cfg.Direction = goal.Auto // no one direction
	}
	if cfg.Parallelism < 0 {
		return nil, fmt.Errorf("%w: Parallelism = %d, want ≥ 0 (0 = number of CPUs)", ErrConfig, cfg.Parallelism)
	}
	if cfg.Parallelism == 0 {
		cfg.Parallelism = runtime.NumCPU()
	}
	if cfg.Storage == nil {
		cfg.Storage = NewMemoryStorage()
	}
	switch cfg.Sampler.(type) {
	case nil:
		cfg.Sampler = &TPESampler{}
		if multi {
			cfg.Sampler = &NSGAIISampler{}
		}
	case TPESampler, *TPESampler:
		if multi && tpeVersionOf(cfg.Sampler) != TPEOptuna5 {
			return nil, fmt.Errorf("%w: TPESampler (Optuna 3.1's) optimizes one objective, the study has %d (Directions %v): set its Version to TPEOptuna5 (multi-objective TPE), leave Sampler nil (NSGAIISampler) or use another sampler",
				ErrConfig, len(dirs), dirs)
		}
	}
	if cfg.Pruner == nil {
		cfg.Pruner = NopPruner{}
	}
	if err := checkHeartbeatConfig(&cfg); err != nil {
		return nil, err
	}
	if err := checkPrunerDirections(cfg.Pruner, dirs); err != nil {
		return nil, err
	}
	if err := checkRetryConfig(cfg); err != nil {
		return nil, err
	}
	for what, v := range map[string]any{"Pruner": cfg.Pruner, "Sampler": cfg.Sampler} {
		if v, ok := v.(interface{ Validate() error }); ok {
			if err := v.Validate(); err != nil {
				return nil, fmt.Errorf("tuner: %s: %w", what, err) // err wraps ErrConfig
			}
		}
	}
	if err := checkReproducible(cfg); err != nil {
		return nil, err
	}
	id, _, err := cfg.Storage.GetOrCreateStudy(ctx, cfg.Name, slices.Clone(dirs))
	if err != nil {
		return nil, err
	}
	s := &Study{cfg: cfg, storage: cfg.Storage, id: id}
	if cfg.ReadOnly {
		return s, nil
	}
	if err := s.recoverStale(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// recoverStale fails (and maybe re-queues) the trials a dead process left
// Running. With heartbeats, those are the trials whose heartbeat is too
// old, and those of dead processes on this host (they may have died before
// their first heartbeat); a trial of another host is left to its heartbeat.
func (s *Study) recoverStale(ctx context.Context) error {
	if err := s.failStale(ctx); err != nil {
		return err
	}
	_, _, beats := s.heartbeats()
	trials, err := s.load(ctx)
	if err != nil {
		return err
	}
	for _, t := range trials {
		if t.State != Running || ownerAlive(t.Attrs[attrOwner]) || beats && !ownerOnThisHost(t.Attrs[attrOwner]) {
			continue
		}
		err := s.storage.FinishTrial(ctx, t.ID, Failed, nil, FailStale, staleReason)
		if errors.Is(err, ErrTrialFinished) {
			continue // another process recovered (and maybe re-queued) it
		}
		if err != nil {
			return err
		}
		if err := s.requeueAfter(ctx, t, FailStale); err != nil {
			return err
		}
	}
	return nil
}

// errNoStudy is what the methods of a nil *Study, or of a Study not made
// by Open (its zero value has no storage), return.
var errNoStudy = fmt.Errorf("%w: a nil *Study or one not made by Open", ErrConfig)

// check refuses a Study that Open did not make and a nil ctx, naming the
// method called (op); both errors wrap ErrConfig.
func (s *Study) check(ctx context.Context, op string) error {
	switch {
	case s == nil || s.storage == nil:
		return fmt.Errorf("Study.%s: %w", op, errNoStudy)
	case ctx == nil:
		return fmt.Errorf("%w: Study.%s: nil context", ErrConfig, op)
	}
	return nil
}

// checkWritable refuses op on a study opened ReadOnly.
func (s *Study) checkWritable(op string) error {
	if s.cfg.ReadOnly {
		return fmt.Errorf("%w: Study.%s: study %q was opened ReadOnly", ErrConfig, op, s.cfg.Name)
	}
	return nil
}

// Name returns the study's name.
func (s *Study) Name() string { return s.cfg.Name }

// Direction returns the direction of a study of one objective; goal.Auto
// for a study of several (see Directions).
func (s *Study) Direction() Direction {
	if s == nil {
		return goal.Auto
	}
	return s.cfg.Direction
}

// Directions returns the study's directions, one per objective (a copy);
// nil for a nil *Study.
func (s *Study) Directions() []Direction {
	if s == nil {
		return nil
	}
	return slices.Clone(s.cfg.Directions)
}

// multi reports whether the study has several objectives.
func (s *Study) multi() bool { return len(s.cfg.Directions) > 1 }

// Trials returns all trials, ordered by number. A nil ctx, or a Study not
// made by Open, is an error wrapping ErrConfig.
func (s *Study) Trials(ctx context.Context) ([]FrozenTrial, error) {
	if err := s.check(ctx, "Trials"); err != nil {
		return nil, err
	}
	return s.load(ctx)
}

// load reads the study's trials from the storage, with their constraints
// (FrozenTrial.Constraints) taken from the attribute that keeps them.
func (s *Study) load(ctx context.Context) ([]FrozenTrial, error) {
	trials, err := s.storage.Trials(ctx, s.id)
	if err != nil {
		return nil, err
	}
	for i := range trials {
		takeConstraints(&trials[i])
		takeIntermediateVectors(&trials[i], len(s.cfg.Directions))
	}
	return trials, nil
}

// Enqueue queues a trial with fixed parameters (external values, e.g. a
// known good configuration); suggestions of other parameters are sampled.
// Each parameter needs a valid distribution in dists, of the value's type.
// Errors wrap ErrConfig: a parameter without a distribution (absent or
// nil), an invalid one, a value of another type, a nil ctx, a Study not made
// by Open, a reproducible study (Config.ReproducibleWindow); or come from
// the storage.
func (s *Study) Enqueue(ctx context.Context, params map[string]any, dists map[string]Distribution) error {
	if err := s.check(ctx, "Enqueue"); err != nil {
		return err
	}
	if err := s.checkWritable("Enqueue"); err != nil {
		return err
	}
	if s.reproducible() {
		// The storage starts waiting trials first, in the order queued, which
		// an interruption would put out of the sequence's order.
		return fmt.Errorf("%w: Enqueue: study %q is reproducible (ReproducibleWindow = %d), and fixed trials have no place in its sequence",
			ErrConfig, s.cfg.Name, s.cfg.ReproducibleWindow)
	}
	internal := map[string]float64{}
	for k, v := range params {
		d := dists[k]
		if d == nil {
			return fmt.Errorf("%w: Enqueue: parameter %q has no distribution", ErrConfig, k)
		}
		if v, ok := d.(validator); ok {
			if err := v.Validate(); err != nil {
				return fmt.Errorf("Enqueue: parameter %q: %w", k, err)
			}
		}
		x, err := d.ToInternal(v)
		if err != nil {
			return fmt.Errorf("Enqueue: parameter %q: %w", k, err)
		}
		internal[k] = x
	}
	return s.storage.EnqueueTrial(ctx, s.id, internal, dists, nil)
}

// Budget bounds Optimize. Trials is how many trials to run now (Optuna's
// n_trials); TotalTrials stops once the study holds that many counted
// trials (Complete, Pruned, or Failed by the objective — not those failed
// as stale), which makes a re-run resume rather than start over. One of them
// must be > 0; with both, the first reached stops. Trials interrupted by a
// cancelled context do not count either. Neither may exceed MaxTrials.
type Budget struct {
	Trials, TotalTrials int
}

// MaxTrials bounds Budget.Trials and Budget.TotalTrials: trial numbers are
// 32-bit integers in Optuna's schema (an INTEGER column, 32 bits on
// PostgreSQL), so no study holds more trials.
const MaxTrials = math.MaxInt32

// Counted reports whether the trial counts toward a TotalTrials budget:
// Complete, Pruned, or Failed by its objective — not Running or Waiting, nor
// failed as stale (its process died), interrupted by a cancelled context, or
// never run (an exhausted grid). Its FailKind decides (FailKind.Counted),
// never the wording of FailReason.
func (t FrozenTrial) Counted() bool { return counted(t) }

func counted(t FrozenTrial) bool {
	return t.State == Complete || t.State == Pruned || t.State == Failed && t.FailKind.Counted()
}

// Optimize runs trials, Parallelism at a time, until the budget is spent,
// the sampler's search space is exhausted (Grid), Stop is called or ctx is
// cancelled. A failing trial is recorded and the study goes on, until
// Config.MaxConsecutiveFailures of them fail in a row. The callbacks run
// after each trial (see Callback). It returns ctx's error if cancelled, a
// storage error, an error wrapping ErrTooManyFailures (and the last
// failure's cause), a callback's error, or nil. A nil ctx, objective or
// callback, a Budget out of range, a Study not made by Open or opened
// ReadOnly are errors
// wrapping ErrConfig; so is a study of several objectives, which
// OptimizeMulti runs (the error also wraps ErrMultiObjective).
// A panic in a sampler or storage while a trial starts or ends stops
// Optimize with a *panics.Error wrapping panics.ErrUser (a panic in the
// objective, or in what it calls, only fails its trial).
func (s *Study) Optimize(ctx context.Context, obj Objective, b Budget, callbacks ...Callback) error {
	if err := s.check(ctx, "Optimize"); err != nil {
		return err
	}
	if err := s.checkWritable("Optimize"); err != nil {
		return err
	}
	if obj == nil {
		return fmt.Errorf("%w: nil objective", ErrConfig)
	}
	if s.multi() {
		return fmt.Errorf("%w: %w: study %q has %d objectives (Directions %v): run a MultiObjective with OptimizeMulti",
			ErrConfig, ErrMultiObjective, s.cfg.Name, len(s.cfg.Directions), s.cfg.Directions)
	}
	return s.optimize(ctx, func(ctx context.Context, t *Trial) ([]float64, error) {
		v, err := obj(ctx, t)
		return []float64{v}, err
	}, b, callbacks)
}

// OptimizeMulti is Optimize for a MultiObjective, which returns one value
// per objective (Config.Directions); on a study of one objective it takes
// vectors of one value. Callbacks, Stop and errors are Optimize's; a nil
// objective is ErrConfig.
func (s *Study) OptimizeMulti(ctx context.Context, obj MultiObjective, b Budget, callbacks ...Callback) error {
	if err := s.check(ctx, "OptimizeMulti"); err != nil {
		return err
	}
	if err := s.checkWritable("OptimizeMulti"); err != nil {
		return err
	}
	if obj == nil {
		return fmt.Errorf("%w: nil objective", ErrConfig)
	}
	return s.optimize(ctx, obj, b, callbacks)
}

// optimize is Optimize and OptimizeMulti past their checks of ctx and obj.
func (s *Study) optimize(ctx context.Context, obj MultiObjective, b Budget, callbacks []Callback) error {
	if b.Trials < 0 || b.TotalTrials < 0 || b.Trials == 0 && b.TotalTrials == 0 || b.Trials > MaxTrials || b.TotalTrials > MaxTrials {
		return fmt.Errorf("%w: Budget %+v, want Trials > 0 or TotalTrials > 0, neither above MaxTrials = %d", ErrConfig, b, MaxTrials)
	}
	if err := checkCallbacks(callbacks); err != nil {
		return err
	}
	var (
		mu       sync.Mutex
		started  int
		firstErr error
		stop     bool
		stopped  = make(chan struct{}) // closed with stop: wakes the workers waiting to start a trial
	)
	halt := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if !stop {
			stop = true
			close(stopped)
		}
		if firstErr == nil && err != nil && !errors.Is(err, ErrSearchSpaceExhausted) && !errors.Is(err, errStopped) {
			firstErr = err
		}
	}
	// Stop from now on, reading the study included: a large one takes a while.
	defer s.calls.add(func() { halt(nil) })()
	trials, err := s.load(ctx)
	if err != nil {
		return err
	}
	done := 0
	for _, t := range trials {
		if counted(t) {
			done++
		}
	}
	if s.reproducible() {
		done = len(s.sequenceSlots(trials).final) // the budget counts numbers
	}
	// take reserves one trial of the budget.
	take := func() bool {
		mu.Lock()
		defer mu.Unlock()
		if stop || ctx.Err() != nil {
			return false
		}
		if b.Trials > 0 && started >= b.Trials || b.TotalTrials > 0 && done+started >= b.TotalTrials {
			return false
		}
		started++
		return true
	}
	streak := failureStreak{limit: s.cfg.MaxConsecutiveFailures}
	cbs := callbackRun{list: callbacks}
	var wg sync.WaitGroup
	for w := 0; w < s.cfg.Parallelism; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Nobody can recover a panic on this goroutine but itself: one
			// in a sampler's or storage's code would end the process.
			defer func() {
				if r := recover(); r != nil {
					halt(gerr.Recovered("tuner: Optimize (a sampler or storage, as a trial started or ended)", r))
				}
			}()
			for take() {
				end, err := s.runTrial(ctx, obj, stopped)
				if err == nil {
					err = cbs.after(ctx, s, end)
				}
				if err == nil {
					err = streak.add(end)
				}
				if err != nil {
					halt(err)
				}
				if end.rerun {
					mu.Lock()
					started-- // its number runs again, within the same budget
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// runTrial creates, evaluates and finishes one trial, and says how it
// ended. Only storage errors, an exhausted search space and a stopped call
// (errStopped, before the trial is created) come back as errors; the
// objective's failures are recorded in the trial.
func (s *Study) runTrial(ctx context.Context, obj MultiObjective, stopped <-chan struct{}) (trialEnd, error) {
	if err := s.failStale(ctx); err != nil {
		return trialEnd{}, err
	}
	ft, err := s.createTrial(ctx, stopped)
	if err != nil {
		return trialEnd{}, err
	}
	defer s.trialEnded()
	trialCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	takeConstraints(&ft)
	takeIntermediateVectors(&ft, len(s.cfg.Directions))
	t := &Trial{study: s, frozen: ft, ctx: trialCtx, cancel: cancel}
	stopBeat := s.startHeartbeat(t)
	defer stopBeat()
	if err := s.startTrial(t); err != nil {
		stopBeat()
		if t.lost.Load() {
			return trialEnd{rerun: s.reproducible()}, nil // another worker failed it as stale
		}
		kind, reason := FailSampler, err.Error()
		switch {
		case ctx.Err() != nil:
			// The sampler or the storage failed on the cancelled context:
			// the caller cut the trial short, which counts for nothing.
			kind, reason, err = FailInterrupted, interruptedReason, ctx.Err()
		case errors.Is(err, ErrSearchSpaceExhausted):
			kind, reason = FailNotRun, notRunReason
		}
		if ferr := s.storage.FinishTrial(context.WithoutCancel(ctx), ft.ID, Failed, nil, kind, reason); ferr != nil {
			return trialEnd{}, ferr
		}
		return trialEnd{}, err
	}
	objCtx, timedOut := s.withTimeout(trialCtx)
	began := time.Now()
	values, objErr := callObjective(objCtx, obj, t)
	took, late := time.Since(began), timedOut()
	stopBeat()
	if t.lost.Load() {
		// Another worker failed the trial as stale while it ran (and maybe
		// re-queued it): its result is dropped, the study goes on.
		return trialEnd{rerun: s.reproducible()}, nil
	}
	state, kind, reason := Complete, FailKind(""), ""
	switch {
	case late:
		// Past its time, whatever it returned: its parameters are too slow.
		state, kind, reason = Failed, FailTimeout, s.timeoutReason(took)
	case ctx.Err() != nil && (t.err != nil || objErr != nil):
		// Cut short by the caller (a suggestion or the objective failed on
		// the cancelled context), not by its parameters: recorded, not
		// counted toward a TotalTrials budget, so a rerun evaluates it anew.
		state, kind, reason = Failed, FailInterrupted, interruptedReason
	case t.err != nil:
		state, kind, reason = Failed, FailSuggest, t.err.Error()
	case errors.Is(objErr, ErrPruned):
		state, values = Pruned, nil
		if _, v, ok := t.frozen.LastStep(); ok && !math.IsNaN(v) && !s.multi() {
			values = []float64{v} // Optuna's value of a pruned trial
		}
		if _, vs, ok := t.frozen.LastVector(); ok && !slices.ContainsFunc(vs, math.IsNaN) && s.multi() {
			values = slices.Clone(vs) // the same, of several objectives
		}
	case errors.Is(objErr, errObjectivePanicked):
		state, kind, reason = Failed, FailPanic, objErr.Error()
	case objErr != nil:
		state, kind, reason = Failed, FailObjective, objErr.Error()
	default:
		if kind, reason = s.checkValues(values); kind != "" {
			state = Failed
		}
	}
	if state != Failed && t.constraintErr != nil {
		// Trial.SetConstraints was given a NaN (Optuna raises there too).
		state, kind, reason = Failed, FailNaN, t.constraintErr.Error()
	}
	if state == Failed {
		values = nil
	}
	end := trialEnd{number: ft.Number, id: ft.ID, state: state, kind: kind, rerun: s.reproducible() && s.retriedAgain(t.frozen, kind)}
	switch {
	case kind == FailTimeout:
		end.cause = fmt.Errorf("%w: %s", ErrTrialTimeout, reason)
	case state == Failed && kind != FailInterrupted:
		end.cause = cmp.Or(t.err, objErr, errors.New(reason))
	}
	s.finishing.RLock()
	defer s.finishing.RUnlock()
	err = s.storage.FinishTrial(context.WithoutCancel(ctx), ft.ID, state, slices.Clone(values), kind, reason)
	if errors.Is(err, ErrTrialFinished) {
		return trialEnd{}, nil // another process failed it as stale; the study goes on
	}
	if err == nil && state == Failed {
		// A retry, or an interrupted trial with RequeueStale: queued now, it
		// is the first trial the next Optimize (of this process or another,
		// on the same storage) runs.
		err = s.requeueAfter(context.WithoutCancel(ctx), t.frozen, kind)
	}
	return end, err
}

// createTrial creates the next trial in the storage. A grid point is
// claimed as the trial is created, atomically, so that no other trial (of
// any process) gets it; an exhausted grid creates nothing and stops
// Optimize. A reproducible study claims a sequence number instead, and
// waits for it (createSequenced). Once the call has stopped, it creates
// nothing (errStopped).
func (s *Study) createTrial(ctx context.Context, stopped <-chan struct{}) (FrozenTrial, error) {
	if stopping(stopped) {
		return FrozenTrial{}, errStopped
	}
	attrs := map[string]string{attrOwner: thisOwner}
	if s.reproducible() {
		return s.createSequenced(ctx, attrs, stopped)
	}
	var claim *Claim
	if c, ok := s.cfg.Sampler.(TrialClaimer); ok {
		claim = c.TrialClaim()
	}
	ft, err := s.storage.CreateTrial(ctx, s.id, attrs, claim)
	for errors.Is(err, ErrSearchSpaceExhausted) && s.heldPointsMayFree(ctx) {
		ft, err = s.storage.CreateTrial(ctx, s.id, attrs, claim)
	}
	return ft, err
}

// errObjectivePanicked marks the error callObjective makes of a panic.
var errObjectivePanicked = errors.New("objective panicked")

// objectivePanic is a panic in the objective: it reads "objective
// panicked: <value>" (the reason trials have always recorded) and wraps
// both errObjectivePanicked and the *panics.Error, with its stack.
type objectivePanic struct{ pe *panics.Error }

func (e objectivePanic) Error() string {
	return fmt.Sprintf("%v: %v", errObjectivePanicked, e.pe.Value)
}
func (e objectivePanic) Unwrap() []error { return []error{errObjectivePanicked, e.pe} }

// callObjective runs obj, turning a panic into an error.
func callObjective(ctx context.Context, obj MultiObjective, t *Trial) (v []float64, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, objectivePanic{gerr.Recovered("tuner: objective", r)}
		}
	}()
	return obj(ctx, t)
}

// checkValues says how a trial whose objective returned values without
// error fails, if it does: values of the wrong number (FailObjective) or a
// NaN value (FailNaN); an empty kind when it completes.
func (s *Study) checkValues(values []float64) (FailKind, string) {
	dirs := s.cfg.Directions
	if len(values) != len(dirs) {
		return FailObjective, fmt.Sprintf("objective returned %d values, want %d: one per objective (Directions %v)", len(values), len(dirs), dirs)
	}
	if i := slices.IndexFunc(values, math.IsNaN); i >= 0 {
		if len(dirs) == 1 {
			return FailNaN, objectiveReturnedNaN
		}
		return FailNaN, fmt.Sprintf("%s for objective %d of %d (values %v)", objectiveReturnedNaN, i, len(dirs), values)
	}
	return "", ""
}

// startTrial lets a RelativeSampler propose values for the whole trial.
func (s *Study) startTrial(t *Trial) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	trials, err := s.load(t.ctx)
	if err != nil {
		return err
	}
	t.history = trials
	if s.reproducible() {
		if err := s.startSequenced(t, trials); err != nil {
			return err
		}
		trials = t.history
	}
	if st, ok := s.cfg.Sampler.(TrialStarter); ok {
		err := gerr.User("tuner: sampler StartTrial", func() error { return st.StartTrial(s.sampleContext(t, trials, "")) })
		if err != nil {
			return err
		}
		// Persist what the sampler noted while the lock is held, so that
		// parallel and later trials see it.
		for k, v := range t.frozen.Attrs {
			if err := s.storage.SetTrialAttr(t.ctx, t.frozen.ID, k, v); err != nil {
				return err
			}
		}
	}
	rs, ok := s.cfg.Sampler.(RelativeSampler)
	if !ok {
		return nil
	}
	var rel map[string]float64
	err = gerr.User("tuner: sampler SampleRelative", func() (err error) {
		rel, err = rs.SampleRelative(s.sampleContext(t, trials, ""))
		return err
	})
	if err != nil {
		return err
	}
	t.relative = rel
	return nil
}

// sample draws a parameter's internal value: a fixed (enqueued) value, the
// relative sampler's proposal, or the sampler's independent draw.
func (s *Study) sample(t *Trial, name string, d Distribution) (float64, error) {
	// The study as it was when the trial started: reading the storage again
	// for every suggestion cost most of the per-trial overhead at 1,000
	// trials, and what finished meanwhile matters little to one trial.
	trials := t.history
	for _, prev := range trials {
		if pd, ok := prev.Distributions[name]; ok && prev.ID != t.frozen.ID {
			if err := Compatible(pd, d); err != nil { // a range may change, its kind not
				return 0, fmt.Errorf("%w (earlier: trial %d)", err, prev.Number)
			}
		}
	}
	if x, ok := t.relative[name]; ok && d.Contains(x) {
		return x, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var x float64
	err := gerr.User("tuner: sampler Sample", func() (err error) {
		x, err = s.cfg.Sampler.Sample(s.sampleContext(t, trials, name), name, d)
		return err
	})
	if err != nil {
		return 0, err
	}
	if !d.Contains(x) {
		return 0, fmt.Errorf("%w: sampler %T proposed %v outside %v", ErrConfig, s.cfg.Sampler, x, d)
	}
	return x, nil
}

// sampleContext gathers what a sampler may use. The generator is seeded by
// (Seed, trial number, parameter name), so draws do not depend on timing.
// A reproducible study's sampler sees the trial renumbered by its sequence
// number, which seeds the generator in place of its Number.
func (s *Study) sampleContext(t *Trial, trials []FrozenTrial, name string) *SampleContext {
	others := make([]FrozenTrial, 0, len(trials))
	for _, o := range trials {
		if o.ID != t.frozen.ID {
			others = append(others, o)
		}
	}
	trial := s.sequenced(t)
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%s", trial.Number, name)
	return &SampleContext{
		Trials:     others,
		Trial:      trial,
		Direction:  s.cfg.Direction,
		Directions: slices.Clone(s.cfg.Directions),
		Rand:       rand.New(rand.NewPCG(s.cfg.Seed, h.Sum64())),
	}
}

// shouldPrune asks the pruner about t.
func (s *Study) shouldPrune(t *Trial) bool {
	if _, never := s.cfg.Pruner.(NopPruner); never {
		return false // no need to copy every trial out of the storage
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	trials, err := s.load(t.ctx)
	if err != nil {
		if s.reproducible() {
			// Going on unpruned could make another trial than the one the
			// sequence holds: the trial fails (interrupted, if cancelled).
			t.fail(fmt.Errorf("tuner: ShouldPrune: %w", err))
		}
		return false
	}
	others := trials[:0:0]
	if k, ok := s.sequenceOf(t); ok {
		others = s.sequenceView(trials, k)
	} else {
		for _, o := range trials {
			if o.ID != t.frozen.ID {
				others = append(others, o)
			}
		}
	}
	setAttr := func(k, v string) error {
		if err := s.storage.SetTrialAttr(t.ctx, t.frozen.ID, k, v); err != nil {
			return err
		}
		t.frozen.Attrs[k] = v
		return nil
	}
	return s.cfg.Pruner.Prune(&PruneContext{StudyName: s.cfg.Name, SetAttr: setAttr, Trials: others, Trial: s.sequenced(t),
		Direction: s.cfg.Direction, Directions: slices.Clone(s.cfg.Directions)})
}
