// Package gerr is where gradtune turns panics into errors, labelled honestly.
//
// Gorgonia v0.9.18 panics on many mistakes while a graph is built (G.Must,
// shape checks, NewTapeMachine when compilation fails), and gradtune calls
// code its users wrote (a Loss, a Regularizer, a Network or Layer, an
// Initializer, a Feed's Fill, a callback, a metric, an objective). Neither
// kind of panic may escape the public API, and neither may be blamed on the
// other. The errors are *panics.Error, which keep the panic's value and stack
// and match errors.Is(err, panics.ErrGorgonia) or errors.Is(err,
// panics.ErrUser).
//
// The rule, applied at every recover in gradtune:
//
//   - Do wraps only calls into Gorgonia (and the plain Go of ours between
//     them that cannot panic): any panic inside is Gorgonia's. A Do closure
//     never calls through an interface or function value a user may supply.
//   - User wraps every call through such an interface or function value,
//     whoever implemented it: gradtune's own losses, layers and regularizers
//     go through the same interfaces as a user's. It labels the panic by
//     where it was raised: inside Gorgonia (including gonum called by
//     Gorgonia, and G.Must) it is ErrGorgonia, anywhere else ErrUser. So a
//     user's layer whose sizes disagree is a Gorgonia failure, reported with
//     Gorgonia's message, while a nil map or a panic("…") in a user's
//     PerSample is the user's, never Gorgonia's. The op names the user code
//     that was running in both cases.
//   - The innermost boundary wins: our implementations run their Gorgonia
//     calls inside their own Do, with an op naming them.
//
// A panic in gradtune's own plain Go code is a bug of ours: outside both
// boundaries it is not recovered (it crashes with its stack, as a bug in the
// standard library would); under a User boundary it reads ErrUser, and its
// stack shows gradtune's frames. Recovers around other libraries
// (gonum/plot, the SQLite driver) use panics.ErrDependency.
package gerr

import (
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/gradtune/gradtune/panics"
)

// ErrGorgonia is panics.ErrGorgonia, under its old name for our own code.
var ErrGorgonia = panics.ErrGorgonia

// Do runs fn, which calls only into Gorgonia, and returns its error; a panic
// inside fn is returned as a *panics.Error that wraps ErrGorgonia and names
// what (the operation in progress), with the stack.
func Do(what string, fn func() error) error {
	return panics.Recover(what, panics.ErrGorgonia, fn)
}

// User runs fn, a call into code a user may have written (what names it:
// "trainer: loss mse PerSample"), and returns its error. A panic inside fn
// is returned as a *panics.Error with the stack, of kind ErrGorgonia when
// it was raised inside Gorgonia and ErrUser otherwise (see the package
// documentation).
func User(what string, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = Recovered(what, r)
		}
	}()
	return fn()
}

// Recovered makes r, just recovered from a panic in code a user may have
// written, into the error User returns. Call it from the deferred function
// that recovered r, where the panicking stack is still there to read.
func Recovered(what string, r any) *panics.Error {
	kind := panics.ErrUser
	if raisedInGorgonia() {
		kind = panics.ErrGorgonia
	}
	return RecoveredAs(what, kind, r)
}

// RecoveredAs makes r, just recovered, into a *panics.Error of the given
// kind with the stack. Call it from the deferred function that recovered r.
func RecoveredAs(what string, kind error, r any) *panics.Error {
	return &panics.Error{Op: what, Kind: kind, Value: r, Stack: debug.Stack()}
}

// Value runs fn like User and returns its result as well: the zero T when
// fn panicked.
func Value[T any](what string, fn func() (T, error)) (v T, err error) {
	err = User(what, func() error {
		var e error
		v, e = fn()
		return e
	})
	return v, err
}

// raisedInGorgonia reports whether the panic being recovered (the caller is
// the deferred function) was raised by Gorgonia's code: the frames nearest
// the panic, past the runtime's own, run Gorgonia or libraries it calls, and
// at least one of them Gorgonia's.
func raisedInGorgonia() bool {
	var pcs [64]uintptr
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs[:])])
	panicking, gorgonia := false, false
	for {
		f, more := frames.Next()
		switch {
		case !panicking:
			panicking = f.Function == "runtime.gopanic"
		case strings.HasPrefix(f.Function, "runtime."):
			// runtime.panicmem, runtime.sigpanic, …: the fault's own frames
		case strings.HasPrefix(f.Function, "gorgonia.org/"):
			gorgonia = true
		case strings.HasPrefix(f.Function, "gonum.org/"), strings.HasPrefix(f.Function, "github.com/chewxy/"):
			// a library Gorgonia calls: look further out
		default:
			return gorgonia
		}
		if !more {
			return gorgonia
		}
	}
}
