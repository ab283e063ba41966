package model_test

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/panics"
)

// wantPanicError checks that err is a *panics.Error of kind (and not the
// other kind) whose op and stack mention op and frame.
func wantPanicError(t *testing.T, err error, kind error, op, frame string) {
	t.Helper()
	var pe *panics.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *panics.Error", err, err)
	}
	other := panics.ErrGorgonia
	if kind == panics.ErrGorgonia {
		other = panics.ErrUser
	}
	if !errors.Is(err, kind) || errors.Is(err, other) {
		t.Errorf("error %v: errors.Is(%v) = %v, errors.Is(%v) = %v; want true, false", err, kind, errors.Is(err, kind), other, errors.Is(err, other))
	}
	if !strings.Contains(pe.Op, op) {
		t.Errorf("op %q does not name %q", pe.Op, op)
	}
	if !strings.Contains(string(pe.Stack), frame) {
		t.Errorf("stack does not mention %s:\n%s", frame, pe.Stack)
	}
}

func panickingNetwork(s *model.Scope, x *G.Node) (*G.Node, error) {
	var widths []int
	_ = widths[2] // a bug in the user's own Build
	return x, nil
}

// A panic in a user's Network is the user's, not Gorgonia's.
func TestUserNetworkPanicIsErrUser(t *testing.T) {
	_, err := model.New(model.Func(panickingNetwork), model.Config{Inputs: 3})
	wantPanicError(t, err, panics.ErrUser, "model.Func Build", "model_test.panickingNetwork")
}

// panickingLayer is a user's Sequential layer that panics while building.
type panickingLayer struct{}

func (panickingLayer) Build(s *model.Scope, x *G.Node, name string) (*G.Node, error) {
	panic("my layer is not finished")
}

func TestUserLayerPanicIsErrUserNamingTheLayer(t *testing.T) {
	net := model.Sequential{Layers: []model.Layer{model.Dense{Units: 4}, panickingLayer{}}}
	_, err := model.New(net, model.Config{Inputs: 3})
	wantPanicError(t, err, panics.ErrUser, "layer1 (model_test.panickingLayer)", "model_test.panickingLayer.Build")
}

// mismatchedLayer multiplies its input by a (5, 2) weight whatever the
// input's width: its sizes disagree with the layer before.
type mismatchedLayer struct{}

func (mismatchedLayer) Build(s *model.Scope, x *G.Node, name string) (*G.Node, error) {
	w, err := s.Param(model.ParamSpec{Name: name + "/W", Shape: []int{5, 2}})
	if err != nil {
		return nil, err
	}
	return G.Must(G.Mul(x, w)), nil
}

// Gorgonia's shape panic inside a user's layer stays Gorgonia's, and the
// error names the layer and carries Gorgonia's shape message.
func TestLayerSizeMismatchIsErrGorgoniaNamingTheLayer(t *testing.T) {
	net := model.Sequential{Layers: []model.Layer{model.Dense{Units: 4}, mismatchedLayer{}}}
	_, err := model.New(net, model.Config{Inputs: 3})
	wantPanicError(t, err, panics.ErrGorgonia, "layer1 (model_test.mismatchedLayer)", "model_test.mismatchedLayer.Build")
	if !strings.Contains(err.Error(), "Inner dimensions do not match") {
		t.Errorf("error %q does not carry Gorgonia's shape message", err)
	}
}

// panickingInit is a user's Initializer with a bug.
type panickingInit struct{}

func (panickingInit) Init(dst []float64, fanIn, fanOut int, rng *rand.Rand) { dst[len(dst)] = 1 }
func (panickingInit) String() string                                        { return "broken" }

func TestUserInitializerPanicIsErrUser(t *testing.T) {
	_, err := model.New(model.Sequential{Layers: []model.Layer{model.Dense{Units: 2, Init: panickingInit{}}}}, model.Config{Inputs: 3})
	wantPanicError(t, err, panics.ErrUser, "layer0/W: model_test.panickingInit Init", "model_test.panickingInit.Init")
}

func TestUserFeedFillPanicIsErrUser(t *testing.T) {
	net := model.Func(func(s *model.Scope, x *G.Node) (*G.Node, error) {
		if _, err := s.Param(model.ParamSpec{Name: "w", Shape: []int{1, 1}}); err != nil {
			return nil, err
		}
		if !s.Training() {
			return x, nil
		}
		if _, err := s.Feed("noise", []int{2}, func(*rand.Rand, []float64) { panic("no noise today") }); err != nil {
			return nil, err
		}
		return x, nil
	})
	m, err := model.New(net, model.Config{Inputs: 3})
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.NewGraph(2, true)
	if err != nil {
		t.Fatal(err)
	}
	err = g.FillFeeds(rand.New(rand.NewPCG(1, 2)))
	wantPanicError(t, err, panics.ErrUser, "feed noise Fill", "TestUserFeedFillPanicIsErrUser")
}
