package export_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	st "github.com/nlpodyssey/safetensors"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/export"
	"github.com/gradtune/gradtune/model"
)

// header returns a file of the given JSON header (padded to 8 bytes) and data.
func header(js string, data []byte) []byte {
	h := []byte(js)
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	return append(append(binary.LittleEndian.AppendUint64(nil, uint64(len(h))), h...), data...)
}

func TestBadFilesAreFormatErrors(t *testing.T) {
	m := newMLP(t, 5, tensor.Float32, 1)
	good := write(t, m, export.Options{})
	tb := binary.LittleEndian.AppendUint64(nil, 1<<40) // claims a 1 TB header
	for _, tc := range []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "want at least 8"},
		{"7 bytes", good[:7], "want at least 8"},
		{"1 TB header", append(tb, "{}      "...), "at most 100000000"},
		{"header cut", good[:20], "truncated"},
		{"data cut", good[:len(good)-1], ""},
		{"trailing bytes", append(bytes.Clone(good), 0), ""},
		{"garbage header", header("not json", nil), ""},
		{"header not an object", header(" {}", nil), "want '{'"},
		{"unknown dtype", header(`{"a":{"dtype":"Q7","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)), ""},
		{"offsets past the end", header(`{"a":{"dtype":"F32","shape":[1000000,1000000],"data_offsets":[0,4000000000000]}}`, make([]byte, 4)), ""},
		{"offsets disagree with shape", header(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}`, make([]byte, 4)), ""},
		{"shape overflows", header(`{"a":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,0]}}`, nil), ""},
		{"metadata not strings", header(`{"__metadata__":{"a":1}}`, nil), ""},
		{"newer gradtune layout", wrongVersion(t), `"gradtune-safetensors/2"`},
	} {
		before := values(m)
		err := export.Read(bytes.NewReader(tc.file), m, export.Options{})
		if !errors.Is(err, export.ErrFormat) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want ErrFormat saying %q", tc.name, err, tc.want)
		}
		if !reflect.DeepEqual(before, values(m)) {
			t.Errorf("%s: a refused Read changed the weights", tc.name)
		}
	}
}

// wrongVersion is a valid safetensors file that says it was written in a
// later gradtune layout.
func wrongVersion(t *testing.T) []byte {
	v, err := st.NewTensorView(st.F32, []uint64{1}, make([]byte, 4))
	if err != nil {
		t.Fatal(err)
	}
	b, err := st.Serialize(map[string]st.TensorView{"a": v}, map[string]string{"gradtune.format": "gradtune-safetensors/2"})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Every prefix of a valid file is refused, and so is every file with one
// byte changed into garbage — never a panic.
func TestEveryTruncationAndRandomCorruptionIsAnError(t *testing.T) {
	m := newMLP(t, 3, tensor.Float32, 1)
	good := write(t, m, export.Options{})
	for n := range len(good) {
		if err := export.Read(bytes.NewReader(good[:n]), m, export.Options{}); !errors.Is(err, export.ErrFormat) {
			t.Fatalf("first %d of %d bytes: %v, want ErrFormat", n, len(good), err)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		bad := bytes.Clone(good)
		bad[rng.IntN(len(bad))] = byte(rng.IntN(256))
		if err := export.Read(bytes.NewReader(bad), m, export.Options{}); err != nil && !errors.Is(err, export.ErrFormat) && !errors.Is(err, export.ErrMismatch) {
			t.Fatalf("one byte changed: %v, want nil, ErrFormat or ErrMismatch", err)
		}
	}
}

// A 16-byte file claiming a 1 TB header, or a header just under the limit,
// or a tensor of 4 TB costs a few kilobytes, not what it claims.
func TestHugeClaimsAllocateLittle(t *testing.T) {
	m := newMLP(t, 5, tensor.Float32, 1)
	for name, file := range map[string][]byte{
		"1 TB header":      append(binary.LittleEndian.AppendUint64(nil, 1<<40), "{}      "...),
		"99 MB header":     append(binary.LittleEndian.AppendUint64(nil, 99_000_000), "{}      "...),
		"4 TB tensor":      header(`{"a":{"dtype":"F32","shape":[1000000,1000000],"data_offsets":[0,4000000000000]}}`, make([]byte, 4)),
		"1e18-byte tensor": header(`{"a":{"dtype":"U8","shape":[1000000000000000000],"data_offsets":[0,1000000000000000000]}}`, nil),
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		err := export.Read(bytes.NewReader(file), m, export.Options{})
		runtime.ReadMemStats(&after)
		if !errors.Is(err, export.ErrFormat) {
			t.Errorf("%s: %v, want ErrFormat", name, err)
		}
		if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
			t.Errorf("%s: reading %d bytes allocated %d bytes", name, len(file), got)
		}
	}
}

// Found by a newcomer review: a nil writer or reader panicked.
func TestNilWriterAndReaderAreErrors(t *testing.T) {
	m := newMLP(t, 4, tensor.Float32, 1)
	if err := export.Write(nil, m, export.Options{}); err == nil {
		t.Error("Write(nil, …): no error")
	}
	if err := export.Read(nil, m, export.Options{}); !errors.Is(err, export.ErrFormat) {
		t.Errorf("Read(nil, …) = %v, want ErrFormat", err)
	}
}

// The audit found NewCard, Write and Save dereferencing the zero
// model.Model (not made by model.New): every function taking a model
// refuses it, and a nil one, with an error naming model.New, and Save
// writes nothing.
func TestModelNotMadeByNewIsAnError(t *testing.T) {
	for name, m := range map[string]*model.Model{"nil": nil, "zero": {}} {
		dir := filepath.Join(t.TempDir(), "out")
		calls := map[string]func() error{
			"NewCard":   func() error { _, err := export.NewCard(m); return err },
			"Write":     func() error { return export.Write(io.Discard, m, export.Options{}) },
			"WriteFile": func() error { return export.WriteFile(filepath.Join(t.TempDir(), "w"), m, export.Options{}) },
			"Save":      func() error { return export.Save(dir, m, export.Card{}, export.Options{}) },
			"Read":      func() error { return export.Read(strings.NewReader(""), m, export.Options{}) },
		}
		for fn, call := range calls {
			var err error
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("%s of a %s model panicked: %v", fn, name, p)
					}
				}()
				err = call()
			}()
			if err == nil || !strings.Contains(err.Error(), "model.New") {
				t.Errorf("%s of a %s model: error %v, want one naming model.New", fn, name, err)
			}
		}
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("Save of a %s model created %s (%v)", name, dir, err)
		}
	}
}
