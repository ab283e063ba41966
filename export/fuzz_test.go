package export_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"reflect"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/export"
)

// FuzzLoad feeds arbitrary bytes to Read: it must return nil or an error
// wrapping ErrFormat or ErrMismatch, never panic, and change the model only
// when it returns nil.
func FuzzLoad(f *testing.F) {
	m := newMLP(f, 2, tensor.Float32, 1)
	f.Add(write(f, m, export.Options{}))
	f.Add(write(f, m, export.Options{Torch: true}))
	if b, err := os.ReadFile("testdata/torch_mlp.safetensors"); err == nil {
		f.Add(b)
	}
	f.Add(append(binary.LittleEndian.AppendUint64(nil, 1<<40), "{}      "...))
	f.Add(header(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)))
	f.Add([]byte("garbage!garbage!"))
	// One model, reset before each input: model.New per input would make
	// the instrumented fuzzer crawl.
	start := values(m)
	reset := func() {
		for _, p := range m.Params() {
			d := p.Value.Data().([]float32)
			for i, v := range start[p.Name] {
				d[i] = float32(v)
			}
		}
	}
	f.Fuzz(func(t *testing.T, file []byte) {
		for _, opts := range []export.Options{{}, {Torch: true}} {
			reset()
			err := export.Read(bytes.NewReader(file), m, opts)
			if err == nil {
				continue
			}
			if !errors.Is(err, export.ErrFormat) && !errors.Is(err, export.ErrMismatch) {
				t.Fatalf("torch=%v: %v, want ErrFormat or ErrMismatch", opts.Torch, err)
			}
			if !reflect.DeepEqual(start, values(m)) {
				t.Fatalf("torch=%v: a refused Read changed the weights", opts.Torch)
			}
		}
	})
}
