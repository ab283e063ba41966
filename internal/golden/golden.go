// Package golden reads the reference values that committed scripts generate
// with PyTorch, Optuna and scikit-learn into testdata/ (torch/, optuna/,
// sklearn/). Tests only.
package golden

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// File mirrors golden.json.
type File struct {
	Generator struct {
		Script, Torch, Python string
	}
	MSE []struct {
		Name         string
		Pred, Target [][]float64
		Loss         float64
		GradPred     [][]float64 `json:"grad_pred"`
	}
	CrossEntropy []struct {
		Name       string
		Logits     [][]float64
		Labels     []int
		Loss       float64
		PerSample  []float64   `json:"per_sample"`
		GradLogits [][]float64 `json:"grad_logits"`
	} `json:"cross_entropy"`
	L1, L2     []Penalty
	AdamScalar struct {
		W0, LR     float64
		Steps      int
		Trajectory []float64
		Switch     struct {
			LRAfter          float64 `json:"lr_after"`
			SwitchBeforeStep int     `json:"switch_before_step"`
			Trajectory       []float64
		}
	} `json:"adam_scalar"`
	LinearTrajectories []struct {
		Optimizer      string
		LR             float64
		W0             [][]float64
		B0             []float64
		X, Y           [][]float64
		Steps          int
		W              [][][]float64
		B              [][]float64
		LossBeforeStep []float64 `json:"loss_before_step"`
		// Penalties on W only: L1·Σ|W| + L2·ΣW² in the loss, or torch's weight_decay.
		L1, L2      float64
		WeightDecay float64 `json:"weight_decay"`
	} `json:"linear_trajectories"`
	Schedules struct {
		Exponential struct {
			LR0, Gamma float64
			LRs        []float64
		}
		Step struct {
			LR0      float64
			StepSize int `json:"step_size"`
			Gamma    float64
			LRs      []float64
		}
	}
}

// Penalty is one L1 or L2 case.
type Penalty struct {
	Name    string
	Weights [][][]float64
	Lambda  float64
	Penalty float64
	Grads   [][][]float64
}

// Load reads golden.json from the repository's testdata folder.
func Load(t testing.TB) *File {
	t.Helper()
	var f File
	Read(t, "golden.json", &f)
	return &f
}

// Read decodes testdata/torch/name into v, failing the test on any error.
func Read(t testing.TB, name string, v any) {
	t.Helper()
	ReadTestdata(t, "torch/"+name, v)
}

// ReadTestdata decodes testdata/rel (e.g. "optuna/pruners.json") into v,
// failing the test on any error.
func ReadTestdata(t testing.TB, rel string, v any) {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(here), "..", "..", "testdata", filepath.FromSlash(rel))
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden: %v", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("golden: %s: %v", path, err)
	}
}

// Flat concatenates rows.
func Flat(rows [][]float64) []float64 {
	var out []float64
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}
