package model

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"gorgonia.org/tensor"
)

// Whatever the bytes, Load returns nil or an error wrapping ErrCheckpoint,
// never panics, changes the model only when it returns nil, and leaves no
// non-finite weight.
func FuzzLoadCheckpoint(f *testing.F) {
	m, err := New(MLP{Hidden: []int{3}, Out: 2}, Config{Inputs: 2, Seed: 1, Dtype: tensor.Float32})
	if err != nil {
		f.Fatal(err)
	}
	var good bytes.Buffer
	if err := m.Save(&good); err != nil {
		f.Fatal(err)
	}
	f.Add(good.Bytes())
	f.Add(good.Bytes()[:good.Len()/2])
	f.Add(bytes.Replace(good.Bytes(), []byte(`"values":[`), []byte(`"values":[1e300,`), 1))
	f.Add([]byte(`{"format":"gradtune-params/1","params":[{"name":"dense0/W","shape":[-1],"values":[]}]}`))
	f.Add([]byte(`{"format":"gradtune-params/1","params":null}`))
	start := values(m)
	f.Fuzz(func(t *testing.T, b []byte) {
		before := values(m)
		err := m.Load(bytes.NewReader(b))
		after := values(m)
		if err != nil {
			if !errors.Is(err, ErrCheckpoint) {
				t.Fatalf("%v, want ErrCheckpoint", err)
			}
			if !reflect.DeepEqual(before, after) {
				t.Fatal("a refused Load changed the weights")
			}
			return
		}
		for k, vs := range after {
			for i, v := range vs {
				if v-v != 0 {
					t.Fatalf("parameter %d element %d = %v after a Load that succeeded", k, i, v)
				}
			}
		}
		restore(t, m, start)
	})
}

// restore puts the weights vals (as values returns them) back into m.
func restore(t *testing.T, m *Model, vals [][]float64) {
	t.Helper()
	for k, p := range m.Params() {
		d := p.Value.Data().([]float32)
		for i, v := range vals[k] {
			d[i] = float32(v)
		}
	}
}
