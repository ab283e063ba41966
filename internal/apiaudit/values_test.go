package apiaudit

import (
	"context"
	"errors"
	"io"
	"math"
	"math/rand"
	"reflect"
	"strings"

	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/metrics"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/regularizers"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
)

// mode is one kind of argument the audit passes. modeOne is a plausible
// value (so that a call gets past its first check); the others are hostile.
type mode int

const (
	modeOne    mode = iota // 1, 0.5, "a", one-element slices, working objects
	modeZero               // the zero value: nil pointers, slices, maps, funcs, interfaces, a nil context
	modeEmpty              // non-nil but empty: []T{}, map{}, a pointer to a zero struct (zero-value receiver)
	modeNaN                // NaN floats, a cancelled context, a failing reader/writer
	modePosInf             // +Inf floats
	modeNegInf             // −Inf floats
	modeNeg                // −1 and "../../x"
	modeHuge               // 1<<40 and 1e300 and a 64 KiB string; funcs that panic
	numModes
)

var modeNames = [numModes]string{"one", "zero/nil", "empty", "NaN", "+Inf", "-Inf", "negative", "huge"}

func (m mode) String() string { return modeNames[m] }

const hugeInt = 1 << 40

// factories build the arguments of types that fill cannot make usable from
// their exported fields: working models, trainers and data sets, Gorgonia
// nodes, standard-library interfaces. ok false means "fill it as usual".
var factories = map[reflect.Type]func(m mode) (v reflect.Value, ok bool){}

func typeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }

func init() {
	one := func(f func() any) func(m mode) (reflect.Value, bool) {
		return func(m mode) (reflect.Value, bool) {
			if m != modeOne {
				return reflect.Value{}, false
			}
			return reflect.ValueOf(f()), true
		}
	}
	factories[typeOf[context.Context]()] = func(m mode) (reflect.Value, bool) {
		switch m {
		case modeZero:
			return reflect.Zero(typeOf[context.Context]()), true
		case modeNaN:
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return reflect.ValueOf(ctx), true
		}
		return reflect.ValueOf(context.Background()), true
	}
	factories[typeOf[io.Writer]()] = func(m mode) (reflect.Value, bool) {
		switch m {
		case modeZero:
			return reflect.Zero(typeOf[io.Writer]()), true
		case modeNaN:
			return reflect.ValueOf(io.Writer(failingIO{})), true
		}
		return reflect.ValueOf(io.Discard), true
	}
	factories[typeOf[io.Reader]()] = func(m mode) (reflect.Value, bool) {
		switch m {
		case modeZero:
			return reflect.Zero(typeOf[io.Reader]()), true
		case modeNaN:
			return reflect.ValueOf(io.Reader(failingIO{})), true
		case modeHuge:
			return reflect.ValueOf(io.Reader(strings.NewReader(strings.Repeat("\xff", 1<<16)))), true
		}
		return reflect.ValueOf(io.Reader(strings.NewReader(""))), true
	}
	factories[typeOf[error]()] = func(m mode) (reflect.Value, bool) {
		if m == modeZero {
			return reflect.Zero(typeOf[error]()), true
		}
		return reflect.ValueOf(errors.New("apiaudit: an error")), true
	}
	factories[typeOf[any]()] = func(m mode) (reflect.Value, bool) {
		if m == modeZero {
			return reflect.Zero(typeOf[any]()), true
		}
		return reflect.ValueOf(&[]any{fill(typeOf[float64](), m, 0).Interface()}[0]).Elem(), true
	}
	factories[typeOf[*rand.Rand]()] = one(func() any { return rand.New(rand.NewSource(1)) })
	// A legal transpose, so that a BLAS call gets past its first check.
	factories[typeOf[blas.Transpose]()] = one(func() any { return blas.NoTrans })
	factories[typeOf[*G.ExprGraph]()] = one(func() any { return G.NewGraph() })
	factories[typeOf[*G.Node]()] = one(func() any { return newNode() })
	factories[typeOf[G.ValueGrad]()] = one(func() any { return G.ValueGrad(newNode()) })
	factories[typeOf[G.Solver]()] = one(func() any { return G.Solver(G.NewVanillaSolver()) })
	factories[typeOf[*tensor.Dense]()] = one(func() any {
		return tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float64{0, 1, 1, 0, 1, 1, 0, 0}))
	})
	factories[typeOf[*data.Dataset]()] = one(func() any { return newDataset() })
	factories[typeOf[*model.Model]()] = one(func() any { return newModel() })
	factories[typeOf[*model.Graph]()] = one(func() any {
		g, err := newModel().NewGraph(2, true)
		must(err)
		return g
	})
	factories[typeOf[*model.Scope]()] = one(func() any { return newScope() })
	factories[typeOf[*trainer.Trainer]()] = one(func() any {
		tr, err := trainer.New(newModel(), trainerConfig())
		must(err)
		return tr
	})
	factories[typeOf[trainer.Config]()] = one(func() any { return trainerConfig() })
	factories[typeOf[model.Config]()] = one(func() any { return model.Config{Inputs: 2, Seed: 1} })

	// An interface gets a concrete type of ours, filled in the same mode.
	impl := func(iface reflect.Type, concrete any) {
		factories[iface] = func(m mode) (reflect.Value, bool) {
			if m == modeZero {
				return reflect.Zero(iface), true
			}
			return fill(reflect.TypeOf(concrete), m, 1).Convert(iface), true
		}
	}
	impl(typeOf[losses.Loss](), losses.Huber{})
	impl(typeOf[metrics.Metric](), metrics.BinaryAccuracy{})
	impl(typeOf[model.Activation](), model.LeakyReLU{})
	impl(typeOf[model.Initializer](), model.Uniform{})
	impl(typeOf[model.Layer](), model.Dense{})
	impl(typeOf[model.Network](), model.MLP{})
	impl(typeOf[optimizers.Optimizer](), optimizers.Adam{})
	impl(typeOf[regularizers.Regularizer](), regularizers.L2{})
	impl(typeOf[schedulers.Schedule](), schedulers.Constant{})
	impl(typeOf[trainer.Callback](), &trainer.EarlyStopping{}) // its methods have pointer receivers
}

func must(err error) {
	if err != nil {
		panic("apiaudit: building an argument: " + err.Error())
	}
}

func newNode() *G.Node {
	g := G.NewGraph()
	return G.NewMatrix(g, tensor.Float64, G.WithShape(2, 2), G.WithName("w"),
		G.WithValue(tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 2, 3, 4}))))
}

func newDataset() *data.Dataset {
	d, err := data.FromRows([][]float64{{0, 1}, {1, 0}, {1, 1}, {0, 0}}, [][]float64{{1}, {1}, {0}, {0}}, tensor.Float32)
	must(err)
	return d
}

func newModel() *model.Model {
	m, err := model.New(model.MLP{Hidden: []int{3}, Out: 1}, model.Config{Inputs: 2, Seed: 1})
	must(err)
	return m
}

func newScope() *model.Scope {
	var s *model.Scope
	_, err := model.New(model.Func(func(sc *model.Scope, x *G.Node) (*G.Node, error) {
		s = sc
		return x, nil
	}), model.Config{Inputs: 2})
	must(err)
	return s
}

func trainerConfig() trainer.Config {
	return trainer.Config{Loss: losses.MSE{}, Epochs: 1, BatchSize: 2, Quiet: true}
}

// failingIO fails every read and write.
type failingIO struct{}

func (failingIO) Read([]byte) (int, error)  { return 0, errors.New("apiaudit: read fails") }
func (failingIO) Write([]byte) (int, error) { return 0, errors.New("apiaudit: write fails") }

// ownType says whether t is declared in this module (or is unnamed): only
// those are filled field by field; another library's struct is left zero.
func ownType(t reflect.Type) bool {
	return t.PkgPath() == "" || strings.HasPrefix(t.PkgPath(), modulePath)
}

// fill makes a value of type t in mode m, recursively.
func fill(t reflect.Type, m mode, depth int) reflect.Value {
	if f, ok := factories[t]; ok {
		if v, ok := f(m); ok {
			return v
		}
	}
	v := reflect.New(t).Elem()
	if depth > 4 {
		return v
	}
	switch t.Kind() {
	case reflect.Bool:
		v.SetBool(m == modeOne)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		switch m {
		case modeZero, modeEmpty:
		case modeNeg:
			v.SetInt(-1)
		case modeHuge:
			v.SetInt(min(int64(hugeInt), int64(1)<<(t.Bits()-1)-1))
		default:
			v.SetInt(1)
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		switch m {
		case modeZero, modeEmpty:
		case modeNeg:
			v.SetUint(uint64(math.MaxUint64) >> (64 - t.Bits()))
		case modeHuge:
			v.SetUint(min(uint64(hugeInt), uint64(math.MaxUint64)>>(64-t.Bits())))
		default:
			v.SetUint(1)
		}
	case reflect.Float32, reflect.Float64:
		v.SetFloat(map[mode]float64{modeOne: 0.5, modeNaN: math.NaN(), modePosInf: math.Inf(1),
			modeNegInf: math.Inf(-1), modeNeg: -1, modeHuge: 1e300}[m])
	case reflect.String:
		v.SetString(map[mode]string{modeOne: "a", modeNaN: "\x00", modeNeg: "../../x",
			modeHuge: strings.Repeat("a", 1<<16)}[m])
	case reflect.Slice:
		switch m {
		case modeZero:
		case modeEmpty:
			v.Set(reflect.MakeSlice(t, 0, 0))
		default:
			v.Set(reflect.Append(reflect.MakeSlice(t, 0, 1), fill(t.Elem(), m, depth+1)))
		}
	case reflect.Array:
		for i := range v.Len() {
			v.Index(i).Set(fill(t.Elem(), m, depth+1))
		}
	case reflect.Map:
		switch m {
		case modeZero:
		case modeEmpty:
			v.Set(reflect.MakeMap(t))
		default:
			v.Set(reflect.MakeMap(t))
			v.SetMapIndex(fill(t.Key(), m, depth+1), fill(t.Elem(), m, depth+1))
		}
	case reflect.Pointer:
		if m == modeZero || !ownType(t.Elem()) {
			return v
		}
		p := reflect.New(t.Elem())
		if m != modeEmpty {
			p.Elem().Set(fill(t.Elem(), m, depth+1))
		}
		v.Set(p)
	case reflect.Struct:
		if m == modeEmpty || !ownType(t) {
			return v
		}
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() {
				v.Field(i).Set(fill(f.Type, m, depth+1))
			}
		}
	case reflect.Func:
		if m != modeZero {
			v.Set(makeFunc(t, m))
		}
	}
	return v
}

// makeFunc makes a function of type t: in modeHuge one that panics, in other
// modes one that returns its first argument of each result type (so that a
// graph-building func is the identity) and zero values otherwise.
func makeFunc(t reflect.Type, m mode) reflect.Value {
	return reflect.MakeFunc(t, func(args []reflect.Value) []reflect.Value {
		if m == modeHuge {
			panic("apiaudit: a function of the caller's panics")
		}
		out := make([]reflect.Value, t.NumOut())
		for i := range out {
			out[i] = reflect.Zero(t.Out(i))
			for _, a := range args {
				if a.Type() == t.Out(i) {
					out[i] = a
					break
				}
			}
		}
		return out
	})
}
