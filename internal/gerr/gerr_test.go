package gerr_test

import (
	"errors"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/gerr"
	"github.com/gradtune/gradtune/panics"
)

// mismatchedMul makes Gorgonia panic: G.Must of a (2, 3)·(4, 2) product.
func mismatchedMul() error {
	g := G.NewGraph()
	a := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("a"))
	b := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 2), G.WithName("b"))
	G.Must(G.Mul(a, b))
	return nil
}

func userBug() error {
	var counts map[string]int
	counts["x"]++ // a nil map: a runtime panic in the user's own code
	return nil
}

func userPanic() error { panic("objective gave up") }

// User labels a panic by where it was raised, names the op, and keeps the
// stack down to the raising function.
func TestUserLabelsByWhereThePanicWasRaised(t *testing.T) {
	for _, c := range []struct {
		name  string
		fn    func() error
		kind  error
		stack string
	}{
		{"panic in user code", userPanic, panics.ErrUser, "gerr_test.userPanic"},
		{"runtime error in user code", userBug, panics.ErrUser, "gerr_test.userBug"},
		{"G.Must in user code", mismatchedMul, panics.ErrGorgonia, "gorgonia.Must"},
		{"Do inside User", func() error { return gerr.Do("inner gorgonia", mismatchedMul) }, panics.ErrGorgonia, "gerr_test.mismatchedMul"},
	} {
		err := gerr.User("calling user code", c.fn)
		var pe *panics.Error
		if !errors.As(err, &pe) {
			t.Errorf("%s: error %v (%T) is not a *panics.Error", c.name, err, err)
			continue
		}
		other := panics.ErrGorgonia
		if c.kind == panics.ErrGorgonia {
			other = panics.ErrUser
		}
		if !errors.Is(err, c.kind) || errors.Is(err, other) {
			t.Errorf("%s: error %v: want kind %v only", c.name, err, c.kind)
		}
		if !strings.Contains(string(pe.Stack), c.stack) {
			t.Errorf("%s: stack does not mention %s:\n%s", c.name, c.stack, pe.Stack)
		}
	}
}

func TestUserPassesErrorsThrough(t *testing.T) {
	want := errors.New("diverged")
	if err := gerr.User("x", func() error { return want }); err != want {
		t.Errorf("User returned %v, want fn's own error unchanged", err)
	}
	v, err := gerr.Value("x", func() (int, error) { return 7, nil })
	if v != 7 || err != nil {
		t.Errorf("Value = %d, %v; want 7, nil", v, err)
	}
	if v, err = gerr.Value("x", func() (int, error) { panic("no") }); v != 0 || !errors.Is(err, panics.ErrUser) {
		t.Errorf("Value after a panic = %d, %v; want 0 and ErrUser", v, err)
	}
}
