package trainer

import (
	"fmt"
	"reflect"
	"strings"
)

// stateConfig is what must match between the run that saved a state and
// the Trainer that loads it.
type stateConfig struct {
	Params        []paramSig
	Inputs        int
	Outputs       int
	Loss          string
	Optimizer     string
	Schedule      string
	ScheduleEvery int
	Regularizers  string
	ClipValue     float64
	ClipNorm      float64
	BatchSize     int
	Seed          uint64
	NoShuffle     bool
	Callbacks     []string // the types of the StatefulCallbacks of Config.Callbacks, in order
}

// paramSig is a parameter's name, dtype and shape.
type paramSig struct {
	Name, Dtype string
	Shape       []int
}

func (p paramSig) String() string { return fmt.Sprintf("%s %s %v", p.Name, p.Dtype, p.Shape) }

// fingerprint describes the Trainer's configuration.
func (t *Trainer) fingerprint() stateConfig {
	c := &t.cfg
	f := stateConfig{
		Inputs: t.m.Inputs(), Outputs: t.m.Outputs(),
		Loss: describe(c.Loss), Optimizer: describe(c.Optimizer), Schedule: describe(c.Schedule),
		ScheduleEvery: int(c.ScheduleEvery), ClipValue: c.ClipValue, ClipNorm: c.ClipNorm,
		BatchSize: c.BatchSize, Seed: c.Seed, NoShuffle: c.NoShuffle,
	}
	for _, p := range t.m.Params() {
		f.Params = append(f.Params, paramSig{Name: p.Name, Dtype: p.Value.Dtype().String(), Shape: append([]int(nil), p.Value.Shape()...)})
	}
	var regs []string
	for _, r := range c.Regularizers {
		regs = append(regs, describe(r))
	}
	f.Regularizers = strings.Join(regs, ", ")
	for _, cb := range t.statefulCallbacks() {
		f.Callbacks = append(f.Callbacks, fmt.Sprintf("%T", cb))
	}
	return f
}

// diff returns an error wrapping ErrStateMismatch that names every field of
// saved that differs from f, or nil.
func (f stateConfig) diff(saved stateConfig) error {
	var d []string
	add := func(what string, have, was any) {
		if h, w := fmt.Sprint(have), fmt.Sprint(was); h != w {
			d = append(d, fmt.Sprintf("%s: saved %s, this trainer has %s", what, w, h))
		}
	}
	if len(f.Params) != len(saved.Params) {
		d = append(d, fmt.Sprintf("model: saved with %d parameters, this one has %d", len(saved.Params), len(f.Params)))
	} else {
		for i := range f.Params {
			add(fmt.Sprintf("parameter %d", i), f.Params[i], saved.Params[i])
		}
	}
	add("model inputs", f.Inputs, saved.Inputs)
	add("model outputs", f.Outputs, saved.Outputs)
	add("Loss", f.Loss, saved.Loss)
	add("Optimizer", f.Optimizer, saved.Optimizer)
	add("Schedule", f.Schedule, saved.Schedule)
	add("ScheduleEvery", f.ScheduleEvery, saved.ScheduleEvery)
	add("Regularizers", f.Regularizers, saved.Regularizers)
	add("ClipValue", f.ClipValue, saved.ClipValue)
	add("ClipNorm", f.ClipNorm, saved.ClipNorm)
	add("BatchSize", f.BatchSize, saved.BatchSize)
	add("Seed", f.Seed, saved.Seed)
	add("NoShuffle", f.NoShuffle, saved.NoShuffle)
	add("stateful Callbacks", f.Callbacks, saved.Callbacks)
	if d == nil {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrStateMismatch, strings.Join(d, "; "))
}

// describe names a configuration value: its type and, for a struct of plain
// fields, their values (every hyperparameter); otherwise its String, which
// for a value holding functions or interfaces is what can be compared
// across processes.
func describe(v any) string {
	if v == nil {
		return "<nil>"
	}
	if plain(reflect.TypeOf(v)) {
		return fmt.Sprintf("%T", v) + fields(reflect.ValueOf(v))
	}
	if s, ok := v.(fmt.Stringer); ok {
		return fmt.Sprintf("%T(%s)", v, s.String())
	}
	return fmt.Sprintf("%T", v)
}

// plain reports whether values of typ print the same in every process:
// no pointers, functions, maps, channels or interfaces inside.
func plain(typ reflect.Type) bool {
	switch typ.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64, reflect.String:
		return true
	case reflect.Slice, reflect.Array:
		return plain(typ.Elem())
	case reflect.Struct:
		for i := range typ.NumField() {
			if !plain(typ.Field(i).Type) {
				return false
			}
		}
		return true
	}
	return false
}

// fields prints a plain value field by field (unexported ones included,
// and without calling String methods, which may leave settings out).
func fields(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Bool:
		return fmt.Sprint(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return fmt.Sprint(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return fmt.Sprint(v.Uint())
	case reflect.Float32, reflect.Float64:
		return fmt.Sprint(v.Float())
	case reflect.String:
		return fmt.Sprintf("%q", v.String())
	case reflect.Slice, reflect.Array:
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = fields(v.Index(i))
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	parts := make([]string, v.NumField())
	for i := range parts {
		parts[i] = v.Type().Field(i).Name + ":" + fields(v.Field(i))
	}
	return "{" + strings.Join(parts, " ") + "}"
}
