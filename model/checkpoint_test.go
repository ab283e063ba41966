package model

import (
	"bytes"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

func TestCheckpointRoundTrip(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		a, _ := New(MLP{Hidden: []int{5}, Out: 3}, Config{Inputs: 4, Seed: 1, Dtype: dt})
		b, _ := New(MLP{Hidden: []int{5}, Out: 3}, Config{Inputs: 4, Seed: 2, Dtype: dt})
		path := filepath.Join(t.TempDir(), "m.json")
		if err := a.SaveFile(path); err != nil {
			t.Fatal(err)
		}
		if err := b.LoadFile(path); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(values(a), values(b)) {
			t.Errorf("%v: loaded weights differ from the saved ones", dt)
		}
	}
}

func TestCheckpointMismatch(t *testing.T) {
	a, _ := New(MLP{Hidden: []int{5}, Out: 3}, Config{Inputs: 4})
	var buf bytes.Buffer
	if err := a.Save(&buf); err != nil {
		t.Fatal(err)
	}
	b, _ := New(MLP{Hidden: []int{6}, Out: 3}, Config{Inputs: 4, Seed: 9})
	before := values(b)
	err := b.Load(bytes.NewReader(buf.Bytes()))
	if !errors.Is(err, ErrCheckpoint) || !strings.Contains(err.Error(), "dense0/W") {
		t.Errorf("loading a 5-unit checkpoint into 6 units: %v, want ErrCheckpoint naming dense0/W", err)
	}
	if !reflect.DeepEqual(before, values(b)) {
		t.Error("a refused Load changed the weights")
	}
	if err := b.Load(strings.NewReader(`{"format":"other"}`)); !errors.Is(err, ErrCheckpoint) {
		t.Errorf("wrong format: %v, want ErrCheckpoint", err)
	}
}
