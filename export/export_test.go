package export_test

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	st "github.com/nlpodyssey/safetensors"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/export"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/panics"
)

func newMLP(t testing.TB, hidden int, dt tensor.Dtype, seed uint64) *model.Model {
	t.Helper()
	m, err := model.New(model.MLP{Hidden: []int{hidden}, Out: 3}, model.Config{Inputs: 4, Dtype: dt, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// values copies every parameter's values, as float64, by name.
func values(m *model.Model) map[string][]float64 {
	out := map[string][]float64{}
	for _, p := range m.Params() {
		var v []float64
		switch d := p.Value.Data().(type) {
		case []float64:
			v = append(v, d...)
		case []float32:
			for _, x := range d {
				v = append(v, float64(x))
			}
		}
		out[p.Name] = v
	}
	return out
}

func write(t testing.TB, m *model.Model, opts export.Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := export.Write(&buf, m, opts); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRoundTripIsBitExact(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, opts := range []export.Options{{}, {Torch: true}} {
			a, b := newMLP(t, 5, dt, 1), newMLP(t, 5, dt, 2)
			if reflect.DeepEqual(values(a), values(b)) {
				t.Fatal("seeds 1 and 2 gave the same weights")
			}
			if err := export.Read(bytes.NewReader(write(t, a, opts)), b, opts); err != nil {
				t.Fatalf("%v torch=%v: %v", dt, opts.Torch, err)
			}
			if !reflect.DeepEqual(values(a), values(b)) {
				t.Errorf("%v torch=%v: read weights differ from the written ones", dt, opts.Torch)
			}
		}
	}
}

// The file as an independent reader sees it: names, dtypes, shapes and
// values, with dense weights transposed in the torch layout.
func TestLayoutSeenByIndependentReader(t *testing.T) {
	m := newMLP(t, 5, tensor.Float32, 1)
	w0 := m.Params()[0].Value.Data().([]float32) // dense0/W (4, 5)
	for _, tc := range []struct {
		opts           export.Options
		weight, bias   string
		wShape, bShape []uint64
		at             func(i, j int) int // index in the file of W[i][j]
	}{
		{export.Options{}, "dense0/W", "dense0/b", []uint64{4, 5}, []uint64{1, 5}, func(i, j int) int { return i*5 + j }},
		{export.Options{Torch: true}, "0.weight", "0.bias", []uint64{5, 4}, []uint64{5}, func(i, j int) int { return j*4 + i }},
	} {
		f, err := st.Deserialize(write(t, m, tc.opts))
		if err != nil {
			t.Fatal(err)
		}
		w, ok := f.Tensor(tc.weight)
		if !ok || w.DType() != st.F32 || !reflect.DeepEqual(w.Shape(), tc.wShape) {
			t.Fatalf("torch=%v: tensor %s: found %v, %v %v; want F32 %v", tc.opts.Torch, tc.weight, ok, w.DType(), w.Shape(), tc.wShape)
		}
		for i := range 4 {
			for j := range 5 {
				got := math.Float32frombits(uint32(w.Data()[4*tc.at(i, j)]) | uint32(w.Data()[4*tc.at(i, j)+1])<<8 | uint32(w.Data()[4*tc.at(i, j)+2])<<16 | uint32(w.Data()[4*tc.at(i, j)+3])<<24)
				if got != w0[i*5+j] {
					t.Fatalf("torch=%v: W[%d][%d] = %v in the file, %v in the model", tc.opts.Torch, i, j, got, w0[i*5+j])
				}
			}
		}
		if b, ok := f.Tensor(tc.bias); !ok || !reflect.DeepEqual(b.Shape(), tc.bShape) {
			t.Errorf("torch=%v: tensor %s: found %v, shape %v; want %v", tc.opts.Torch, tc.bias, ok, b.Shape(), tc.bShape)
		}
		if f.Len() != 4 {
			t.Errorf("torch=%v: %d tensors, want 4", tc.opts.Torch, f.Len())
		}
	}
}

// What the independent implementation writes, we read.
func TestReadsWhatIndependentWriterWrote(t *testing.T) {
	m := newMLP(t, 2, tensor.Float64, 1)
	want := map[string][]float64{}
	views := map[string]st.TensorView{}
	x := 0.5
	for _, p := range m.Params() {
		vals := make([]float64, p.Value.Shape().TotalSize())
		data := make([]byte, 0, 8*len(vals))
		for i := range vals {
			vals[i] = x
			x = -x * 1.25
			data = append(data, le64(math.Float64bits(vals[i]))...)
		}
		want[p.Name] = vals
		shape := []uint64{}
		for _, d := range p.Value.Shape() {
			shape = append(shape, uint64(d))
		}
		v, err := st.NewTensorView(st.F64, shape, data)
		if err != nil {
			t.Fatal(err)
		}
		views[p.Name] = v
	}
	b, err := st.Serialize(views, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := export.Read(bytes.NewReader(b), m, export.Options{}); err != nil {
		t.Fatal(err)
	}
	if got := values(m); !reflect.DeepEqual(got, want) {
		t.Errorf("read %v, want %v", got, want)
	}
}

func le64(u uint64) []byte {
	b := make([]byte, 8)
	for i := range b {
		b[i] = byte(u >> (8 * i))
	}
	return b
}

func TestMismatchNamesTensorAndShapesAndChangesNothing(t *testing.T) {
	f32x5 := write(t, newMLP(t, 5, tensor.Float32, 1), export.Options{})
	f64x5 := write(t, newMLP(t, 5, tensor.Float64, 1), export.Options{})
	seq := func(layers ...model.Layer) *model.Model {
		m, err := model.New(model.Sequential{Layers: layers}, model.Config{Inputs: 4, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	two := []model.Layer{model.Dense{Units: 5}, model.Dense{Units: 3}}
	three := append(two, model.Dense{Units: 2})
	for _, tc := range []struct {
		name string
		file []byte
		into *model.Model
		want []string
	}{
		{"shape", f32x5, newMLP(t, 6, tensor.Float32, 2), []string{`"dense0/W"`, "F32 [4 5]", "F32 [4 6]"}},
		{"dtype", f64x5, newMLP(t, 5, tensor.Float32, 2), []string{`"dense0/W"`, "F64 [4 5]", "F32 [4 5]"}},
		{"missing", write(t, seq(two...), export.Options{}), seq(three...), []string{`"layer2/W"`, "missing", "[3 2]"}},
		{"extra", write(t, seq(three...), export.Options{}), seq(two...), []string{`"layer2/W"`, `"layer2/b"`, "no parameter"}},
	} {
		before := values(tc.into)
		err := export.Read(bytes.NewReader(tc.file), tc.into, export.Options{})
		if !errors.Is(err, export.ErrMismatch) {
			t.Errorf("%s: %v, want ErrMismatch", tc.name, err)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not say %s", tc.name, err, w)
			}
		}
		if !reflect.DeepEqual(before, values(tc.into)) {
			t.Errorf("%s: a refused Read changed the weights", tc.name)
		}
	}
}

// A shape mismatch found on the last tensor must not leave the first ones
// loaded.
func TestFailedReadIsAllOrNothing(t *testing.T) {
	src, err := model.New(model.MLP{Hidden: []int{5}, Out: 3}, model.Config{Inputs: 4, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	dst, err := model.New(model.MLP{Hidden: []int{5}, Out: 2}, model.Config{Inputs: 4, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	before := values(dst)
	err = export.Read(bytes.NewReader(write(t, src, export.Options{})), dst, export.Options{})
	if !errors.Is(err, export.ErrMismatch) || !strings.Contains(err.Error(), "dense1/W") {
		t.Fatalf("%v, want ErrMismatch naming dense1/W", err)
	}
	if !reflect.DeepEqual(before, values(dst)) {
		t.Error("dense0's weights were loaded although dense1's did not fit")
	}
}

func TestLayoutMismatchIsRefused(t *testing.T) {
	m := newMLP(t, 5, tensor.Float32, 1)
	err := export.Read(bytes.NewReader(write(t, m, export.Options{Torch: true})), m, export.Options{})
	if !errors.Is(err, export.ErrMismatch) || !strings.Contains(err.Error(), "Torch = true") {
		t.Errorf("torch file read with gradtune layout: %v, want ErrMismatch telling to set Torch", err)
	}
}

func TestRename(t *testing.T) {
	m := newMLP(t, 5, tensor.Float32, 1)
	upper := export.Options{Rename: strings.ToUpper}
	f, err := st.Deserialize(write(t, m, upper))
	if err != nil {
		t.Fatal(err)
	}
	names := f.Names()
	if _, ok := f.Tensor("DENSE0/W"); !ok {
		t.Errorf("Rename ToUpper: tensors %v, want DENSE0/W among them", names)
	}
	other := newMLP(t, 5, tensor.Float32, 2)
	if err := export.Read(bytes.NewReader(write(t, m, upper)), other, upper); err != nil || !reflect.DeepEqual(values(m), values(other)) {
		t.Errorf("renamed round trip: %v", err)
	}

	var buf bytes.Buffer
	if err := export.Write(&buf, m, export.Options{Rename: func(string) string { return "w" }}); err == nil || !strings.Contains(err.Error(), `both named "w"`) {
		t.Errorf("two parameters renamed alike: %v, want an error", err)
	}
	if err := export.Write(&buf, m, export.Options{Rename: func(string) string { return "" }}); err == nil || !strings.Contains(err.Error(), "non-empty") {
		t.Errorf("empty name: %v, want an error", err)
	}
	boom := export.Options{Rename: func(string) string { panic("boom") }}
	if err := export.Write(&buf, m, boom); !errors.Is(err, panics.ErrUser) {
		t.Errorf("panicking Rename: %v, want ErrUser", err)
	}
	if buf.Len() != 0 {
		t.Errorf("refused writes wrote %d bytes", buf.Len())
	}
}

func TestTorchName(t *testing.T) {
	for in, want := range map[string]string{
		"dense0/W": "0.weight", "dense0/b": "0.bias", "dense2/W": "4.weight",
		"layer0/W": "0.weight", "layer3/b": "3.bias",
		"linear/W": "weight", "linear/b": "bias",
		"enc/W": "enc.weight", "enc/scale": "enc.scale", "W": "weight", "denseX/W": "denseX.weight",
	} {
		if got := export.TorchName(in); got != want {
			t.Errorf("TorchName(%q) = %q, want %q", in, got, want)
		}
	}
}
