package export_test

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/export"
)

func TestSaveWritesWeightsAndCardThatLoadBack(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mnist-mlp") // Save creates it
	m := newMLP(t, 5, tensor.Float64, 1)
	card := export.Card{
		Name:            "iris-mlp",
		Architecture:    export.Architecture{Description: "4-5-3 ReLU MLP", Inputs: 99}, // Inputs is gradtune's to fill
		Hyperparameters: map[string]any{"lr": 0.01, "optimizer": "adam"},
		Data:            export.Data{Name: "iris", TrainSamples: 120, TestSamples: 30},
		Metrics:         map[string]float64{"test_accuracy": 0.9667},
	}
	if err := export.Save(dir, m, card, export.Options{Torch: true}); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		if info, _ := e.Info(); info.Mode().Perm() != 0o644 {
			t.Errorf("%s has mode %v, want 0644", e.Name(), info.Mode().Perm())
		}
	}
	if want := []string{export.WeightsFile, export.CardFile}; !reflect.DeepEqual(names, want) {
		t.Errorf("folder holds %v, want %v (no temporary files)", names, want)
	}

	other := newMLP(t, 5, tensor.Float64, 2)
	got, err := export.Load(dir, other, export.Options{Torch: true})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(values(m), values(other)) {
		t.Error("loaded weights differ from the saved ones")
	}
	a := got.Architecture
	if a.Description != "4-5-3 ReLU MLP" || a.Inputs != 4 || a.Outputs != 3 || a.Dtype != "float64" || a.Parameters != 4*5+5+5*3+3 {
		t.Errorf("architecture %+v, want the description kept and 4 inputs, 3 outputs, float64, 43 parameters", a)
	}
	if want := (export.TensorEntry{Param: "dense0/W", Tensor: "0.weight", Shape: []int{5, 4}}); !reflect.DeepEqual(a.Tensors[0], want) {
		t.Errorf("first tensor %+v, want %+v", a.Tensors[0], want)
	}
	if got.Weights != (export.Weights{File: export.WeightsFile, Format: "safetensors", Layout: "torch"}) {
		t.Errorf("weights %+v", got.Weights)
	}
	if got.Name != card.Name || got.Data != card.Data || got.Metrics["test_accuracy"] != 0.9667 || got.Hyperparameters["optimizer"] != "adam" || got.Format != export.CardFormat {
		t.Errorf("card read back as %+v, saved %+v", got, card)
	}
}

func TestNewCardDescribesTheModel(t *testing.T) {
	card, err := export.NewCard(newMLP(t, 5, tensor.Float32, 1))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range card.Architecture.Tensors {
		names = append(names, e.Tensor)
	}
	if card.Architecture.Parameters != 43 || !reflect.DeepEqual(names, []string{"dense0/W", "dense0/b", "dense1/W", "dense1/b"}) {
		t.Errorf("NewCard: %+v", card.Architecture)
	}
}

func TestSaveRefusesNaNMetricAndWritesNothing(t *testing.T) {
	dir := t.TempDir()
	err := export.Save(dir, newMLP(t, 5, tensor.Float32, 1), export.Card{Metrics: map[string]float64{"loss": math.NaN()}}, export.Options{})
	if err == nil || !strings.Contains(err.Error(), `"loss"`) {
		t.Errorf("NaN metric: %v, want an error naming it", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused Save left %d files", len(entries))
	}
}

func TestLoadRefusesBadCard(t *testing.T) {
	dir := t.TempDir()
	m := newMLP(t, 5, tensor.Float32, 1)
	if err := export.Save(dir, m, export.Card{}, export.Options{}); err != nil {
		t.Fatal(err)
	}
	for body, want := range map[string]string{`{"format":"gradtune-model-card/9"}`: "gradtune-model-card/9", `{"format":`: "unexpected end"} {
		if err := os.WriteFile(filepath.Join(dir, export.CardFile), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := export.Load(dir, m, export.Options{}); !errors.Is(err, export.ErrFormat) || !strings.Contains(err.Error(), want) {
			t.Errorf("card %s: %v, want ErrFormat saying %q", body, err, want)
		}
	}
}

// A failed write leaves the previous file as it was, and no temporary file.
func TestFailedWriteKeepsThePreviousFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.safetensors")
	m := newMLP(t, 5, tensor.Float32, 1)
	if err := export.WriteFile(path, m, export.Options{}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	calls := 0
	failLate := export.Options{Rename: func(p string) string {
		if calls++; calls == 3 {
			panic("disk on fire")
		}
		return p
	}}
	if err := export.WriteFile(path, m, failLate); err == nil {
		t.Fatal("WriteFile with a panicking Rename succeeded")
	}
	after, _ := os.ReadFile(path)
	if !reflect.DeepEqual(before, after) {
		t.Error("a failed WriteFile changed the file")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("folder holds %d files after a failed write, want 1", len(entries))
	}
}

// Writers saving into one folder at once never share a temporary file: all
// succeed and the file is whole.
func TestConcurrentWritesDoNotCollide(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.safetensors")
	m := newMLP(t, 5, tensor.Float32, 1)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() { errs <- export.WriteFile(path, m, export.Options{}) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	other := newMLP(t, 5, tensor.Float32, 2)
	if err := export.ReadFile(path, other, export.Options{}); err != nil || !reflect.DeepEqual(values(m), values(other)) {
		t.Errorf("after concurrent writes: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("folder holds %d files, want 1", len(entries))
	}
}
