package diagnose

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
)

// SGD at lr 10 on the seed's regression (float32) overflows; without a
// watchdog the trainer stops with ErrNonFinite, and Explain names the
// epoch and step and quotes the last monitored steps.
func TestExplainNonFiniteRun(t *testing.T) {
	m, err := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := trainer.New(m, trainer.Config{Loss: losses.MSE{}, Optimizer: optimizers.SGD{}, Schedule: schedulers.Constant{LR: 10},
		Epochs: 100, BatchSize: 100, Quiet: true, MonitorEvery: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	h, err := tr.Fit(ctx, seedLinreg(t, tensor.Float32), nil)
	if !errors.Is(err, trainer.ErrNonFinite) {
		t.Fatalf("Fit error = %v, want trainer.ErrNonFinite", err)
	}
	ds := Explain(err, h)
	if len(ds) != 1 {
		t.Fatalf("Explain = %v, want one diagnosis", ds)
	}
	d := ds[0]
	epoch := len(h.Epochs) + 1 // full batch: the failing epoch follows the completed ones, at its step 1
	last := h.Monitor[len(h.Monitor)-1]
	want := map[string]float64{"epoch": float64(epoch), "batch": 1, "lr": 10,
		"last_monitored_step": float64(last.Step), "last_grad_norm": last.GradNorm, "last_loss": last.Loss}
	for k, v := range want {
		if got, ok := d.Measures[k]; !ok || got != v {
			t.Errorf("Measures[%q] = %v (present %t), want %v", k, got, ok, v)
		}
	}
	if d.Kind != Exploding || d.Severity != Error || !strings.HasPrefix(d.Where, fmt.Sprintf("epoch %d, step 1", epoch)) {
		t.Errorf("diagnosis %v/%v at %q, want exploding/error at epoch %d, step 1", d.Kind, d.Severity, d.Where, epoch)
	}
	for _, part := range []string{fmt.Sprintf("step %d loss %s", last.Step, num(last.Loss)), "learning rate 10"} {
		if !strings.Contains(d.Evidence, part) {
			t.Errorf("Evidence %q lacks %q", d.Evidence, part)
		}
	}
	if !strings.Contains(d.Cause, "grew over the monitored steps") || !strings.Contains(d.Fix, "(now 10) by 10× or more (try 1)") {
		t.Errorf("Cause %q / Fix %q: want the growing-loss cause and lr 10 → 1", d.Cause, d.Fix)
	}
}

func TestExplainErrors(t *testing.T) {
	div := &DivergedError{Step: 7, Epoch: 2, Batch: 3, Diagnosis: Diagnosis{Kind: Exploding, Where: "step 7", Evidence: "e"}}
	cases := []struct {
		name      string
		err       error
		wantWhere string // "" → no diagnosis
		wantEv    string
	}{
		{"nil", nil, "", ""},
		{"other error", io.ErrUnexpectedEOF, "", ""},
		{"data error", fmt.Errorf("%w: labels", trainer.ErrData), "", ""},
		{"diverged error", fmt.Errorf("trainer: callback: %w", div), "step 7", "e"},
		{"bare sentinel", fmt.Errorf("x: %w", ErrDiverged), "unknown step", "x: diagnose: training diverged"},
		{"gradient", fmt.Errorf("trainer: epoch 3 step 17: %w", &trainer.NonFiniteError{Epoch: 3, Batch: 17, Step: 57, What: "gradient", Param: "dense1/W", Element: 4}),
			"epoch 3, step 17 of the epoch, parameter dense1/W", "dense1/W became NaN or infinite"},
		{"update", fmt.Errorf("trainer: epoch 1 step 2: %w", &trainer.NonFiniteError{Epoch: 1, Batch: 2, Step: 2, What: "update", Param: "linear/b", LR: 10}),
			"epoch 1, step 2 of the epoch, parameter linear/b", "linear/b became NaN or infinite"},
		{"loss", fmt.Errorf("trainer: epoch 5 step 1: %w", &trainer.NonFiniteError{Epoch: 5, Batch: 1, Step: 5, What: "loss", Loss: math.NaN()}),
			"epoch 5, step 1 of the epoch", "loss = NaN, penalty = 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds := Explain(c.err, nil)
			if c.wantWhere == "" {
				if ds != nil {
					t.Fatalf("Explain = %v, want nil", ds)
				}
				return
			}
			if len(ds) != 1 || ds[0].Kind != Exploding || ds[0].Where != c.wantWhere || !strings.Contains(ds[0].Evidence, c.wantEv) {
				t.Fatalf("Explain = %+v, want one exploding diagnosis at %q with evidence containing %q", ds, c.wantWhere, c.wantEv)
			}
		})
	}
}
