// Package model declares models as Gorgonia expression graphs.
//
// A Model owns its parameters (values on the host, in a stable order) and a
// Network that knows how to add its nodes to a graph. The trainer instantiates
// the network twice — a training graph of batch size B and a forward-only
// evaluation graph — both built from the same parameters, so shapes can stay
// fixed, as Gorgonia requires.
//
// Matrix products run through Gorgonia's BLAS hook. New installs
// [fastblas] there (AVX2/FMA assembly, several times gonum's speed) unless
// the process already chose a BLAS with gorgonia.Use, or GRADTUNE_BLAS=gonum
// is set; see the fastblas package for installing it yourself.
package model

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/fastblas"
	"github.com/gradtune/gradtune/internal/dense"
	"github.com/gradtune/gradtune/internal/gerr"
	"github.com/gradtune/gradtune/regularizers"
)

// ErrConfig is wrapped by every error about an invalid model configuration.
var ErrConfig = errors.New("model: invalid configuration")

// Network adds a model's nodes to a graph. Build receives the input
// x: (batch, inputs) and returns the output (batch, outputs). It must declare
// its parameters through s.Param, in the same order on every call.
type Network interface {
	Build(s *Scope, x *G.Node) (*G.Node, error)
}

// Func adapts a plain function to a Network, for users who bring their own
// graph-building code.
type Func func(s *Scope, x *G.Node) (*G.Node, error)

// Build calls f. A nil f is an error wrapping ErrConfig; a panic in f is
// returned as an error (a *panics.Error naming "model.Func Build").
func (f Func) Build(s *Scope, x *G.Node) (*G.Node, error) {
	if f == nil {
		return nil, fmt.Errorf("%w: nil Func", ErrConfig)
	}
	return gerr.Value("model: model.Func Build", func() (*G.Node, error) { return f(s, x) })
}

// Config holds what every model needs besides its Network. The zero value of
// each field but Inputs means its default.
type Config struct {
	Inputs int          // features per sample; must be ≥ 1
	Dtype  tensor.Dtype // tensor.Float32 (default) or tensor.Float64
	Seed   uint64       // seeds every initializer; same seed → same weights, bit for bit
}

// Param is one learnable tensor.
type Param struct {
	Name string
	// Value is the parameter's current value on the host; the trainer copies
	// trained values back into it.
	Value *tensor.Dense
	// Decay is true for weights and false for biases: regularizers apply to
	// parameters with Decay set unless told otherwise.
	Decay bool
	// Regularizers are penalties over this parameter alone (a layer's own
	// regularizers, e.g. Dense.Regularizers on its weight). The trainer adds
	// each one's Penalty(G.Nodes{node}) to the loss, in addition to the
	// trainer-wide regularizers.
	Regularizers []regularizers.Regularizer
}

// Model is a Network with its parameters.
type Model struct {
	net     Network
	cfg     Config
	params  []*Param
	specs   []ParamSpec // aligned with params: how Reinit draws them again
	outputs int
}

// New creates the model's parameters by building net once, initialized from
// cfg.Seed. It returns an error wrapping ErrConfig for a bad configuration
// and never panics.
func New(net Network, cfg Config) (*Model, error) {
	fastblas.Install() // before any graph: the hook is read without locks
	if net == nil {
		return nil, fmt.Errorf("%w: nil network", ErrConfig)
	}
	if cfg.Inputs < 1 {
		return nil, fmt.Errorf("%w: Inputs = %d, want ≥ 1", ErrConfig, cfg.Inputs)
	}
	if cfg.Dtype == (tensor.Dtype{}) {
		cfg.Dtype = tensor.Float32
	}
	if !dense.Supported(cfg.Dtype) {
		return nil, fmt.Errorf("%w: Dtype = %v, want float32 or float64", ErrConfig, cfg.Dtype)
	}
	m := &Model{net: net, cfg: cfg}
	gr, err := m.newGraph(1, false, true)
	if err != nil {
		return nil, err
	}
	m.outputs = gr.Out.Shape()[1]
	return m, nil
}

// Inputs returns the number of input features: ≥ 1 for a Model made by
// New, 0 for a nil or zero Model.
func (m *Model) Inputs() int {
	if m == nil {
		return 0
	}
	return m.cfg.Inputs
}

// Outputs returns the width of the output node (0 for a nil or zero Model).
func (m *Model) Outputs() int {
	if m == nil {
		return 0
	}
	return m.outputs
}

// Dtype returns the model's dtype; a nil or zero Model reports the default,
// tensor.Float32.
func (m *Model) Dtype() tensor.Dtype {
	if m == nil || m.cfg.Dtype == (tensor.Dtype{}) {
		return tensor.Float32
	}
	return m.cfg.Dtype
}

// Params returns the parameters in their stable order (none for a nil or
// zero Model). The slice is shared: read it, don't reorder it.
func (m *Model) Params() []*Param {
	if m == nil {
		return nil
	}
	return m.params
}

// usable returns an error wrapping ErrConfig for a nil Model or one not
// made by New (the zero Model has no network).
func (m *Model) usable() error {
	if m == nil || m.net == nil {
		return fmt.Errorf("%w: nil or zero *Model, want one made by model.New", ErrConfig)
	}
	return nil
}

// Graph is one instance of a model in its own Gorgonia graph, with a fixed
// batch size. The model's own ops (dense layers, activations and their
// gradients) keep their output tensors from run to run: a value read from
// one of their nodes is overwritten by the next run, so copy what you keep.
type Graph struct {
	G          *G.ExprGraph
	X          *G.Node // (batch, inputs) placeholder
	Out        *G.Node // (batch, outputs)
	Learnables G.Nodes // aligned with Model.Params
	Batch      int
	Training   bool // true: dropout and similar layers are active
	// Feeds are the placeholders besides X that need values before each run
	// (dropout masks; none in an eval graph): see FillFeeds.
	Feeds []*Feed
	// Watched are hidden activations that diagnostics may read (dead ReLU
	// units), in build order; see Scope.Watch.
	Watched []Watched
}

// Watched is a named hidden activation, shape (batch, units).
type Watched struct {
	Name string
	Node *G.Node
}

// NewGraph builds the model into a new graph with the given batch size. The
// learnables start from copies of the current parameter values. training
// selects the behaviour of layers such as dropout. A batch < 1, or a Model
// not made by New, is an error wrapping ErrConfig.
func (m *Model) NewGraph(batch int, training bool) (*Graph, error) {
	if err := m.usable(); err != nil {
		return nil, err
	}
	if batch < 1 {
		return nil, fmt.Errorf("%w: batch size %d, want ≥ 1", ErrConfig, batch)
	}
	return m.newGraph(batch, training, false)
}

func (m *Model) newGraph(batch int, training, create bool) (*Graph, error) {
	g := G.NewGraph()
	gr := &Graph{G: g, Batch: batch, Training: training}
	s := &Scope{m: m, g: g, training: training, create: create}
	err := gerr.Do("model: build graph", func() error {
		gr.X = G.NewMatrix(g, m.cfg.Dtype, G.WithShape(batch, m.cfg.Inputs), G.WithName("x"))
		return nil
	})
	if err != nil {
		return nil, err
	}
	out, err := gerr.Value(fmt.Sprintf("model: %T Build", m.net), func() (*G.Node, error) { return m.net.Build(s, gr.X) })
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, fmt.Errorf("%w: network returned a nil output node", ErrConfig)
	}
	if sh := out.Shape(); len(sh) != 2 || sh[0] != batch {
		return nil, fmt.Errorf("%w: network output shape %v, want (batch=%d, outputs)", ErrConfig, sh, batch)
	}
	gr.Out = out
	if !create && len(s.nodes) != len(m.params) {
		return nil, fmt.Errorf("%w: network declared %d parameters, first build declared %d (Build must be deterministic)", ErrConfig, len(s.nodes), len(m.params))
	}
	gr.Learnables = s.nodes
	gr.Feeds = s.feeds
	gr.Watched = s.watched
	return gr, nil
}

// SetParamValues copies values (aligned with Params, e.g. a training graph's
// learnables) into the model's parameters. A Model not made by New, a count
// other than len(Params()), or a nil node or one without a tensor value is
// an error wrapping ErrConfig that changes nothing; a value whose shape or
// dtype does not fit its parameter is an error naming the parameter.
func (m *Model) SetParamValues(values G.Nodes) error {
	if err := m.usable(); err != nil {
		return err
	}
	if len(values) != len(m.params) {
		return fmt.Errorf("%w: %d values for %d parameters", ErrConfig, len(values), len(m.params))
	}
	for i, n := range values {
		if tensorValue(n) == nil {
			return fmt.Errorf("%w: the value for parameter %s is a nil node or has no tensor value", ErrConfig, m.params[i].Name)
		}
	}
	for i, n := range values {
		if err := dense.CopyValues(m.params[i].Value, tensorValue(n)); err != nil {
			return fmt.Errorf("model: parameter %s: %w", m.params[i].Name, err)
		}
	}
	return nil
}

// tensorValue returns n's value as a tensor, nil for a nil node or one
// whose value is not a tensor (a scalar, or none yet).
func tensorValue(n *G.Node) tensor.Tensor {
	if n == nil {
		return nil
	}
	v, _ := n.Value().(tensor.Tensor)
	return v
}

// Scope is what a Network sees while it builds: the graph, whether it is a
// training graph, and Param to declare learnables. Only the Scope a Model
// passes to Build works: with a nil or zero Scope, Param, Feed and the
// built-in layers and networks return an error wrapping ErrConfig.
type Scope struct {
	m        *Model
	g        *G.ExprGraph
	training bool
	create   bool
	nodes    G.Nodes
	feeds    []*Feed
	watched  []Watched
}

// Graph returns the graph being built.
func (s *Scope) Graph() *G.ExprGraph { return s.g }

// Watch records a hidden activation (batch, units) under name, so that the
// trainer's monitor can report, say, the fraction of dead ReLU units. It
// changes nothing in the computation.
func (s *Scope) Watch(name string, n *G.Node) {
	s.watched = append(s.watched, Watched{Name: name, Node: n})
}

// needsGradient reports whether a gradient must flow into x: false for a
// leaf that is not one of this model's parameters (the data), true for
// anything computed.
func (s *Scope) needsGradient(x *G.Node) bool {
	return x.Op() != nil || slices.Contains(s.nodes, x)
}

// Training reports whether this is a training graph.
func (s *Scope) Training() bool { return s.training }

// Dtype returns the model's dtype; the zero Scope reports the default,
// tensor.Float32.
func (s *Scope) Dtype() tensor.Dtype { return s.m.Dtype() }

// usable returns an error wrapping ErrConfig for a Scope no Model made.
func (s *Scope) usable() error {
	if s == nil || s.m == nil || s.g == nil {
		return fmt.Errorf("%w: nil or zero *Scope, want the one a Model passes to Build", ErrConfig)
	}
	return nil
}

// checkBuild is the first check of the built-in layers' Build: a usable
// Scope and a non-nil input.
func checkBuild(s *Scope, x *G.Node, name string) error {
	if err := s.usable(); err != nil {
		return fmt.Errorf("layer %s: %w", name, err)
	}
	if x == nil {
		return fmt.Errorf("%w: layer %s input is a nil node", ErrConfig, name)
	}
	return nil
}

// ParamSpec declares one learnable.
type ParamSpec struct {
	Name          string // unique within the model, e.g. "dense0/W"
	Shape         []int
	Init          Initializer // nil → Zeros
	FanIn, FanOut int         // passed to Init
	Decay         bool        // true for weights (regularized by default)
	// Regularizers penalize this parameter alone; see Param.Regularizers.
	// Each is checked on the model's first build (e.g. a negative Lambda is
	// an error from New).
	Regularizers []regularizers.Regularizer
}

// Param returns the learnable node for spec. On the model's first build it
// creates the parameter and draws its initial values from a generator seeded
// by (Config.Seed, spec.Name); on later builds it reuses the same parameter.
// Errors wrap ErrConfig: a Scope no Model made, a name used twice or out of
// order, a shape with a dimension < 1 or more than MaxElements elements, an
// initializer or regularizer that refuses the parameter.
func (s *Scope) Param(spec ParamSpec) (*G.Node, error) {
	if err := s.usable(); err != nil {
		return nil, fmt.Errorf("parameter %s: %w", spec.Name, err)
	}
	i := len(s.nodes)
	var p *Param
	if s.create {
		for _, q := range s.m.params {
			if q.Name == spec.Name {
				return nil, fmt.Errorf("%w: parameter name %q used twice", ErrConfig, spec.Name)
			}
		}
		if _, err := checkVolume("parameter "+spec.Name, spec.Shape); err != nil {
			return nil, err
		}
		v, err := initialValue(spec, s.m.cfg)
		if err != nil {
			return nil, err
		}
		p = &Param{Name: spec.Name, Value: v, Decay: spec.Decay, Regularizers: slices.Clone(spec.Regularizers)}
		s.m.params = append(s.m.params, p)
		s.m.specs = append(s.m.specs, ParamSpec{Name: spec.Name, Shape: slices.Clone(spec.Shape), Init: spec.Init, FanIn: spec.FanIn, FanOut: spec.FanOut})
	} else {
		if i >= len(s.m.params) || s.m.params[i].Name != spec.Name {
			return nil, fmt.Errorf("%w: parameter %q declared out of order (Build must be deterministic)", ErrConfig, spec.Name)
		}
		p = s.m.params[i]
	}
	var n *G.Node
	err := gerr.Do("model: parameter "+spec.Name, func() error {
		n = G.NewTensor(s.g, s.m.cfg.Dtype, len(spec.Shape), G.WithShape(spec.Shape...), G.WithName(spec.Name), G.WithValue(p.Value.Clone()))
		return nil
	})
	if err != nil {
		return nil, err
	}
	if s.create {
		// Check the regularizers once, on a graph that is thrown away, so
		// that training graphs hold only the penalties the trainer adds.
		for _, r := range spec.Regularizers {
			if r == nil {
				return nil, fmt.Errorf("%w: parameter %s has a nil regularizer", ErrConfig, spec.Name)
			}
			op := fmt.Sprintf("model: parameter %s: %T Penalty", spec.Name, r)
			if err := gerr.User(op, func() error { _, err := r.Penalty(G.Nodes{n}); return err }); err != nil {
				return nil, fmt.Errorf("%w: parameter %s: %w", ErrConfig, spec.Name, err)
			}
		}
	}
	s.nodes = append(s.nodes, n)
	return n, nil
}

func initialValue(spec ParamSpec, cfg Config) (*tensor.Dense, error) {
	vol := 1
	for _, d := range spec.Shape {
		vol *= d
	}
	vals := make([]float64, vol)
	init := spec.Init
	if init == nil {
		init = Zeros{}
	}
	if v, ok := init.(validator); ok {
		op := fmt.Sprintf("model: parameter %s: %T Validate", spec.Name, init)
		if err := gerr.User(op, func() error { return v.Validate(spec.FanIn, spec.FanOut) }); err != nil {
			if !errors.Is(err, ErrConfig) { // a user's initializer
				err = fmt.Errorf("%w: %w", ErrConfig, err)
			}
			return nil, fmt.Errorf("parameter %s: %w", spec.Name, err)
		}
	}
	h := fnv.New64a()
	h.Write([]byte(spec.Name))
	rng := rand.New(rand.NewPCG(cfg.Seed, h.Sum64()))
	err := gerr.User(fmt.Sprintf("model: parameter %s: %T Init", spec.Name, init), func() error {
		init.Init(vals, spec.FanIn, spec.FanOut, rng)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return dense.FromFloat64(cfg.Dtype, vals, spec.Shape...)
}
