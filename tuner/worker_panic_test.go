package tuner

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gradtune/gradtune/panics"
)

// Optimize's workers and the heartbeat run on goroutines of their own,
// where a panic ends the process: no caller can recover it. A panic in a
// sampler or a storage there is now an error of Optimize (or, for a
// heartbeat, a failed beat).

type panickingCreate struct{ Storage }

func (panickingCreate) CreateTrial(context.Context, int64, map[string]string, *Claim) (FrozenTrial, error) {
	panic("storage bug")
}

func TestStoragePanicInWorkerIsAnError(t *testing.T) {
	s := open(t, Config{Storage: panickingCreate{NewMemoryStorage()}, Sampler: RandomSampler{}, Parallelism: 2})
	err := s.Optimize(ctx, func(context.Context, *Trial) (float64, error) { return 1, nil }, Budget{Trials: 4})
	if !errors.Is(err, panics.ErrUser) {
		t.Fatalf("Optimize = %v, want an error wrapping panics.ErrUser", err)
	}
	wantStack(t, "CreateTrial", err, "panickingCreate.CreateTrial")
}

type panickingStarter struct{ RandomSampler }

func (panickingStarter) StartTrial(*SampleContext) error { panic("sampler bug") }

func TestSamplerPanicAsTrialStartsIsAnError(t *testing.T) {
	s := open(t, Config{Sampler: panickingStarter{}, Parallelism: 2})
	ran := false
	err := s.Optimize(ctx, func(context.Context, *Trial) (float64, error) { ran = true; return 1, nil }, Budget{Trials: 4})
	if !errors.Is(err, panics.ErrUser) {
		t.Fatalf("Optimize = %v, want an error wrapping panics.ErrUser", err)
	}
	wantStack(t, "StartTrial", err, "panickingStarter.StartTrial")
	if ran {
		t.Error("the objective ran, want no trial started")
	}
	trials, _ := s.Trials(ctx)
	for _, tr := range trials {
		if tr.State != Failed || tr.FailKind != FailSampler {
			t.Errorf("trial %d: %v %q, want failed by the sampler", tr.Number, tr.State, tr.FailKind)
		}
	}
	if len(trials) == 0 {
		t.Error("no trial recorded, want the failed one(s)")
	}
}

type panickingBeat struct{ HeartbeatStorage }

func (panickingBeat) RecordHeartbeat(context.Context, int64) error { panic("heartbeat bug") }

func TestHeartbeatPanicIsAFailedBeat(t *testing.T) {
	st := panickingBeat{NewMemoryStorage().(HeartbeatStorage)}
	s := open(t, Config{Storage: st, Sampler: RandomSampler{}, Parallelism: 1, HeartbeatInterval: time.Millisecond})
	obj := func(context.Context, *Trial) (float64, error) {
		time.Sleep(20 * time.Millisecond) // several beats
		return 1, nil
	}
	if err := s.Optimize(ctx, obj, Budget{Trials: 2}); err != nil {
		t.Fatal(err)
	}
	trials, _ := s.Trials(ctx)
	for _, tr := range trials {
		if tr.State != Complete {
			t.Errorf("trial %d: %v, want complete", tr.Number, tr.State)
		}
	}
}
