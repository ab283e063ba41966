package trainer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/schedulers"
)

// chunkedRun is what a run of 4 epochs produced, however it was split.
type chunkedRun struct {
	weights [][]float64
	hist    History // the Fit calls' histories, concatenated
	lrs     LRMonitor
}

// plateauOf returns the ReduceLROnPlateau among cfg's callbacks, or nil.
func plateauOf(cfg Config) *ReduceLROnPlateau {
	for _, cb := range cfg.Callbacks {
		if p, ok := cb.(*ReduceLROnPlateau); ok {
			return p
		}
	}
	return nil
}

// runInChunks trains a fresh model for 4 epochs in 4/perFit Fit calls of
// perFit epochs each.
func runInChunks(t *testing.T, cfg Config, dropout float64, perFit int, train, val *data.Dataset) chunkedRun {
	t.Helper()
	m, err := model.New(dropoutNet(dropout), model.Config{Inputs: 4, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var r chunkedRun
	cfg.Epochs, cfg.Quiet, cfg.MonitorEvery = perFit, true, 3
	// Callbacks whose state spans the Fit calls: fresh ones per run.
	cbs := []Callback{&r.lrs, &EarlyStopping{Patience: 100, KeepLastWeights: true}}
	if p := plateauOf(cfg); p != nil {
		cbs = append([]Callback{&ReduceLROnPlateau{Monitor: p.Monitor, Config: p.Config}}, cbs...)
	}
	cfg.Callbacks = cbs
	tr, err := New(m, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	for range 4 / perFit {
		h, err := tr.Fit(ctx, train, val)
		if err != nil {
			t.Fatalf("%d epochs per Fit: %v", perFit, err)
		}
		for _, e := range h.Epochs {
			e.Seconds = 0 // the only field allowed to differ
			r.hist.Epochs = append(r.hist.Epochs, e)
		}
		r.hist.Monitor = append(r.hist.Monitor, h.Monitor...)
		r.hist.StoppedBy += h.StoppedBy
	}
	r.weights = params(m)
	return r
}

// sameBits reports whether two runs agree bit for bit: the weights by
// math.Float64bits, everything else by %v, which prints every float64 in
// its shortest round-trip form (so equal text means equal bits, −0 and NaN
// included).
func sameBits(a, b chunkedRun) error {
	for i := range a.weights {
		for j := range a.weights[i] {
			if math.Float64bits(a.weights[i][j]) != math.Float64bits(b.weights[i][j]) {
				return fmt.Errorf("param %d[%d] = %v, want %v", i, j, b.weights[i][j], a.weights[i][j])
			}
		}
	}
	for _, c := range []struct {
		what string
		x, y any
	}{
		{"epoch records", a.hist.Epochs, b.hist.Epochs},
		{"monitor records", a.hist.Monitor, b.hist.Monitor},
		{"stopped by", a.hist.StoppedBy, b.hist.StoppedBy},
		{"per-step rates", a.lrs, b.lrs},
	} {
		if x, y := fmt.Sprintf("%+v", c.x), fmt.Sprintf("%+v", c.y); x != y {
			return fmt.Errorf("%s differ:\n got %s\nwant %s", c.what, y, x)
		}
	}
	return nil
}

// Fit of 2 epochs twice, or of 1 epoch four times, gives the same weights,
// History and per-step rates, bit for bit, as one Fit of 4 epochs: with and
// without dropout, for schedules stepped per epoch and per step, warm-up,
// one-cycle, cosine restarts and ReduceLROnPlateau (issue 8, defect 2).
func TestFitInChunksEqualsOneFit(t *testing.T) {
	train, val := blobs(t, 120, 1), blobs(t, 30, 2) // batch 16: 8 steps per epoch, the last of 8 rows
	cases := []struct {
		name   string
		cfg    Config
		chunks []int // epochs per Fit to compare with one Fit of 4
	}{
		{"constant", Config{Schedule: schedulers.Constant{LR: 0.01}}, nil},
		{"exponential/momentum", Config{Optimizer: optimizers.SGD{Momentum: 0.9}, Schedule: schedulers.Exponential{LR: 0.05, Gamma: 0.8}}, nil},
		{"step-decay/per-step", Config{Schedule: schedulers.StepDecay{LR: 0.01, StepSize: 5, Gamma: 0.7}, ScheduleEvery: schedulers.PerStep}, nil},
		{"warm-up+cosine/per-step", Config{Schedule: schedulers.Warmup{Steps: 6, Then: schedulers.CosineAnnealing{LR: 0.01, TMax: 26}},
			ScheduleEvery: schedulers.PerStep}, nil},
		// A warm-up must end within the first Fit, so 2 + 2 only.
		{"warm-up/per-epoch", Config{Schedule: schedulers.Warmup{Steps: 1, Then: schedulers.Exponential{LR: 0.02, Gamma: 0.9}}}, []int{2}},
		{"one-cycle/per-step", Config{Schedule: schedulers.OneCycle{MaxLR: 0.05, TotalSteps: 32}, ScheduleEvery: schedulers.PerStep}, nil},
		{"cosine-restarts/per-epoch", Config{Schedule: schedulers.CosineWarmRestarts{LR: 0.02, T0: 1, TMult: 2}}, nil},
		{"cosine-restarts/per-step", Config{Schedule: schedulers.CosineWarmRestarts{LR: 0.02, T0: 5, TMult: 2},
			ScheduleEvery: schedulers.PerStep}, nil},
		// A threshold that few epochs meet: the rate halves at most epochs.
		{"plateau", Config{Schedule: schedulers.Constant{LR: 0.02},
			Callbacks: []Callback{&ReduceLROnPlateau{Config: schedulers.ReduceLROnPlateau{Factor: 0.5, Patience: 0, Threshold: 0.5}}}}, nil},
	}
	for _, c := range cases {
		chunks := c.chunks
		if chunks == nil {
			chunks = []int{2, 1}
		}
		for _, rate := range []float64{0, 0.3} {
			t.Run(fmt.Sprintf("%s/dropout=%g", c.name, rate), func(t *testing.T) {
				cfg := c.cfg
				cfg.Loss, cfg.BatchSize, cfg.Seed = losses.CrossEntropy{}, 16, 5
				whole := runInChunks(t, cfg, rate, 4, train, val)
				if len(whole.hist.Epochs) != 4 || len(whole.lrs.LRs) != 32 {
					t.Fatalf("one Fit of 4 epochs ran %d epochs, %d steps; want 4, 32", len(whole.hist.Epochs), len(whole.lrs.LRs))
				}
				if plateauOf(cfg) != nil && !slices.ContainsFunc(whole.hist.Epochs, func(e EpochStats) bool { return e.LRReduced }) {
					t.Fatal("the plateau never reduced the rate: the case tests nothing")
				}
				for _, perFit := range chunks {
					if err := sameBits(whole, runInChunks(t, cfg, rate, perFit, train, val)); err != nil {
						t.Errorf("%d Fit calls of %d epochs vs one of 4: %v", 4/perFit, perFit, err)
					}
				}
			})
		}
	}
}

// rowOrderRecorder decodes which row each step of a BatchSize-1 run used:
// row i has x = 0 and y = i+1 and the model starts at 0 with a rate too
// small to move it, so step loss = (i+1)² exactly.
type rowOrderRecorder struct{ orders map[int][]int }

func (r *rowOrderRecorder) OnEvent(_ context.Context, _ *Trainer, e *Event) error {
	if e.Kind == BatchEnd {
		r.orders[e.Epoch] = append(r.orders[e.Epoch], int(math.Round(math.Sqrt(e.Loss)))-1)
	}
	return nil
}

// Epoch e's order is EpochOrder(Seed, e, n), however the epochs are split
// over Fit calls: so a fresh Trainer (or a new process) can tell which rows
// formed each batch of any epoch.
func TestEpochOrderIsAFunctionOfSeedAndEpoch(t *testing.T) {
	const n, seed = 12, 9
	xs, ys := make([][]float64, n), make([][]float64, n)
	for i := range xs {
		xs[i], ys[i] = []float64{0}, []float64{float64(i + 1)}
	}
	ds, err := data.FromRows(xs, ys, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	record := func(perFit int) map[int][]int {
		m, err := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1, Dtype: tensor.Float64})
		if err != nil {
			t.Fatal(err)
		}
		rec := &rowOrderRecorder{orders: map[int][]int{}}
		tr, err := New(m, Config{Loss: losses.MSE{}, Optimizer: optimizers.SGD{}, Schedule: schedulers.Constant{LR: 1e-300},
			Epochs: perFit, BatchSize: 1, Seed: seed, Quiet: true, Callbacks: []Callback{rec}})
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Close()
		for range 3 / perFit {
			if _, err := tr.Fit(ctx, ds, nil); err != nil {
				t.Fatal(err)
			}
		}
		return rec.orders
	}
	whole, chunked := record(3), record(1)
	for e := 1; e <= 3; e++ {
		want := epochOrder(t, seed, e, n)
		if !slices.Equal(whole[e], want) || !slices.Equal(chunked[e], want) {
			t.Errorf("epoch %d: rows %v in one Fit, %v in Fit calls of 1 epoch; want EpochOrder = %v", e, whole[e], chunked[e], want)
		}
		if slices.Equal(want, epochOrder(t, seed, e+1, n)) || slices.Equal(want, epochOrder(t, seed+1, e, n)) {
			t.Errorf("epoch %d: same order as the next epoch or the next seed", e)
		}
		sorted := slices.Sorted(slices.Values(want))
		for i, v := range sorted {
			if v != i {
				t.Fatalf("EpochOrder(%d, %d, %d) = %v, not a permutation", seed, e, n, want)
			}
		}
	}
	if got := epochOrder(t, seed, 1, 0); len(got) != 0 {
		t.Errorf("EpochOrder for 0 rows = %v, want empty", got)
	}
}

// epochOrder is EpochOrder, failing t on an error.
func epochOrder(t *testing.T, seed uint64, epoch, n int) []int {
	t.Helper()
	order, err := EpochOrder(seed, epoch, n)
	if err != nil {
		t.Fatalf("EpochOrder(%d, %d, %d): %v", seed, epoch, n, err)
	}
	return order
}

// A row count that is negative or too large to hold is an error, returned
// before anything is allocated (1<<40 rows would be 8 TiB of indices).
func TestEpochOrderRejectsImpossibleRowCounts(t *testing.T) {
	for _, n := range []int{-3, MaxEpochOrderRows + 1, 1 << 40} {
		order, err := EpochOrder(1, 1, n)
		if !errors.Is(err, ErrConfig) || order != nil || !strings.Contains(err.Error(), fmt.Sprint(n)) {
			t.Errorf("EpochOrder(1, 1, %d) = %d rows, %v; want nil and an error wrapping ErrConfig naming %d", n, len(order), err, n)
		}
	}
}

// The stream is part of the contract (a run resumed in another process, or
// built by another Go release, must shuffle alike): this pins it. If the
// derivation is changed on purpose, checkpoints from earlier runs no longer
// resume exactly; update the pin and say so.
func TestEpochOrderIsStable(t *testing.T) {
	got := fmt.Sprint(epochOrder(t, 1, 1, 10), epochOrder(t, 1, 2, 10), epochOrder(t, 2, 1, 10))
	const want = "[3 4 7 8 6 2 0 5 9 1] [2 1 7 9 5 3 4 8 6 0] [6 2 4 1 9 5 8 3 0 7]"
	if got != want {
		t.Errorf("EpochOrder(1,1,10) EpochOrder(1,2,10) EpochOrder(2,1,10) = %s, want %s", got, want)
	}
}

// Dropout masks depend on (Seed, epoch, batch) only, not on how many were
// drawn before: epoch 2 from the same starting weights gives the same
// weights whether epoch 1 ran on 120 rows (8 steps) or 200 (13 steps).
// Plain SGD at a constant rate keeps no state besides the weights, and
// NoShuffle leaves dropout the only random part.
func TestDropoutMasksDoNotDependOnEarlierEpochs(t *testing.T) {
	train := blobs(t, 120, 1)
	epoch2 := func(first *data.Dataset) [][]float64 {
		m, err := model.New(dropoutNet(0.5), model.Config{Inputs: 4, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		start := params(m)
		tr, err := New(m, Config{Loss: losses.CrossEntropy{}, Optimizer: optimizers.SGD{}, Schedule: schedulers.Constant{LR: 0.1},
			Epochs: 1, BatchSize: 16, Seed: 5, NoShuffle: true, Quiet: true})
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Close()
		if _, err := tr.Fit(ctx, first, nil); err != nil {
			t.Fatal(err)
		}
		setParams(t, m, start...)
		if _, err := tr.Fit(ctx, train, nil); err != nil {
			t.Fatal(err)
		}
		return params(m)
	}
	a, b := epoch2(train), epoch2(blobs(t, 200, 3))
	for i := range a {
		for j := range a[i] {
			if math.Float64bits(a[i][j]) != math.Float64bits(b[i][j]) {
				t.Fatalf("param %d[%d] after epoch 2 = %v after a 120-row epoch 1, %v after a 200-row one", i, j, a[i][j], b[i][j])
			}
		}
	}
}
