package tuner

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/panics"
)

// wantStack checks that err carries a *panics.Error of kind ErrUser whose
// stack shows frame.
func wantStack(t *testing.T, what string, err error, frame string) {
	t.Helper()
	var pe *panics.Error
	if !errors.As(err, &pe) {
		t.Fatalf("%s: error %v (%T) carries no *panics.Error", what, err, err)
	}
	if !errors.Is(err, panics.ErrUser) || errors.Is(err, panics.ErrGorgonia) {
		t.Errorf("%s: error %v: want kind ErrUser only", what, err)
	}
	if !strings.Contains(string(pe.Stack), frame) {
		t.Errorf("%s: stack does not mention %s:\n%s", what, frame, pe.Stack)
	}
}

func panickingObjective(context.Context, *Trial) (float64, error) {
	var scores []float64
	return scores[1], nil
}

// The error Optimize returns after failures quotes the objective's panic
// with its stack, and the recorded reason is unchanged.
func TestObjectivePanicKeepsItsStack(t *testing.T) {
	s := open(t, Config{Sampler: RandomSampler{}, Parallelism: 1, MaxConsecutiveFailures: 1})
	err := s.Optimize(ctx, panickingObjective, Budget{Trials: 3})
	if !errors.Is(err, ErrTooManyFailures) {
		t.Fatalf("Optimize = %v, want ErrTooManyFailures", err)
	}
	wantStack(t, "objective", err, "tuner.panickingObjective")
	trials, terr := s.Trials(ctx)
	if terr != nil || len(trials) != 1 || trials[0].FailKind != FailPanic || trials[0].FailReason != "objective panicked: runtime error: index out of range [1] with length 0" {
		t.Errorf("trials = %+v, %v; want one FailPanic with the panic's message", trials, terr)
	}
}

func panickingGamma(int) int { panic("gamma: not written yet") }

func TestTPEGammaPanicKeepsItsStack(t *testing.T) {
	_, err := TPESampler{Gamma: panickingGamma}.Sample(tpeContext(12), "x", FloatDist{Low: 0, High: 1})
	if !errors.Is(err, ErrConfig) {
		t.Fatalf("Sample = %v, want ErrConfig", err)
	}
	wantStack(t, "TPE Gamma", err, "tuner.panickingGamma")
}

func panickingPick(FrozenTrial, []FrozenTrial) (string, error) { panic("pick: not written yet") }

func TestClaimPickPanicKeepsItsStack(t *testing.T) {
	_, err := (&Claim{Key: "k", Pick: panickingPick}).Choose(FrozenTrial{}, nil)
	if !errors.Is(err, ErrConfig) {
		t.Fatalf("Choose = %v, want ErrConfig", err)
	}
	wantStack(t, "Claim.Pick", err, "tuner.panickingPick")
}
