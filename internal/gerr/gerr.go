// Package gerr is the one place where gradtune turns Gorgonia's panics into errors.
//
// Gorgonia v0.9.18 panics on many mistakes while a graph is built (G.Must, shape
// checks, NewTapeMachine when compilation fails). Every public entry point of
// gradtune that calls into Gorgonia runs that work inside Do, so no panic
// escapes the public API.
package gerr

import (
	"errors"
	"fmt"
)

// ErrGorgonia is wrapped by every error that comes from a recovered Gorgonia panic.
var ErrGorgonia = errors.New("gorgonia panicked")

// Do runs fn and returns its error; a panic inside fn is recovered and returned
// as an error that wraps ErrGorgonia and names what (the operation in progress).
func Do(what string, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: %w: %v", what, ErrGorgonia, r)
		}
	}()
	return fn()
}
