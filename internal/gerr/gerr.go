// Package gerr is the one place where gradtune turns Gorgonia's panics into errors.
//
// Gorgonia v0.9.18 panics on many mistakes while a graph is built (G.Must, shape
// checks, NewTapeMachine when compilation fails). Every public entry point of
// gradtune that calls into Gorgonia runs that work inside Do, so no panic
// escapes the public API. The errors are the public package panics' kinds, so
// users match them with errors.Is(err, panics.ErrGorgonia) or errors.As to a
// *panics.Error, which keeps the stack.
package gerr

import "github.com/gradtune/gradtune/panics"

// ErrGorgonia is panics.ErrGorgonia, under its old name for our own code.
var ErrGorgonia = panics.ErrGorgonia

// Do runs fn and returns its error; a panic inside fn is recovered and returned
// as a *panics.Error that wraps ErrGorgonia and names what (the operation in
// progress), with the stack.
func Do(what string, fn func() error) error {
	return panics.Recover(what, panics.ErrGorgonia, fn)
}
