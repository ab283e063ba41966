package tuner

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"
	"time"
)

// Storage keeps studies and their trials. Implementations must be safe for
// concurrent use; NewMemoryStorage is one, package tuner/sqlite another
// (persistent, for resuming).
// A new implementation proves it keeps this contract by running the
// conformance suite of package tuner/storagetest from its tests.
type Storage interface {
	// GetOrCreateStudy returns the id of the study called name, creating it
	// with dirs, one direction per objective (Minimize or Maximize), if it
	// does not exist. Invalid dirs, or an existing study whose directions
	// differ in number or way, are errors wrapping ErrConfig (CheckDirections
	// words them), and nothing is written. A storage that keeps one objective
	// per study refuses more with ErrConfig, creating nothing.
	GetOrCreateStudy(ctx context.Context, name string, dirs []Direction) (id int64, created bool, err error)
	// CreateTrial starts a trial: it claims the oldest Waiting trial of the
	// study if there is one (returning it with its parameters, now
	// Running), or inserts a new Running trial numbered after all others.
	// attrs are set on the trial in the same atomic step (the study records
	// the owning process there, so no other process ever sees the trial
	// without it). A non-nil claim sets one more attribute, claim.Key, to
	// the value its Pick chooses, also in that step (see Claim); if Pick
	// fails, CreateTrial returns its error (wrapped) and changes nothing.
	CreateTrial(ctx context.Context, studyID int64, attrs map[string]string, claim *Claim) (FrozenTrial, error)
	// EnqueueTrial adds a Waiting trial with fixed parameters (internal
	// values with their distributions) and attributes (may be nil), which
	// the trial keeps when CreateTrial claims it: a re-queued trial records
	// there the trial it re-runs ("requeued_from").
	EnqueueTrial(ctx context.Context, studyID int64, params map[string]float64, dists map[string]Distribution, attrs map[string]string) error
	SetTrialParam(ctx context.Context, trialID int64, name string, internal float64, d Distribution) error
	SetTrialIntermediate(ctx context.Context, trialID int64, step int, value float64) error
	SetTrialAttr(ctx context.Context, trialID int64, key, value string) error
	// FinishTrial moves a Running trial to Complete, Pruned or Failed with
	// its values, one per objective of its study (FrozenTrial.Values): a
	// Complete trial has them all, a Pruned one all or none (nil), a Failed
	// one none; no value is NaN (±Inf are kept). It is an error
	// (ErrTrialFinished) if the trial is not Running. A Failed trial needs a
	// kind, other states none; reason is the failure in words. Values or a
	// kind that do not fit are refused with ErrStorage (CheckFinish), and
	// the trial stays Running.
	FinishTrial(ctx context.Context, trialID int64, state TrialState, values []float64, kind FailKind, reason string) error
	// Trials returns every trial of the study, ordered by number. Every
	// Failed trial has a FailKind: one stored without (by an earlier
	// version) gets LegacyFailKind(FailReason).
	Trials(ctx context.Context, studyID int64) ([]FrozenTrial, error)
	Close() error
}

// memory is the in-memory Storage.
type memory struct {
	mu      sync.Mutex
	studies map[string]*memStudy
	byID    map[int64]*memStudy
	trials  map[int64]*FrozenTrial // by trial id
	studyOf map[int64]*memStudy    // a trial's study, by trial id
	nextID  int64
	beats   map[int64]time.Time // last heartbeat of a trial, by trial id (local clock)
}

type memStudy struct {
	id     int64
	dirs   []Direction
	trials []*FrozenTrial
}

// NewMemoryStorage returns a Storage that lives as long as the process.
func NewMemoryStorage() Storage {
	return &memory{studies: map[string]*memStudy{}, byID: map[int64]*memStudy{}, trials: map[int64]*FrozenTrial{},
		studyOf: map[int64]*memStudy{}, beats: map[int64]time.Time{}}
}

func (m *memory) GetOrCreateStudy(_ context.Context, name string, dirs []Direction) (int64, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s, ok := m.studies[name]; ok {
		if err := CheckDirections(name, s.dirs, dirs); err != nil {
			return 0, false, err
		}
		return s.id, false, nil
	}
	if err := CheckDirections(name, nil, dirs); err != nil {
		return 0, false, err
	}
	m.nextID++
	s := &memStudy{id: m.nextID, dirs: slices.Clone(dirs)}
	m.studies[name], m.byID[s.id] = s, s
	return s.id, true, nil
}

func newFrozen(id int64, number int, state TrialState) *FrozenTrial {
	return &FrozenTrial{ID: id, Number: number, State: state, Value: math.NaN(),
		Params: map[string]any{}, Internal: map[string]float64{}, Distributions: map[string]Distribution{},
		Intermediate: map[int]float64{}, Attrs: map[string]string{}}
}

func (m *memory) CreateTrial(_ context.Context, studyID int64, attrs map[string]string, claim *Claim) (FrozenTrial, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.byID[studyID]
	if !ok {
		return FrozenTrial{}, fmt.Errorf("%w: no study %d", ErrStorage, studyID)
	}
	var t *FrozenTrial
	for _, w := range s.trials {
		if w.State == Waiting {
			t = w
			break
		}
	}
	created := t == nil
	if created {
		t = newFrozen(m.nextID+1, len(s.trials), Running)
	}
	var claimed string
	if claim != nil {
		// Pick sees the trial as it will be, and chooses under the lock
		// before anything changes, so a failed pick leaves no trace.
		view := copyTrial(t)
		view.State = Running
		var err error
		if claimed, err = claim.Choose(view, s.holders(claim.Key, t.ID)); err != nil {
			return FrozenTrial{}, fmt.Errorf("create trial in study %d: %w", studyID, err)
		}
	}
	if created {
		m.nextID++
		s.trials = append(s.trials, t)
		m.trials[t.ID], m.studyOf[t.ID] = t, s
	}
	t.State, t.Start = Running, time.Now()
	for k, v := range attrs {
		t.Attrs[k] = v
	}
	if claim != nil {
		t.Attrs[claim.Key] = claimed
	}
	return copyTrial(t), nil
}

// holders returns the study's trials other than id that have attribute
// key, unshared only at the top level: Pick reads them under the lock.
func (s *memStudy) holders(key string, id int64) []FrozenTrial {
	var out []FrozenTrial
	for _, t := range s.trials {
		if _, ok := t.Attrs[key]; ok && t.ID != id {
			out = append(out, *t)
		}
	}
	return out
}

func (m *memory) EnqueueTrial(_ context.Context, studyID int64, params map[string]float64, dists map[string]Distribution, attrs map[string]string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.byID[studyID]
	if !ok {
		return fmt.Errorf("%w: no study %d", ErrStorage, studyID)
	}
	for k := range params {
		if dists[k] == nil {
			return fmt.Errorf("%w: enqueued parameter %q has no distribution", ErrConfig, k)
		}
	}
	m.enqueue(s, params, dists, attrs)
	return nil
}

// enqueue adds a Waiting trial to s, locked.
func (m *memory) enqueue(s *memStudy, params map[string]float64, dists map[string]Distribution, attrs map[string]string) {
	m.nextID++
	t := newFrozen(m.nextID, len(s.trials), Waiting)
	for k, x := range params {
		t.Internal[k], t.Distributions[k], t.Params[k] = x, dists[k], dists[k].FromInternal(x)
	}
	for k, v := range attrs {
		t.Attrs[k] = v
	}
	s.trials = append(s.trials, t)
	m.trials[t.ID], m.studyOf[t.ID] = t, s
}

// running returns the Running trial id, locked.
func (m *memory) running(id int64) (*FrozenTrial, error) {
	t, ok := m.trials[id]
	if !ok {
		return nil, fmt.Errorf("%w: no trial %d", ErrStorage, id)
	}
	if t.State != Running {
		return nil, fmt.Errorf("%w: trial %d is %v", ErrTrialFinished, t.Number, t.State)
	}
	return t, nil
}

func (m *memory) SetTrialParam(_ context.Context, id int64, name string, x float64, d Distribution) error {
	if d == nil {
		return fmt.Errorf("%w: parameter %q has no distribution", ErrConfig, name)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.running(id)
	if err != nil {
		return err
	}
	t.Internal[name], t.Distributions[name], t.Params[name] = x, d, d.FromInternal(x)
	return nil
}

func (m *memory) SetTrialIntermediate(_ context.Context, id int64, step int, v float64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.running(id)
	if err != nil {
		return err
	}
	t.Intermediate[step] = v
	return nil
}

func (m *memory) SetTrialAttr(_ context.Context, id int64, key, value string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.trials[id]
	if !ok {
		return fmt.Errorf("%w: no trial %d", ErrStorage, id)
	}
	t.Attrs[key] = value
	return nil
}

func (m *memory) FinishTrial(_ context.Context, id int64, state TrialState, values []float64, kind FailKind, reason string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.running(id)
	if err != nil {
		return err
	}
	if err := CheckFinish(state, values, len(m.studyOf[id].dirs), kind); err != nil {
		return fmt.Errorf("finish trial %d: %w", t.Number, err)
	}
	t.State, t.FailKind, t.FailReason, t.Complete = state, kind, reason, time.Now()
	t.setValues(values)
	return nil
}

// setValues sets Values to a copy of values (nil when empty) and Value to
// the first of them, NaN when there is none.
func (t *FrozenTrial) setValues(values []float64) {
	t.Values, t.Value = nil, math.NaN()
	if len(values) > 0 {
		t.Values, t.Value = slices.Clone(values), values[0]
	}
}

// CheckFinish says whether a trial of a study of objectives objectives may
// be finished as state with values and kind: a final state; a kind exactly
// when Failed; one value per objective when Complete, all or none when
// Pruned, none when Failed; no NaN value (a missing value is no value:
// nil). The error wraps ErrStorage; storages call it before they change
// anything.
func CheckFinish(state TrialState, values []float64, objectives int, kind FailKind) error {
	switch {
	case !state.Finished():
		return fmt.Errorf("%w: finish as %v, want complete, pruned or failed", ErrStorage, state)
	case state == Failed && kind == "":
		return fmt.Errorf("%w: finish as failed without a fail kind", ErrStorage)
	case state != Failed && kind != "":
		return fmt.Errorf("%w: finish as %v with fail kind %q, want none", ErrStorage, state, kind)
	case state == Failed && len(values) > 0:
		return fmt.Errorf("%w: finish as failed with values %v, want none", ErrStorage, values)
	case state == Complete && len(values) != objectives,
		state == Pruned && len(values) > 0 && len(values) != objectives:
		return fmt.Errorf("%w: finish as %v with %d values, the study has %d objectives", ErrStorage, state, len(values), objectives)
	}
	if i := slices.IndexFunc(values, math.IsNaN); i >= 0 {
		return fmt.Errorf("%w: finish as %v with value %d NaN, want a number (a trial without a value has none: nil)", ErrStorage, state, i)
	}
	return nil
}

func (m *memory) Trials(_ context.Context, studyID int64) ([]FrozenTrial, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.byID[studyID]
	if !ok {
		return nil, fmt.Errorf("%w: no study %d", ErrStorage, studyID)
	}
	out := make([]FrozenTrial, len(s.trials))
	for i, t := range s.trials {
		out[i] = copyTrial(t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out, nil
}

func (m *memory) Close() error { return nil }

// copyTrial returns a deep copy, so callers never share maps with the storage.
func copyTrial(t *FrozenTrial) FrozenTrial {
	c := *t
	c.Values, c.Constraints = slices.Clone(t.Values), slices.Clone(t.Constraints)
	c.Params, c.Internal, c.Distributions = map[string]any{}, map[string]float64{}, map[string]Distribution{}
	c.Intermediate, c.Attrs = map[int]float64{}, map[string]string{}
	for k, v := range t.Params {
		c.Params[k] = v
	}
	for k, v := range t.Internal {
		c.Internal[k] = v
	}
	for k, v := range t.Distributions {
		c.Distributions[k] = v
	}
	for k, v := range t.Intermediate {
		c.Intermediate[k] = v
	}
	for k, v := range t.Attrs {
		c.Attrs[k] = v
	}
	return c
}
