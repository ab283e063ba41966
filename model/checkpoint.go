package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/atomicfile"
	"github.com/gradtune/gradtune/internal/dense"
)

// ErrCheckpoint is wrapped by errors about a checkpoint that does not fit
// the model.
var ErrCheckpoint = errors.New("model: checkpoint does not fit")

// checkpointFormat names the file layout, so that a later one can be told apart.
const checkpointFormat = "gradtune-params/1"

type checkpointFile struct {
	Format string            `json:"format"`
	Dtype  string            `json:"dtype"`
	Params []checkpointParam `json:"params"`
}

type checkpointParam struct {
	Name   string    `json:"name"`
	Shape  []int     `json:"shape"`
	Values []float64 `json:"values"` // row-major; float32 values convert exactly
}

// Save writes the parameters as JSON: names, shapes and values (float64
// text round-trips float32 and float64 values exactly). A Model not made
// by New or a nil w is an error wrapping ErrConfig; w's own errors are
// returned as they are.
func (m *Model) Save(w io.Writer) error {
	if err := m.usable(); err != nil {
		return err
	}
	if w == nil {
		return fmt.Errorf("%w: Save into a nil io.Writer", ErrConfig)
	}
	f := checkpointFile{Format: checkpointFormat, Dtype: m.cfg.Dtype.String()}
	for _, p := range m.params {
		f.Params = append(f.Params, checkpointParam{Name: p.Name, Shape: p.Value.Shape().Clone(), Values: dense.Float64s(p.Value)})
	}
	return json.NewEncoder(w).Encode(f)
}

// SaveFile writes Save's output to path, replacing it atomically: a crash
// or a SIGKILL mid-write leaves the previous file, and concurrent saves to
// one path (parallel trials sharing a folder) never collide, the last one
// winning. The data is flushed to disk (fsync) before the rename, and the
// folder after it. On an error path is untouched and no temporary file is
// left; the error wraps the file system's. A process killed mid-write
// leaves a temporary file beside path, named ".<name>.tmp-<digits>", which
// can be deleted. A Model not made by New is an error wrapping ErrConfig,
// before any file is touched.
func (m *Model) SaveFile(path string) error {
	if err := m.usable(); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, m.Save)
}

// Load reads parameters written by Save into the model. Every parameter
// must be present with the same shape; errors wrap ErrCheckpoint and name
// the parameter. A value that does not fit the model's dtype (1e300 in a
// float32 model, which would become +Inf) is an error naming the parameter,
// the element (its row-major index and position) and the value. NaN and ±Inf
// cannot be written in JSON, so a checkpoint holding them is refused as
// malformed. Values are rounded to the nearest float32 in a float32 model:
// tiny ones may become 0. Nothing is changed unless all of them fit. A
// Model not made by New or a nil r is an error wrapping ErrConfig.
func (m *Model) Load(r io.Reader) error {
	if err := m.usable(); err != nil {
		return err
	}
	if r == nil {
		return fmt.Errorf("%w: Load from a nil io.Reader", ErrConfig)
	}
	var f checkpointFile
	if err := json.NewDecoder(r).Decode(&f); err != nil {
		return fmt.Errorf("%w: %w", ErrCheckpoint, err)
	}
	if f.Format != checkpointFormat {
		return fmt.Errorf("%w: format %q, want %q", ErrCheckpoint, f.Format, checkpointFormat)
	}
	byName := map[string]checkpointParam{}
	for _, p := range f.Params {
		byName[p.Name] = p
	}
	vals := make([]*tensor.Dense, len(m.params))
	for i, p := range m.params {
		c, ok := byName[p.Name]
		if !ok {
			return fmt.Errorf("%w: parameter %s missing", ErrCheckpoint, p.Name)
		}
		if !tensor.Shape(c.Shape).Eq(p.Value.Shape()) {
			return fmt.Errorf("%w: parameter %s has shape %v, the model's is %v", ErrCheckpoint, p.Name, c.Shape, p.Value.Shape())
		}
		if err := fitsDtype(c.Values, c.Shape, m.cfg.Dtype); err != nil {
			return fmt.Errorf("%w: parameter %s: %w", ErrCheckpoint, p.Name, err)
		}
		v, err := dense.FromFloat64(m.cfg.Dtype, c.Values, c.Shape...)
		if err != nil {
			return fmt.Errorf("%w: parameter %s: %w", ErrCheckpoint, p.Name, err)
		}
		vals[i] = v
	}
	if len(f.Params) != len(m.params) {
		return fmt.Errorf("%w: %d parameters in the checkpoint, the model has %d", ErrCheckpoint, len(f.Params), len(m.params))
	}
	for i, p := range m.params {
		if err := dense.CopyValues(p.Value, vals[i]); err != nil {
			return err
		}
	}
	return nil
}

// LoadFile reads a checkpoint file written by SaveFile. A Model not made by
// New is an error wrapping ErrConfig, before the file is opened.
func (m *Model) LoadFile(path string) error {
	if err := m.usable(); err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return m.Load(f)
}

// fitsDtype returns an error naming the first of vals (row-major, of the
// given shape) that overflows dt: only float32 can overflow a float64.
func fitsDtype(vals []float64, shape []int, dt tensor.Dtype) error {
	if dt != tensor.Float32 {
		return nil
	}
	for i, v := range vals {
		if f := float64(float32(v)); math.IsInf(f, 0) && !math.IsInf(v, 0) {
			return fmt.Errorf("element %d %v is %g, outside the float32 range (±%g)", i, position(i, shape), v, math.MaxFloat32)
		}
	}
	return nil
}

// position returns the multi-index of row-major element i of shape.
func position(i int, shape []int) []int {
	pos := make([]int, len(shape))
	for k := len(shape) - 1; k >= 0; k-- {
		if shape[k] > 0 {
			pos[k] = i % shape[k]
			i /= shape[k]
		}
	}
	return pos
}
