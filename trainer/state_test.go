package trainer

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/schedulers"

	G "gorgonia.org/gorgonia"
)

// savedState returns a state saved after one epoch of a small run.
func savedState(t testing.TB) []byte {
	m, err := model.New(dropoutNet(0.3), model.Config{Inputs: 4, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := New(m, Config{Loss: losses.CrossEntropy{}, Optimizer: optimizers.Adam{}, Epochs: 1, BatchSize: 16, Seed: 7, Quiet: true,
		Callbacks: []Callback{&EarlyStopping{Monitor: "loss"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if _, err := tr.Fit(ctx, blobs(t, 40, 1), nil); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := tr.SaveState(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// freshTrainer is the Trainer savedState's state belongs to, before training.
func freshTrainer(t testing.TB, edit func(*Config)) (*Trainer, *model.Model) {
	m, err := model.New(dropoutNet(0.3), model.Config{Inputs: 4, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Loss: losses.CrossEntropy{}, Optimizer: optimizers.Adam{}, Epochs: 1, BatchSize: 16, Seed: 7, Quiet: true,
		Callbacks: []Callback{&EarlyStopping{Monitor: "loss"}}}
	if edit != nil {
		edit(&cfg)
	}
	tr, err := New(m, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return tr, m
}

// A truncated, corrupt, foreign or future-version file is refused with
// ErrState saying which, and the Trainer is left as it was.
func TestLoadStateRefusesBadFiles(t *testing.T) {
	good := savedState(t)
	withHeader := func(f func(h []byte)) []byte {
		b := bytes.Clone(good)
		f(b[len(stateMagic):])
		return b
	}
	flipped := bytes.Clone(good)
	flipped[len(flipped)-5] ^= 0x10
	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "not a gradtune training state"},
		{"json", []byte(`{"params": []}`), "not a gradtune training state"},
		{"header cut", good[:len(stateMagic)+6], "header truncated after 21 of 31 bytes"},
		{"payload cut", good[:len(good)-100], "truncated:"},
		{"flipped bit", flipped, "corrupt: payload checksum"},
		{"version 2", withHeader(func(h []byte) { binary.BigEndian.PutUint32(h, 2) }), "format version 2, this release reads version 1"},
		{"terabytes claimed", withHeader(func(h []byte) { binary.BigEndian.PutUint64(h[4:], 1<<42) }), "truncated:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr, m := freshTrainer(t, nil)
			defer tr.Close()
			before := params(m)
			err := tr.LoadState(bytes.NewReader(c.file))
			if !errors.Is(err, ErrState) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("LoadState = %v, want ErrState saying %q", err, c.want)
			}
			if tr.Epochs() != 0 || tr.Steps() != 0 || !sameParams(before, params(m)) {
				t.Errorf("a refused LoadState changed the Trainer: %d epochs, %d steps", tr.Epochs(), tr.Steps())
			}
		})
	}
}

func sameParams(a, b [][]float64) bool {
	for i := range a {
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				return false
			}
		}
	}
	return len(a) == len(b)
}

// A state from another configuration is refused with ErrStateMismatch
// naming each difference.
func TestLoadStateRefusesOtherConfiguration(t *testing.T) {
	good := savedState(t)
	cases := []struct {
		name string
		edit func(*Config)
		want []string
	}{
		{"optimizer", func(c *Config) { c.Optimizer = optimizers.Adam{AMSGrad: true} }, []string{"Optimizer: saved optimizers.Adam{", "AMSGrad:false", "AMSGrad:true"}},
		{"batch and seed", func(c *Config) { c.BatchSize, c.Seed = 8, 3 }, []string{"BatchSize: saved 16, this trainer has 8", "Seed: saved 7, this trainer has 3"}},
		{"schedule", func(c *Config) { c.Schedule, c.ScheduleEvery = schedulers.Constant{LR: 0.1}, schedulers.PerStep }, []string{"Schedule:", "ScheduleEvery: saved 0, this trainer has 1"}},
		{"loss", func(c *Config) { c.Loss = losses.CrossEntropy{LabelSmoothing: 0.1} }, []string{"Loss: saved losses.CrossEntropy"}},
		{"callbacks", func(c *Config) { c.Callbacks = nil }, []string{"stateful Callbacks: saved [*trainer.EarlyStopping], this trainer has []"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr, _ := freshTrainer(t, c.edit)
			defer tr.Close()
			err := tr.LoadState(bytes.NewReader(good))
			if !errors.Is(err, ErrStateMismatch) {
				t.Fatalf("LoadState = %v, want ErrStateMismatch", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
	m, err := model.New(model.Sequential{Layers: []model.Layer{model.Dense{Units: 3}}}, model.Config{Inputs: 4, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := New(m, Config{Loss: losses.CrossEntropy{}, Optimizer: optimizers.Adam{}, Epochs: 1, BatchSize: 16, Seed: 7, Quiet: true,
		Callbacks: []Callback{&EarlyStopping{Monitor: "loss"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if err := tr.LoadState(bytes.NewReader(good)); !errors.Is(err, ErrStateMismatch) || !strings.Contains(err.Error(), "model: saved with 4 parameters, this one has 2") {
		t.Errorf("LoadState into another architecture = %v, want ErrStateMismatch naming the parameter counts", err)
	}
}

// Gorgonia's own solvers cannot save their state: a clear ErrConfig.
func TestSaveStateRefusesGorgoniaSolver(t *testing.T) {
	tr, _ := freshTrainer(t, func(c *Config) { c.Optimizer = gorgoniaAdam{} })
	defer tr.Close()
	err := tr.SaveState(&bytes.Buffer{})
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "*gorgonia.AdamSolver cannot save its state") {
		t.Errorf("SaveState = %v, want ErrConfig naming the solver", err)
	}
}

type gorgoniaAdam struct{}

func (gorgoniaAdam) Solver(lr float64) (G.Solver, error) {
	return G.NewAdamSolver(G.WithLearnRate(lr)), nil
}
func (gorgoniaAdam) String() string { return "gorgonia-adam" }

// Whatever the bytes, LoadState returns (an error or nil) without
// panicking, and a refused load changes nothing.
func FuzzLoadState(f *testing.F) {
	good := savedState(f)
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte(stateMagic))
	// One Trainer for every exec: building one per exec (a graph and a VM)
	// left the fuzzer a few execs in 20 s. A state that loads changes it,
	// so each exec compares with what it was just before.
	tr, m := freshTrainer(f, nil)
	defer tr.Close()
	f.Fuzz(func(t *testing.T, b []byte) {
		steps, epochs, before := tr.Steps(), tr.Epochs(), params(m)
		if err := tr.LoadState(bytes.NewReader(b)); err != nil && (tr.Steps() != steps || tr.Epochs() != epochs || !sameParams(before, params(m))) {
			t.Fatalf("refused state %v changed the Trainer: %d steps, %d epochs (were %d, %d) or its weights", err, tr.Steps(), tr.Epochs(), steps, epochs)
		}
	})
}
