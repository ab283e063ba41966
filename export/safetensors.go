package export

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"

	st "github.com/nlpodyssey/safetensors"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/dense"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/panics"
)

var (
	// ErrFormat is wrapped by errors about a file that is not valid
	// safetensors (truncated, corrupt, garbage, a header claiming more than
	// MaxHeader bytes) or a model card that is not valid JSON, or either
	// written by an unknown version of this package's layout.
	ErrFormat = errors.New("export: invalid or unsupported file")
	// ErrMismatch is wrapped by errors about valid weights that do not fit
	// the model: a missing or extra tensor, a different dtype or shape.
	ErrMismatch = errors.New("export: weights do not fit the model")
)

// MaxHeader is the largest JSON header Read accepts, in bytes: 100 MB, the
// reference implementation's MAX_HEADER_SIZE. A file claiming more is
// refused before anything past its first 8 bytes is read.
const MaxHeader = 100_000_000

// Format is the version of this package's layout, written to the
// "gradtune.format" metadata key; Read refuses any other.
const Format = "gradtune-safetensors/1"

// Metadata keys of the file header.
const (
	metaFormat       = "format" // "pt": what Hugging Face's loaders expect
	metaGradtune     = "gradtune.format"
	metaLayout       = "gradtune.layout"
	metaArchitecture = "gradtune.architecture"
)

// Write writes m's parameters to w in the safetensors format, named and laid
// out as opts says (see the package documentation), each tensor in m's
// dtype (F32 or F64), with the model's Architecture in __metadata__.
func Write(w io.Writer, m *model.Model, opts Options) error {
	if w == nil {
		return errors.New("export: Write into a nil io.Writer")
	}
	plans, err := plan(m, opts)
	if err != nil {
		return err
	}
	views := make(map[string]view, len(plans))
	for _, tp := range plans {
		views[tp.name] = encode(tp)
	}
	arch, err := json.Marshal(describe(m, plans))
	if err != nil {
		return fmt.Errorf("export: architecture: %w", err)
	}
	meta := map[string]string{
		metaFormat:       "pt",
		metaGradtune:     Format,
		metaLayout:       opts.layout(),
		metaArchitecture: string(arch),
	}
	bw := bufio.NewWriter(w)
	err = panics.Recover("export: safetensors serialize", panics.ErrDependency, func() error {
		return st.SerializeToWriter(views, meta, bw)
	})
	if err != nil {
		return fmt.Errorf("export: write safetensors: %w", err)
	}
	return bw.Flush()
}

// WriteFile writes Write's output to path atomically: into a temporary file
// of its own in the same folder, synced, then renamed over path (and the
// folder synced), so that path never holds a partial file.
func WriteFile(path string, m *model.Model, opts Options) error {
	return writeAtomic(path, func(w io.Writer) error { return Write(w, m, opts) })
}

// Read loads safetensors weights from r into m's parameters. Every parameter
// must have its tensor (named and laid out as opts says, as Write made it),
// of m's dtype and the expected shape, and the file must hold no other
// tensor; otherwise the error wraps ErrMismatch and names the tensor, the
// parameter and both shapes. A file that is not valid safetensors is an
// error wrapping ErrFormat. Memory use is bounded by the bytes r actually
// holds, whatever the header claims. On any error m is unchanged.
func Read(r io.Reader, m *model.Model, opts Options) error {
	if r == nil {
		return fmt.Errorf("%w: Read from a nil io.Reader", ErrFormat)
	}
	plans, err := plan(m, opts)
	if err != nil {
		return err
	}
	buf, err := readFile(r)
	if err != nil {
		return err
	}
	file, err := parse(buf)
	if err != nil {
		return err
	}
	if err := checkMetadata(file.meta, opts); err != nil {
		return err
	}
	values, err := decodeAll(file, m, plans)
	if err != nil {
		return err
	}
	for i, tp := range plans {
		// Same dtype and volume, checked by decodeAll: this cannot fail
		// half-way.
		if err := dense.CopyValues(tp.param.Value, values[i]); err != nil {
			return fmt.Errorf("export: parameter %s: %w", tp.param.Name, err)
		}
	}
	return nil
}

// ReadFile is Read from the file at path.
func ReadFile(path string, m *model.Model, opts Options) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer f.Close()
	if err := Read(f, m, opts); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// readFile reads a whole safetensors file from r, refusing a header length
// over MaxHeader before reading further. The buffer grows with the bytes
// that arrive, so a small file claiming a huge header or tensor costs
// little memory.
func readFile(r io.Reader) ([]byte, error) {
	var prefix [8]byte
	if n, err := io.ReadFull(r, prefix[:]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%w: %d bytes, want at least 8 (the header length)", ErrFormat, n)
		}
		return nil, fmt.Errorf("export: read: %w", err)
	}
	n := binary.LittleEndian.Uint64(prefix[:])
	if n > MaxHeader {
		return nil, fmt.Errorf("%w: header length %d bytes, at most %d accepted", ErrFormat, n, MaxHeader)
	}
	var buf bytes.Buffer
	buf.Write(prefix[:])
	if _, err := buf.ReadFrom(r); err != nil {
		return nil, fmt.Errorf("export: read: %w", err)
	}
	if rest := uint64(buf.Len() - 8); rest < n {
		return nil, fmt.Errorf("%w: truncated: header length %d bytes, only %d bytes follow", ErrFormat, n, rest)
	}
	return buf.Bytes(), nil
}

// parsed is a validated safetensors file.
type parsed struct {
	meta    map[string]string
	tensors map[string]*st.TensorInfo
	data    []byte // the bytes after the header; the offsets index it
}

// parse checks buf's header with the library (every tensor's byte range
// contiguous, inside the file and of its shape's size; the file no longer
// than they are) and that the header starts with '{', as the format
// requires.
func parse(buf []byte) (parsed, error) {
	var (
		n  uint64
		md st.Metadata
	)
	err := panics.Recover("export: safetensors header", panics.ErrDependency, func() error {
		var err error
		n, md, err = st.ReadMetadata(buf)
		return err
	})
	if err != nil {
		return parsed{}, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	if buf[8] != '{' { // n ≥ 2: the header is a JSON object
		return parsed{}, fmt.Errorf("%w: header starts with %q, want '{'", ErrFormat, buf[8])
	}
	return parsed{meta: md.Metadata(), tensors: md.Tensors(), data: buf[8+n:]}, nil
}

// checkMetadata refuses a file of another gradtune layout version, or one
// written in the other layout. Files without gradtune's keys (written by
// PyTorch, say) are taken as opts says.
func checkMetadata(meta map[string]string, opts Options) error {
	if v, ok := meta[metaGradtune]; ok && v != Format {
		return fmt.Errorf("%w: written as %q, this version reads %q", ErrFormat, v, Format)
	}
	if l, ok := meta[metaLayout]; ok && l != opts.layout() {
		return fmt.Errorf("%w: the file has the %s layout, Options ask for %s (set Options.Torch = %v)", ErrMismatch, l, opts.layout(), l == layoutTorch)
	}
	return nil
}

// decodeAll checks every tensor against its plan and decodes it into a new
// tensor of the parameter's shape, without touching m.
func decodeAll(file parsed, m *model.Model, plans []tensorPlan) ([]*tensor.Dense, error) {
	want := dtypeOf(m.Dtype())
	values := make([]*tensor.Dense, len(plans))
	used := make(map[string]bool, len(plans))
	for i, tp := range plans {
		info, ok := file.tensors[tp.name]
		if !ok {
			return nil, fmt.Errorf("%w: tensor %q (parameter %s, %s %v) is missing", ErrMismatch, tp.name, tp.param.Name, want, tp.shape)
		}
		used[tp.name] = true
		if info.DType != want || !sameShape(info.Shape, tp.shape) {
			return nil, fmt.Errorf("%w: tensor %q is %s %v in the file, parameter %s needs %s %v", ErrMismatch, tp.name, info.DType, info.Shape, tp.param.Name, want, tp.shape)
		}
		values[i] = decode(tp, m.Dtype(), file.data[info.DataOffsets[0]:info.DataOffsets[1]])
	}
	if extra := unused(file.tensors, used); len(extra) > 0 {
		return nil, fmt.Errorf("%w: %d tensors the model has no parameter for: %s", ErrMismatch, len(extra), strings.Join(extra, ", "))
	}
	return values, nil
}

func unused(tensors map[string]*st.TensorInfo, used map[string]bool) []string {
	var out []string
	for n := range tensors {
		if !used[n] {
			out = append(out, fmt.Sprintf("%q", n))
		}
	}
	slices.Sort(out)
	return out
}

func sameShape(file []uint64, want []int) bool {
	return slices.EqualFunc(file, want, func(a uint64, b int) bool { return a == uint64(b) })
}

func dtypeOf(dt tensor.Dtype) st.DType {
	if dt == tensor.Float64 {
		return st.F64
	}
	return st.F32
}

// view is one tensor to serialize: little-endian bytes.
type view struct {
	dtype st.DType
	shape []uint64
	data  []byte
}

func (v view) DType() st.DType { return v.dtype }
func (v view) Shape() []uint64 { return v.shape }
func (v view) Data() []byte    { return v.data }
func (v view) DataLen() uint64 { return uint64(len(v.data)) }

// encode returns tp's parameter as the tensor tp describes.
func encode(tp tensorPlan) view {
	v := view{shape: make([]uint64, len(tp.shape))}
	for i, d := range tp.shape {
		v.shape[i] = uint64(d)
	}
	switch src := tp.param.Value.Data().(type) {
	case []float64:
		if tp.transpose {
			src = transpose(src, tp.shape[1], tp.shape[0])
		}
		v.dtype, v.data = st.F64, make([]byte, 8*len(src))
		for i, x := range src {
			binary.LittleEndian.PutUint64(v.data[8*i:], math.Float64bits(x))
		}
	case []float32:
		if tp.transpose {
			src = transpose(src, tp.shape[1], tp.shape[0])
		}
		v.dtype, v.data = st.F32, make([]byte, 4*len(src))
		for i, x := range src {
			binary.LittleEndian.PutUint32(v.data[4*i:], math.Float32bits(x))
		}
	}
	return v
}

// decode returns the file's bytes (already checked: tp's dtype and shape)
// as a tensor of the parameter's shape.
func decode(tp tensorPlan, dt tensor.Dtype, data []byte) *tensor.Dense {
	shape := tp.param.Value.Shape().Clone()
	if dt == tensor.Float64 {
		vals := make([]float64, len(data)/8)
		for i := range vals {
			vals[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
		}
		if tp.transpose {
			vals = transpose(vals, tp.shape[0], tp.shape[1])
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(vals))
	}
	vals := make([]float32, len(data)/4)
	for i := range vals {
		vals[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
	}
	if tp.transpose {
		vals = transpose(vals, tp.shape[0], tp.shape[1])
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(vals))
}

// transpose returns the (cols, rows) transpose of a row-major (rows, cols)
// matrix.
func transpose[T float32 | float64](a []T, rows, cols int) []T {
	out := make([]T, len(a))
	for i := range rows {
		for j := range cols {
			out[j*rows+i] = a[i*cols+j]
		}
	}
	return out
}
