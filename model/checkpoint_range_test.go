package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// checkpointWith returns m's checkpoint with one value of one parameter
// replaced by the JSON number text num.
func checkpointWith(t *testing.T, m *Model, param string, element int, num string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	var f struct {
		Format string `json:"format"`
		Dtype  string `json:"dtype"`
		Params []struct {
			Name   string            `json:"name"`
			Shape  []int             `json:"shape"`
			Values []json.RawMessage `json:"values"`
		} `json:"params"`
	}
	if err := json.Unmarshal(buf.Bytes(), &f); err != nil {
		t.Fatal(err)
	}
	for i := range f.Params {
		if f.Params[i].Name == param {
			f.Params[i].Values[element] = json.RawMessage(num)
		}
	}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// 1e300 loaded into a float32 model became +Inf, silently.
func TestLoadValueOutOfDtypeRange(t *testing.T) {
	m, err := New(MLP{Hidden: []int{5}, Out: 3}, Config{Inputs: 4, Seed: 1, Dtype: tensor.Float32})
	if err != nil {
		t.Fatal(err)
	}
	before := values(m)
	// dense0/W is (4, 5): element 7 is at row 1, column 2.
	for _, num := range []string{"1e300", "-3.5e38"} {
		err := m.Load(bytes.NewReader(checkpointWith(t, m, "dense0/W", 7, num)))
		if !errors.Is(err, ErrCheckpoint) {
			t.Fatalf("%s: %v, want ErrCheckpoint", num, err)
		}
		for _, part := range []string{"dense0/W", "element 7 [1 2]", "outside the float32 range"} {
			if !strings.Contains(err.Error(), part) {
				t.Errorf("%s: error %q does not say %q", num, err, part)
			}
		}
		if !reflect.DeepEqual(before, values(m)) {
			t.Errorf("%s: a refused Load changed the weights", num)
		}
	}
	// The largest float32 and values rounding to it load.
	if err := m.Load(bytes.NewReader(checkpointWith(t, m, "dense0/W", 7, "3.4028235e38"))); err != nil {
		t.Errorf("MaxFloat32: %v", err)
	}
	// A float64 model holds 1e300.
	m64, err := New(MLP{Hidden: []int{5}, Out: 3}, Config{Inputs: 4, Seed: 1, Dtype: tensor.Float64})
	if err != nil {
		t.Fatal(err)
	}
	if err := m64.Load(bytes.NewReader(checkpointWith(t, m64, "dense0/W", 7, "1e300"))); err != nil {
		t.Fatalf("1e300 into float64: %v", err)
	}
	if got := m64.Params()[0].Value.Data().([]float64)[7]; got != 1e300 {
		t.Errorf("float64 model: element 7 = %g, want 1e300", got)
	}
	// NaN and Inf have no JSON spelling: refused as malformed.
	for _, num := range []string{"NaN", "Infinity", "1e400"} {
		if err := m.Load(bytes.NewReader(checkpointWith(t, m, "dense0/W", 7, `"`+num+`"`))); !errors.Is(err, ErrCheckpoint) {
			t.Errorf("%s: %v, want ErrCheckpoint", num, err)
		}
	}
}
