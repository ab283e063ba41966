package diagnose

import (
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/gradtune/gradtune/trainer"
)

// monitorsDead returns one monitored step per fraction, every 10 steps from
// step 1, with a dead fraction for a ReLU of 20 units and a tanh that is
// always "dead" (≤ 0 on every row: it keeps a gradient, so it never counts).
func monitorsDead(fracs ...float64) []trainer.StepMonitor {
	var out []trainer.StepMonitor
	for i, f := range fracs {
		out = append(out, trainer.StepMonitor{Epoch: 1, Step: 1 + 10*i, Loss: 1, GradNorm: 1,
			Activations: []trainer.ActivationStats{{Name: "dense0/relu", Units: 20, DeadFraction: f}, {Name: "dense1/tanh", Units: 5, DeadFraction: 1}}})
	}
	return out
}

// Online.Step fires at the first monitored step that ends DeadSteps in a
// row above DeadFraction, with the diagnosis Analyze gives on the run up to
// that step; never before DeadSteps monitored steps, and never for an
// activation that keeps a gradient below 0.
func TestOnlineDeadUnits(t *testing.T) {
	for _, c := range []struct {
		name  string
		opts  Options
		fracs []float64
		want  int // index of the firing step (-1: none)
	}{
		// 0.3 at the third step breaks the run; steps 4–6 are all above 0.5.
		{"three in a row", Options{}, []float64{0.9, 0.9, 0.3, 0.9, 0.9, 0.95, 0.9}, 5},
		{"at the third step", Options{}, []float64{1, 1, 1}, 2},
		{"exactly at the threshold is alive", Options{}, []float64{0.5, 0.5, 0.5, 0.5}, -1},
		{"DeadSteps 1, DeadFraction 0.8", Options{DeadSteps: 1, DeadFraction: 0.8}, []float64{0.7, 0.85}, 1},
		{"too few monitored steps", Options{DeadSteps: 4}, []float64{1, 1, 1}, -1},
	} {
		t.Run(c.name, func(t *testing.T) {
			on, err := NewOnline(c.opts)
			if err != nil {
				t.Fatal(err)
			}
			mons := monitorsDead(c.fracs...)
			got := -1
			var d Diagnosis
			for i := range mons {
				var ok bool
				if d, ok = on.Step(&mons[i]); ok {
					got = i
					break
				}
			}
			if got != c.want {
				t.Fatalf("fired at step index %d, want %d", got, c.want)
			}
			if got < 0 {
				return
			}
			posthoc, _ := find(Analyze(&trainer.History{Monitor: mons[:got+1]}, c.opts), DeadReLU)
			if !reflect.DeepEqual(d, posthoc) {
				t.Errorf("Online's diagnosis\n%v\nwant Analyze's\n%v", d, posthoc)
			}
			if d.Where != "activations dense0/relu" || d.Measures["dense0/relu.dead_fraction"] != c.fracs[got] {
				t.Errorf("Where %q, Measures %v: want dense0/relu alone, at %v", d.Where, d.Measures, c.fracs[got])
			}
		})
	}
}

func epochsOf(losses ...float64) []trainer.EpochStats {
	out := make([]trainer.EpochStats, len(losses))
	for i, l := range losses {
		out[i] = trainer.EpochStats{Epoch: i + 1, TrainLoss: l, ValLoss: math.NaN(), Steps: 10}
	}
	return out
}

// Online.Epoch fires when the loss is at chance and flat over the last
// FlatEpochs epochs, both: not for a loss near chance that still falls, nor
// for a flat loss below chance, nor without Classes.
func TestOnlineStuckAtChance(t *testing.T) {
	ln3 := math.Log(3)
	for _, c := range []struct {
		name   string
		opts   Options
		losses []float64
		want   int // index of the firing epoch (-1: none)
	}{
		// Epochs 3–5 are within 1% of 1.10 and above 0.95·ln 3 = 1.0437.
		{"settles at chance", Options{Classes: 3}, []float64{1.3, 1.2, 1.1, 1.099, 1.0985, 1.09}, 4},
		{"flat from the start", Options{Classes: 3}, []float64{1.2, 1.2, 1.2}, 2},
		{"near chance, still falling", Options{Classes: 3}, []float64{1.3, 1.25, 1.2, 1.15, 1.1, 1.06}, -1},
		{"flat below chance", Options{Classes: 3}, []float64{0.5, 0.5, 0.5, 0.5}, -1},
		{"no Classes", Options{}, []float64{1.2, 1.2, 1.2}, -1},
		{"FlatEpochs 5", Options{Classes: 3, FlatEpochs: 5}, []float64{1.2, 1.2, 1.2, 1.2, 1.2}, 4},
		{"ChanceMargin 0.01", Options{Classes: 3, ChanceMargin: 0.01}, []float64{1.08, 1.08, 1.08, 1.1, 1.1, 1.1}, 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			on, err := NewOnline(c.opts)
			if err != nil {
				t.Fatal(err)
			}
			eps := epochsOf(c.losses...)
			got := -1
			var d Diagnosis
			for i := range eps {
				var ok bool
				if d, ok = on.Epoch(&eps[i]); ok {
					got = i
					break
				}
			}
			if got != c.want {
				t.Fatalf("fired at epoch index %d, want %d", got, c.want)
			}
			if got < 0 {
				return
			}
			o, _ := c.opts.resolved()
			window := &trainer.History{Epochs: eps[got+1-o.FlatEpochs : got+1]}
			chance, _ := atChance(window, o)
			flat, _ := flatLoss(window, o)
			last := c.losses[got]
			if d.Kind != Underfitting || d.Where != flat.Where || d.Evidence != chance.Evidence+"; "+flat.Evidence ||
				d.Measures["loss"] != last || d.Measures["ln_c"] != ln3 || d.Measures["ratio"] != last/ln3 ||
				d.Measures["first_loss"] != c.losses[got+1-o.FlatEpochs] || d.Measures["spread"] != flat.Measures["spread"] {
				t.Errorf("diagnosis %v\nmeasures %v; want the chance rule's and the flat rule's on epochs %d–%d", d, d.Measures, got+2-o.FlatEpochs, got+1)
			}
		})
	}
}

// The options Analyze refuses, NewOnline refuses, with the same error.
func TestNewOnlineRefusesBadOptions(t *testing.T) {
	for _, o := range []Options{{Classes: 1}, {DeadFraction: 1}, {FlatEpochs: 1}, {DeadSteps: -1}} {
		_, err := NewOnline(o)
		if !errors.Is(err, ErrConfig) || err.Error() != o.Validate().Error() {
			t.Errorf("NewOnline(%+v) = %v, want Validate's error %v", o, err, o.Validate())
		}
	}
	var on *Online
	if _, ok := on.Step(&monitorsDead(1)[0]); ok {
		t.Error("a nil *Online fired")
	}
}

// Between firings, Step and Epoch keep their windows without allocating
// (the tanh's dead fraction of 1 does not count: it keeps a gradient).
func TestOnlineDoesNotAllocate(t *testing.T) {
	on, err := NewOnline(Options{Classes: 3})
	if err != nil {
		t.Fatal(err)
	}
	m := monitorsDead(0.1)[0]
	e := epochsOf(0.5)[0]
	allocs := testing.AllocsPerRun(100, func() {
		on.Step(&m)
		on.Epoch(&e)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per step and epoch, want 0", allocs)
	}
}

// The zero Online is NewOnline(Options{})'s: dead units after 3 monitored
// steps, no chance check.
func TestZeroOnline(t *testing.T) {
	var on Online
	mons := monitorsDead(1, 1, 1)
	for i := range mons {
		if _, ok := on.Step(&mons[i]); ok != (i == 2) {
			t.Errorf("step %d: fired %v", i, ok)
		}
	}
	eps := epochsOf(1.2, 1.2, 1.2)
	for i := range eps {
		if _, ok := on.Epoch(&eps[i]); ok {
			t.Errorf("epoch %d fired without Classes", i+1)
		}
	}
}
