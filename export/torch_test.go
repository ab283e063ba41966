package export_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"reflect"
	"slices"
	"testing"

	st "github.com/nlpodyssey/safetensors"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/export"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/trainer"
)

// torchGolden is testdata/torch_mlp.json, written by gen_torch_mlp.py.
type torchGolden struct {
	X, Y [][]float64
}

// A state_dict that PyTorch wrote, loaded with Options.Torch into the same
// architecture, gives PyTorch's outputs: names, transposition and bias
// shapes agree with nn.Linear's.
func TestReadsTorchStateDict(t *testing.T) {
	b, err := os.ReadFile("testdata/torch_mlp.json")
	if err != nil {
		t.Fatal(err)
	}
	var g torchGolden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	for name, net := range map[string]model.Network{
		"MLP":        model.MLP{Hidden: []int{4}, Out: 2, Activation: model.ReLU{}},
		"Sequential": model.Sequential{Layers: []model.Layer{model.Dense{Units: 4}, model.Act{Activation: model.ReLU{}}, model.Dense{Units: 2}}},
	} {
		m, err := model.New(net, model.Config{Inputs: 3, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if err := export.ReadFile("testdata/torch_mlp.safetensors", m, export.Options{Torch: true}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := predict(t, m, g.X)
		for i := range g.Y {
			for j := range g.Y[i] {
				if d := math.Abs(got[i][j] - g.Y[i][j]); d > 1e-6 {
					t.Errorf("%s: output[%d][%d] = %.7g, PyTorch gave %.7g", name, i, j, got[i][j], g.Y[i][j])
				}
			}
		}
	}
}

func predict(t *testing.T, m *model.Model, x [][]float64) [][]float64 {
	t.Helper()
	tr, err := trainer.New(m, trainer.Config{Loss: losses.MSE{}, Epochs: 1, BatchSize: 1, Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	flat := make([]float32, 0, len(x)*len(x[0]))
	for _, row := range x {
		for _, v := range row {
			flat = append(flat, float32(v))
		}
	}
	y, err := tr.Predict(context.Background(), tensor.New(tensor.WithShape(len(x), len(x[0])), tensor.WithBacking(flat)))
	if err != nil {
		t.Fatal(err)
	}
	vals, cols := y.Data().([]float32), y.Shape()[1]
	out := make([][]float64, len(x))
	for i := range out {
		for _, v := range vals[i*cols : (i+1)*cols] {
			out[i] = append(out[i], float64(v))
		}
	}
	return out
}

// Loaded and exported again with Options.Torch, PyTorch's state_dict comes
// back with the same names, dtypes, shapes and bytes: what PyTorch's
// load_state_dict would take.
func TestTorchExportReproducesTorchStateDict(t *testing.T) {
	orig, err := os.ReadFile("testdata/torch_mlp.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.New(model.MLP{Hidden: []int{4}, Out: 2}, model.Config{Inputs: 3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	opts := export.Options{Torch: true}
	if err := export.Read(bytes.NewReader(orig), m, opts); err != nil {
		t.Fatal(err)
	}
	want, err := st.Deserialize(orig)
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.Deserialize(write(t, m, opts))
	if err != nil {
		t.Fatal(err)
	}
	if g, w := sorted(got.Names()), sorted(want.Names()); !reflect.DeepEqual(g, w) {
		t.Fatalf("tensors %v, PyTorch's are %v", g, w)
	}
	for _, name := range want.Names() {
		w, _ := want.Tensor(name)
		g, _ := got.Tensor(name)
		if g.DType() != w.DType() || !reflect.DeepEqual(g.Shape(), w.Shape()) || !bytes.Equal(g.Data(), w.Data()) {
			t.Errorf("%s: %v %v %x, PyTorch's %v %v %x", name, g.DType(), g.Shape(), g.Data(), w.DType(), w.Shape(), w.Data())
		}
	}
}

func sorted(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }
