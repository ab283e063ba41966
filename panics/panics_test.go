package panics_test

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/panics"
)

func explode() error { panic(fmt.Errorf("bad shape: %w", io.ErrUnexpectedEOF)) }

// A recovered panic keeps its kind, its value (matchable when an error) and
// the stack of the goroutine that panicked.
func TestRecoverKeepsKindValueAndStack(t *testing.T) {
	err := panics.Recover("fit on fold 2", panics.ErrUser, explode)
	var pe *panics.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *panics.Error", err, err)
	}
	if !errors.Is(err, panics.ErrUser) || errors.Is(err, panics.ErrGorgonia) {
		t.Errorf("kind: errors.Is(ErrUser) = %v, errors.Is(ErrGorgonia) = %v; want true, false", errors.Is(err, panics.ErrUser), errors.Is(err, panics.ErrGorgonia))
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("the panic's own error is not matchable through %v", err)
	}
	if want := "fit on fold 2: your function panicked: bad shape: unexpected EOF"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
	if !strings.Contains(string(pe.Stack), "panics_test.explode") {
		t.Errorf("the stack does not show where it panicked:\n%s", pe.Stack)
	}
}

func TestRecoverPassesErrorsThrough(t *testing.T) {
	want := errors.New("diverged")
	if err := panics.Recover("x", panics.ErrGorgonia, func() error { return want }); err != want {
		t.Errorf("Recover returned %v, want fn's own error unchanged", err)
	}
}

func ExampleRecover() {
	err := panics.Recover("fit on fold 1", panics.ErrUser, func() error {
		var weights []float64
		_ = weights[3] // a bug in the caller's function
		return nil
	})
	var pe *panics.Error
	fmt.Println(errors.As(err, &pe), errors.Is(err, panics.ErrUser), errors.Is(err, panics.ErrGorgonia))
	fmt.Println(pe.Op, "|", pe.Value)
	// Output:
	// true true false
	// fit on fold 1 | runtime error: index out of range [3] with length 0
}
