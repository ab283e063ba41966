package main

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
)

// The tutorial's run, interrupted at epoch 3 step 5 and resumed by a new
// Trainer from its state file, ends with the uninterrupted run's weights,
// bit for bit; the saved weights load into a fresh model unchanged.
func TestInterruptResumeLoad(t *testing.T) {
	dir := t.TempDir()
	train := blobs(200, 1)
	statePath := filepath.Join(dir, "run.state")
	if err := interrupted(train, statePath); err != nil {
		t.Fatal(err)
	}
	got, err := resume(train, statePath)
	if err != nil {
		t.Fatal(err)
	}
	whole, _, err := newTrainer("")
	if err != nil {
		t.Fatal(err)
	}
	defer whole.Close()
	if _, err := whole.Fit(context.Background(), train, nil); err != nil {
		t.Fatal(err)
	}
	if whole.Steps() != 65 {
		t.Fatalf("the whole run took %d steps, want 5 epochs of 13", whole.Steps())
	}
	want := whole.Weights()
	for i := range want {
		if !slices.Equal(got[i].Data().([]float64), want[i].Data().([]float64)) {
			t.Errorf("tensor %d: resumed %v, uninterrupted %v", i, got[i].Data(), want[i].Data())
		}
	}
	if err := loadElsewhere(whole, filepath.Join(dir, "w.json")); err != nil {
		t.Fatal(err)
	}
	if err := run(t.TempDir()); err != nil {
		t.Fatal(err)
	}
}
