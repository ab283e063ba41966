package trainer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/schedulers"
)

// resumeOptimizers are every optimizer of package optimizers, each with
// all its buffers in use.
var resumeOptimizers = []optimizers.Optimizer{
	optimizers.SGD{Momentum: 0.9, Nesterov: true, WeightDecay: 0.01},
	optimizers.Adam{AMSGrad: true},
	optimizers.AdamW{WeightDecay: 0.1},
	optimizers.RMSProp{Centered: true, Momentum: 0.5},
	optimizers.AdaGrad{LRDecay: 0.01, InitialAccumulatorValue: 0.1},
}

// resumeSchedules are a per-epoch and a per-step schedule.
var resumeSchedules = []struct {
	name  string
	sched schedulers.Schedule
	every schedulers.Interval
}{
	{"per-epoch", schedulers.Exponential{LR: 0.02, Gamma: 0.8}, schedulers.PerEpoch},
	{"per-step", schedulers.StepDecay{LR: 0.02, StepSize: 5, Gamma: 0.8}, schedulers.PerStep},
}

// resumeTrainer makes a fresh model and Trainer for a 5-epoch run with
// dropout, EarlyStopping (restoring its best weights) and a
// ReduceLROnPlateau that reduces often, then extra callbacks.
func resumeTrainer(t *testing.T, opt optimizers.Optimizer, sched schedulers.Schedule, every schedulers.Interval, extra ...Callback) (*Trainer, *model.Model) {
	t.Helper()
	m, err := model.New(dropoutNet(0.3), model.Config{Inputs: 4, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	cbs := []Callback{
		&ReduceLROnPlateau{Config: schedulers.ReduceLROnPlateau{Factor: 0.5, Patience: 0, Threshold: 0.3}},
		&EarlyStopping{Monitor: "val_loss", Patience: 3},
		&ModelCheckpoint{Dir: t.TempDir(), Monitor: "val_loss", BestOnly: true},
	}
	tr, err := New(m, Config{Loss: losses.CrossEntropy{}, Optimizer: opt, Schedule: sched, ScheduleEvery: every,
		Epochs: 5, BatchSize: 16, Seed: 7, Quiet: true, MonitorEvery: 3, Callbacks: append(cbs, extra...)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tr.Close)
	return tr, m
}

// runOf is a finished run, for sameBits.
func runOf(m *model.Model, h *History) chunkedRun {
	r := chunkedRun{weights: params(m), hist: *h.clone()}
	for i := range r.hist.Epochs {
		r.hist.Epochs[i].Seconds = 0
	}
	return r
}

// saveAt saves the state into buf at BatchEnd of batch b of epoch e (at
// EpochEnd of epoch e when b is 0), then stops training, as a process
// killed right after the save.
type saveAt struct {
	epoch, batch int
	buf          bytes.Buffer
}

func (s *saveAt) OnEvent(_ context.Context, t *Trainer, e *Event) error {
	if e.Epoch == s.epoch && (s.batch == 0 && e.Kind == EpochEnd || s.batch > 0 && e.Kind == BatchEnd && e.Batch == s.batch) {
		if err := t.SaveState(&s.buf); err != nil {
			return err
		}
		return ErrStopTraining
	}
	return nil
}

// A run stopped after an epoch, or in the middle of one, and resumed from
// its saved state by a new Trainer gives the uninterrupted run's weights and
// History (rates, plateau reductions, EarlyStopping's restored best weights
// included) bit for bit: every optimizer, a per-epoch and a per-step
// schedule, dropout on.
func TestResumeFromStateEqualsUninterruptedRun(t *testing.T) {
	train, val := blobs(t, 120, 1), blobs(t, 30, 2) // 8 steps per epoch
	for _, opt := range resumeOptimizers {
		for _, s := range resumeSchedules {
			t.Run(opt.String()+"/"+s.name, func(t *testing.T) {
				tr, m := resumeTrainer(t, opt, s.sched, s.every)
				h, err := tr.Fit(ctx, train, val)
				if err != nil {
					t.Fatal(err)
				}
				whole := runOf(m, h)
				if !slices.ContainsFunc(h.Epochs, func(e EpochStats) bool { return e.LRReduced }) {
					t.Fatal("the plateau never reduced the rate: the case tests less than it says")
				}
				for _, at := range [][2]int{{2, 0}, {3, 4}} {
					saver := &saveAt{epoch: at[0], batch: at[1]}
					first, _ := resumeTrainer(t, opt, s.sched, s.every, saver)
					if _, err := first.Fit(ctx, train, val); err != nil || saver.buf.Len() == 0 {
						t.Fatalf("first part: %v, %d bytes saved", err, saver.buf.Len())
					}
					second, m2 := resumeTrainer(t, opt, s.sched, s.every)
					if err := second.LoadState(&saver.buf); err != nil {
						t.Fatal(err)
					}
					h2, err := second.Fit(ctx, train, val)
					if err != nil {
						t.Fatal(err)
					}
					if err := sameBits(whole, runOf(m2, h2)); err != nil {
						t.Errorf("stopped at epoch %d batch %d and resumed: %v", at[0], at[1], err)
					}
				}
			})
		}
	}
}

// A Fit interrupted by its context resumes on the same Trainer, or on a new
// one from SaveState after it, as the uninterrupted run.
func TestResumeAfterCancelledContext(t *testing.T) {
	train, val := blobs(t, 120, 1), blobs(t, 30, 2)
	s := resumeSchedules[1]
	opt := optimizers.Adam{}
	tr, m := resumeTrainer(t, opt, s.sched, s.every)
	h, err := tr.Fit(ctx, train, val)
	if err != nil {
		t.Fatal(err)
	}
	whole := runOf(m, h)

	cctx, cancel := context.WithCancel(ctx)
	stop := CallbackFunc(func(_ context.Context, _ *Trainer, e *Event) error {
		if e.Kind == BatchEnd && e.Epoch == 3 && e.Batch == 5 {
			cancel()
		}
		return nil
	})
	first, m1 := resumeTrainer(t, opt, s.sched, s.every, stop)
	h1, err := first.Fit(cctx, train, val)
	if !errors.Is(err, context.Canceled) || len(h1.Epochs) != 2 {
		t.Fatalf("interrupted Fit: %v after %d epochs, want context.Canceled after 2", err, len(h1.Epochs))
	}
	var buf bytes.Buffer
	if err := first.SaveState(&buf); err != nil {
		t.Fatal(err)
	}
	h1b, err := first.Fit(ctx, train, val)
	if err != nil {
		t.Fatal(err)
	}
	if err := sameBits(whole, runOf(m1, h1b)); err != nil {
		t.Errorf("resumed on the same Trainer: %v", err)
	}
	if len(h1.Epochs) != 2 {
		t.Errorf("the interrupted Fit's History changed to %d epochs when the next Fit resumed it", len(h1.Epochs))
	}
	second, m2 := resumeTrainer(t, opt, s.sched, s.every, stop)
	if err := second.LoadState(&buf); err != nil {
		t.Fatal(err)
	}
	h2, err := second.Fit(ctx, train, val)
	if err != nil {
		t.Fatal(err)
	}
	if err := sameBits(whole, runOf(m2, h2)); err != nil {
		t.Errorf("resumed on a new Trainer: %v", err)
	}
}

const resumeChildEnv = "GRADTUNE_TEST_RESUME_STATE"

// The child half of TestResumeInNewProcess: load the state named by the
// environment, finish the run, and write its weights and History.
func TestResumeChild(t *testing.T) {
	path := os.Getenv(resumeChildEnv)
	if path == "" {
		t.Skip("run by TestResumeInNewProcess")
	}
	s := resumeSchedules[1]
	tr, m := resumeTrainer(t, optimizers.RMSProp{Centered: true, Momentum: 0.5}, s.sched, s.every)
	if err := tr.LoadStateFile(path); err != nil {
		t.Fatal(err)
	}
	h, err := tr.Fit(ctx, blobs(t, 120, 1), blobs(t, 30, 2))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".out", []byte(fmt.Sprintf("%v\n%+v", runOf(m, h).weights, runOf(m, h).hist)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A run saved in the middle of an epoch and resumed in a new process (this
// test binary, re-executed) ends as the uninterrupted run, bit for bit.
func TestResumeInNewProcess(t *testing.T) {
	if os.Getenv(resumeChildEnv) != "" {
		t.Skip("in the child")
	}
	train, val := blobs(t, 120, 1), blobs(t, 30, 2)
	s, opt := resumeSchedules[1], optimizers.RMSProp{Centered: true, Momentum: 0.5}
	tr, m := resumeTrainer(t, opt, s.sched, s.every)
	h, err := tr.Fit(ctx, train, val)
	if err != nil {
		t.Fatal(err)
	}
	whole := runOf(m, h)
	saver := &saveAt{epoch: 3, batch: 6}
	first, _ := resumeTrainer(t, opt, s.sched, s.every, saver)
	if _, err := first.Fit(ctx, train, val); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "run.state")
	if err := os.WriteFile(path, saver.buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestResumeChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), resumeChildEnv+"="+path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	got, err := os.ReadFile(path + ".out")
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%v\n%+v", whole.weights, whole.hist); string(got) != want {
		t.Errorf("resumed in a new process:\n got %s\nwant %s", got, want)
	}
}
