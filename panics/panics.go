// Package panics defines the errors gradtune returns in place of a panic.
//
// No panic escapes gradtune's public API. A panic inside Gorgonia (which
// panics on many mistakes while a graph is built or run) comes back as an
// *Error wrapping ErrGorgonia; a panic in a function of yours that gradtune
// calls (a Loss, a Network, a callback, a cross-validation fit) as an *Error
// wrapping ErrUser, never labelled as Gorgonia's. A panic Gorgonia raises
// while your function calls it (G.Must on a shape mismatch in your Network)
// is Gorgonia's, and its Op names your function. Either way the *Error keeps
// the panic's value and the stack where it happened:
//
//	var pe *panics.Error
//	if errors.As(err, &pe) {
//		log.Printf("%v\n%s", pe.Value, pe.Stack)
//	}
//	if errors.Is(err, panics.ErrGorgonia) { … }
package panics

import (
	"errors"
	"fmt"
	"runtime/debug"
)

var (
	// ErrGorgonia is wrapped by every error made of a panic inside Gorgonia.
	ErrGorgonia = errors.New("gorgonia panicked")
	// ErrUser is wrapped by every error made of a panic in a function of
	// the caller's that gradtune ran (a fit, an objective).
	ErrUser = errors.New("your function panicked")
	// ErrDependency is wrapped by every error made of a panic inside
	// another library gradtune calls (gonum/plot while drawing, the SQLite
	// driver).
	ErrDependency = errors.New("a dependency panicked")
)

// Error is a recovered panic.
type Error struct {
	Op    string // what was running: "fit on fold 2", "trainer: build loss graph"
	Kind  error  // ErrGorgonia, ErrUser or ErrDependency
	Value any    // what was passed to panic
	Stack []byte // the panicking goroutine's stack, as runtime/debug.Stack
}

// Error reads "op: kind: value".
func (e *Error) Error() string { return fmt.Sprintf("%s: %v: %v", e.Op, e.Kind, e.Value) }

// Unwrap returns Kind and, when the panic's value is an error, that error,
// so errors.Is matches both.
func (e *Error) Unwrap() []error {
	errs := []error{e.Kind}
	if err, ok := e.Value.(error); ok {
		errs = append(errs, err)
	}
	return errs
}

// Recover runs fn and returns its error; a panic inside fn comes back as an
// *Error of kind (ErrGorgonia, ErrUser or ErrDependency) naming op, with
// the stack.
func Recover(op string, kind error, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &Error{Op: op, Kind: kind, Value: r, Stack: debug.Stack()}
		}
	}()
	return fn()
}
