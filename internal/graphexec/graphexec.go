// Package graphexec runs a Gorgonia expression graph in the calling
// goroutine, keeping every op's output buffer from one run to the next.
//
// It does what gorgonia.TapeMachine.RunAll does for the graphs gradtune
// builds, without its costs per run: RunAll locks an OS thread and starts
// a goroutine (a locked-thread hand-off through futexes on every step,
// most of a small model's step), walks its instructions through maps and
// log calls, and Reset drops every register, so ops allocate their outputs
// again. Here a run is a loop over the nodes in topological order calling
// each op's UsePreallocDo into the buffer its previous run returned, and
// running Gorgonia's elementwise, reduction and shape ops as kernels of our
// own that keep their results (native.go): a run of gradtune's training
// graphs allocates nothing.
//
// Values are kept in the Program, not bound to the nodes: read an op
// node's value with Program.Value, or with G.Read as on the tape machine.
// Input nodes (variables, placeholders bound with G.Let) and constants are
// read from the nodes at each run. G.Set statements are not supported
// (Compile says so); gradtune's graphs have none.
package graphexec

import (
	"errors"
	"fmt"
	"reflect"
	"unsafe"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Program is a graph compiled for Run. It is not safe for concurrent use.
type Program struct {
	steps []step
	slot  map[*G.Node]int // node → index into vals
	vals  []G.Value
}

// step is one node: an input or a constant (op nil, value read from the
// node) or an op applied to the values of args.
type step struct {
	node  *G.Node
	op    G.Op
	args  []int
	in    []G.Value // reused argument slice
	reuse bool      // the op's last output may be handed back as UsePreallocDo's buffer
	into  *G.Value  // a G.Read statement's target: set to its input's value

	// kernel computes a Gorgonia built-in op without allocating (see
	// native.go); checked once it has matched the op on a run.
	kernel  kernel
	checked bool
}

// Compile orders g's nodes for Run. It returns an error if g has a cycle.
func Compile(g *G.ExprGraph) (*Program, error) {
	sorted, err := G.Sort(g)
	if err != nil {
		return nil, fmt.Errorf("graphexec: %w", err)
	}
	p := &Program{slot: make(map[*G.Node]int, len(sorted)), vals: make([]G.Value, len(sorted)), steps: make([]step, 0, len(sorted))}
	// G.Sort puts the root first: run from the leaves.
	for i := len(sorted) - 1; i >= 0; i-- {
		n := sorted[i]
		p.slot[n] = len(p.steps)
		s := step{node: n, op: n.Op()}
		children := g.From(n.ID())
		if s.op != nil && children.Len() == 0 && n.Value() != nil {
			s.op = nil // a constant: its value is bound to it, as an input's
		}
		if s.op != nil {
			switch reflect.TypeOf(s.op).String() {
			case "gorgonia.readOp":
				if s.into = readTarget(s.op); s.into == nil {
					return nil, fmt.Errorf("graphexec: node %v: this Gorgonia's G.Read is not the one graphexec knows", n)
				}
			case "gorgonia.letOp":
				return nil, fmt.Errorf("graphexec: node %v is a G.Set statement, which only the tape machine runs", n)
			}
			for children.Next() {
				c := children.Node().(*G.Node)
				j, ok := p.slot[c]
				if !ok {
					return nil, fmt.Errorf("graphexec: node %v runs before its input %v", n, c)
				}
				s.args = append(s.args, j)
			}
			s.in = make([]G.Value, len(s.args))
			// ReturnsPtr is no guide: Gorgonia's elementwise ops, sums and
			// repeats say true (the tape machine may run them in place) yet
			// write a fresh output through UsePreallocDo. What matters is
			// whether the output shares an input's memory, which apply
			// checks on the first run.
			_, s.reuse = s.op.(G.UsePreallocDoer)
			s.kernel = nativeKernel(n)
		}
		p.steps = append(p.steps, s)
	}
	return p, nil
}

// Run computes every node once. An op's error is returned naming its node;
// the values of the nodes after it are then stale.
func (p *Program) Run() error {
	for i := range p.steps {
		s := &p.steps[i]
		if s.op == nil {
			v := s.node.Value()
			if v == nil {
				return fmt.Errorf("graphexec: input %v has no value (bind it with G.Let)", s.node)
			}
			p.vals[i] = v
			continue
		}
		if s.into != nil {
			*s.into = p.vals[s.args[0]]
			continue
		}
		for k, j := range s.args {
			s.in[k] = p.vals[j]
		}
		v, err := p.apply(s, p.vals[i])
		if err != nil {
			return fmt.Errorf("graphexec: node %v (%v): %w", s.node, s.op, err)
		}
		p.vals[i] = v
	}
	return nil
}

// apply runs s's op into prev, its output of the last run, where the op
// can take a buffer; a value that shares memory with an input is never
// handed back (an op that returned its input would then write into it).
func (p *Program) apply(s *step, prev G.Value) (G.Value, error) {
	if s.kernel != nil {
		if v, ok, err := s.native(); ok || err != nil {
			return v, err
		}
	}
	if s.reuse && prev != nil {
		if v, err := s.op.(G.UsePreallocDoer).UsePreallocDo(prev, s.in...); err == nil {
			return v, nil
		}
	}
	v, err := s.op.Do(s.in...)
	if err != nil {
		return nil, err
	}
	if s.reuse && aliases(v, s.in) {
		s.reuse = false
	}
	return v, nil
}

// native runs s's kernel; ok is false when the kernel is dropped — it
// met operands it does not handle, or its first result differs from the
// op's — and the op is to run instead.
func (s *step) native() (v G.Value, ok bool, err error) {
	v, err = s.kernel.run(s.in)
	if err == nil && s.checked {
		return v, true, nil
	}
	if err == nil {
		want, err := s.op.Do(s.in...)
		if err != nil {
			return nil, false, err
		}
		if sameValue(v, want) {
			s.checked = true
			return v, true, nil
		}
	}
	s.kernel = nil
	return nil, false, nil
}

// Value returns n's value from the last Run, or nil if n is not in the
// program or Run has not reached it.
func (p *Program) Value(n *G.Node) G.Value {
	if i, ok := p.slot[n]; ok {
		return p.vals[i]
	}
	return nil
}

// ErrNoValue is returned by Grad for a parameter without a gradient node.
var ErrNoValue = errors.New("graphexec: no value")

// Grad returns the value of n's gradient node (n.Deriv()) from the last Run.
func (p *Program) Grad(n *G.Node) (G.Value, error) {
	d := n.Deriv()
	if d == nil {
		return nil, fmt.Errorf("%w: %v has no gradient node (was it differentiated?)", ErrNoValue, n)
	}
	v := p.Value(d)
	if v == nil {
		return nil, fmt.Errorf("%w: the gradient of %v has not been computed", ErrNoValue, n)
	}
	return v, nil
}

// OwnsValue reports whether n's value is a buffer only n's op writes: an op
// node run by a native kernel, or whose op takes a buffer (UsePreallocDo)
// and whose output has not been seen sharing an input's memory. A caller
// may then modify the value between runs (a solver zeroing a gradient)
// without changing anything else.
func (p *Program) OwnsValue(n *G.Node) bool {
	i, ok := p.slot[n]
	return ok && p.steps[i].op != nil && (p.steps[i].kernel != nil || p.steps[i].reuse)
}

// readTarget is the *G.Value a G.Read node writes into: the one field of
// Gorgonia's unexported readOp, which only its tape machine reads.
// It returns nil if the op is not laid out as in Gorgonia v0.9.18.
func readTarget(op G.Op) *G.Value {
	v := reflect.ValueOf(op)
	if v.Kind() != reflect.Struct || v.NumField() != 1 || v.Field(0).Type() != reflect.TypeFor[*G.Value]() {
		return nil
	}
	return (*G.Value)(unsafe.Pointer(v.Field(0).Pointer()))
}

// aliases reports whether v shares its first element's memory with one of in.
func aliases(v G.Value, in []G.Value) bool {
	a := address(v)
	if a == 0 {
		return false
	}
	for _, x := range in {
		if address(x) == a {
			return true
		}
	}
	return false
}

// address is where v's data starts, 0 for none.
func address(v G.Value) uintptr {
	switch v := v.(type) {
	case tensor.Tensor:
		if v.DataSize() == 0 {
			return 0
		}
		return v.Uintptr()
	case *G.F64:
		return uintptr(unsafe.Pointer(v))
	case *G.F32:
		return uintptr(unsafe.Pointer(v))
	}
	return 0
}
