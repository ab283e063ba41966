package model_test

import (
	"bytes"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/panics"
)

// wantConfigErr fails t unless err wraps model.ErrConfig and says each of
// the words.
func wantConfigErr(t *testing.T, what string, err error, words ...string) {
	t.Helper()
	if !errors.Is(err, model.ErrConfig) {
		t.Fatalf("%s: error %v, want one wrapping ErrConfig", what, err)
	}
	for _, w := range words {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s: error %q does not say %q", what, err, w)
		}
	}
}

// noPanic runs f and fails t if it panics.
func noPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("%s panicked: %v", what, p)
		}
	}()
	f()
}

// A nil Model and the zero Model (not made by New) are errors from every
// method that returns one, before any file is touched; the getters return
// zero values and the default dtype.
func TestModelNotMadeByNewIsAnError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "params.json")
	for name, m := range map[string]*model.Model{"nil": nil, "zero": {}} {
		calls := map[string]func() error{
			"Save":     func() error { return m.Save(io.Discard) },
			"SaveFile": func() error { return m.SaveFile(path) },
			"Load":     func() error { return m.Load(strings.NewReader("{}")) },
			"LoadFile": func() error { return m.LoadFile(path) },
			"NewGraph": func() error { _, err := m.NewGraph(2, true); return err },
			"SetParamValues": func() error {
				return m.SetParamValues(nil)
			},
		}
		for method, call := range calls {
			var err error
			noPanic(t, name+" "+method, func() { err = call() })
			wantConfigErr(t, name+" "+method, err, "model.New")
		}
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s SaveFile left %s: %v", name, path, err)
		}
		noPanic(t, name+" getters", func() {
			if m.Inputs() != 0 || m.Outputs() != 0 || m.Params() != nil || m.Dtype() != tensor.Float32 {
				t.Errorf("%s: Inputs %d, Outputs %d, Params %v, Dtype %v; want 0, 0, none, float32",
					name, m.Inputs(), m.Outputs(), m.Params(), m.Dtype())
			}
		})
	}
}

func TestSaveAndLoadRefuseNilStreams(t *testing.T) {
	m, err := model.New(model.Linear{Out: 1}, model.Config{Inputs: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var saveErr, loadErr error
	noPanic(t, "Save(nil)", func() { saveErr = m.Save(nil) })
	wantConfigErr(t, "Save(nil)", saveErr, "nil io.Writer")
	noPanic(t, "Load(nil)", func() { loadErr = m.Load(nil) })
	wantConfigErr(t, "Load(nil)", loadErr, "nil io.Reader")
}

// SetParamValues checks every node before it copies anything.
func TestSetParamValuesRefusesNilNodes(t *testing.T) {
	m, err := model.New(model.Linear{Out: 1}, model.Config{Inputs: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.NewGraph(1, false)
	if err != nil {
		t.Fatal(err)
	}
	before := bytes.Buffer{}
	if err := m.Save(&before); err != nil {
		t.Fatal(err)
	}
	// The weight's new value first, so that a copy before the check shows.
	w := G.NewMatrix(G.NewGraph(), tensor.Float32, G.WithShape(2, 1), G.WithName("w"),
		G.WithValue(tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float32{7, 7}))))
	noPanic(t, "SetParamValues", func() { err = m.SetParamValues(G.Nodes{w, nil}) })
	wantConfigErr(t, "SetParamValues(w, nil)", err, "linear/b", "nil node")
	noPanic(t, "SetParamValues", func() { err = m.SetParamValues(G.Nodes{w, g.X}) })
	wantConfigErr(t, "SetParamValues(w, a placeholder without a value)", err, "linear/b", "no tensor value")
	after := bytes.Buffer{}
	if err := m.Save(&after); err != nil {
		t.Fatal(err)
	}
	if before.String() != after.String() {
		t.Errorf("SetParamValues failed but changed the parameters:\n%s\n%s", before.String(), after.String())
	}
}

// scopeOf returns the Scope a Model passed to its network's Build.
func scopeOf(t *testing.T) *model.Scope {
	t.Helper()
	var s *model.Scope
	_, err := model.New(model.Func(func(sc *model.Scope, x *G.Node) (*G.Node, error) {
		s = sc
		return x, nil
	}), model.Config{Inputs: 2})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Only the Scope a Model passes to Build declares parameters and feeds:
// a nil or zero Scope is an error from Param, Feed and every built-in
// layer and network, as is a nil input node.
func TestBuildRefusesScopesNotFromAModelAndNilInputs(t *testing.T) {
	own := scopeOf(t)
	x := G.NewMatrix(own.Graph(), tensor.Float32, G.WithShape(1, 2), G.WithName("x2"))
	layer := func(l model.Layer) func(*model.Scope, *G.Node) (*G.Node, error) {
		return func(s *model.Scope, x *G.Node) (*G.Node, error) { return l.Build(s, x, "l") }
	}
	builds := map[string]func(*model.Scope, *G.Node) (*G.Node, error){
		"Dense":              layer(model.Dense{Units: 2}),
		"Act":                layer(model.Act{Activation: model.ReLU{}}),
		"Dropout":            layer(model.Dropout{Rate: 0.5}),
		"Linear":             model.Linear{Out: 1}.Build,
		"MLP":                model.MLP{Hidden: []int{2}, Out: 1}.Build,
		"LogisticRegression": model.LogisticRegression{}.Build,
		"SoftmaxRegression":  model.SoftmaxRegression{Classes: 3}.Build,
	}
	for name, build := range builds {
		for scope, s := range map[string]*model.Scope{"nil": nil, "zero": {}} {
			var err error
			noPanic(t, name+" "+scope, func() { _, err = build(s, x) })
			wantConfigErr(t, name+" with a "+scope+" Scope", err, "*Scope")
		}
		var err error
		noPanic(t, name+" nil x", func() { _, err = build(own, nil) })
		wantConfigErr(t, name+" with a nil input", err, "nil node")
	}
	for scope, s := range map[string]*model.Scope{"nil": nil, "zero": {}} {
		var err error
		noPanic(t, "Param", func() { _, err = s.Param(model.ParamSpec{Name: "w", Shape: []int{1}}) })
		wantConfigErr(t, "Param on a "+scope+" Scope", err, "parameter w", "*Scope")
		noPanic(t, "Feed", func() { _, err = s.Feed("m", []int{1}, func(*rand.Rand, []float64) {}) })
		wantConfigErr(t, "Feed on a "+scope+" Scope", err, "feed m", "*Scope")
	}
	noPanic(t, "zero Scope's Dtype", func() {
		if dt := (&model.Scope{}).Dtype(); dt != tensor.Float32 {
			t.Errorf("zero Scope's Dtype = %v, want the default float32", dt)
		}
	})
}

// Func.Build is an error for a nil Func, and turns a panic in the function
// into an error (the same one model.New returns).
func TestFuncBuildNilAndPanics(t *testing.T) {
	s := scopeOf(t)
	var err error
	noPanic(t, "nil Func", func() { _, err = model.Func(nil).Build(s, nil) })
	wantConfigErr(t, "nil Func", err, "nil Func")
	noPanic(t, "panicking Func", func() { _, err = model.Func(panickingNetwork).Build(s, nil) })
	wantPanicError(t, err, panics.ErrUser, "model.Func Build", "model_test.panickingNetwork")
}

func TestFillFeedsRefusesMisuse(t *testing.T) {
	net := model.Sequential{Layers: []model.Layer{model.Dense{Units: 2}, model.Dropout{Rate: 0.5}}}
	m, err := model.New(net, model.Config{Inputs: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.NewGraph(2, true)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	cases := []struct {
		name  string
		g     *model.Graph
		rng   *rand.Rand
		words string
	}{
		{"nil graph", nil, rng, "nil *Graph"},
		{"nil generator", g, nil, "nil generator"},
		{"a feed of the user's", &model.Graph{Feeds: []*model.Feed{{Node: g.Feeds[0].Node, Fill: g.Feeds[0].Fill}}}, rng, "Feeds[0] was not made by Scope.Feed"},
		{"a nil feed", &model.Graph{Feeds: []*model.Feed{nil}}, rng, "Feeds[0]"},
	}
	for _, c := range cases {
		noPanic(t, c.name, func() { err = c.g.FillFeeds(c.rng) })
		wantConfigErr(t, c.name, err, c.words)
	}
	if err := (&model.Graph{}).FillFeeds(nil); err != nil {
		t.Errorf("FillFeeds(nil) of a graph without feeds = %v, want nil (nothing to draw)", err)
	}
	if err := g.FillFeeds(rng); err != nil {
		t.Errorf("FillFeeds of a real graph: %v", err)
	}
}

// With a nil generator, Init has no error to return: the random built-in
// initializers fill NaN, as they do for an invalid setting; the constant
// ones do not need it.
func TestInitWithNilGeneratorFillsNaN(t *testing.T) {
	random := []model.Initializer{
		model.Uniform{}, model.Normal{}, model.TorchLinear{}, model.XavierUniform{}, model.XavierNormal{},
		model.HeUniform{}, model.HeNormal{}, model.LeCunNormal{},
	}
	for _, init := range random {
		dst := []float64{1, 2, 3}
		noPanic(t, init.String(), func() { init.Init(dst, 2, 3, nil) })
		for i, v := range dst {
			if !math.IsNaN(v) {
				t.Errorf("%v.Init with a nil rng: dst[%d] = %v, want NaN", init, i, v)
			}
		}
	}
	for init, want := range map[model.Initializer]float64{model.Zeros{}: 0, model.Constant{Value: 2}: 2} {
		dst := []float64{1, 2, 3}
		init.Init(dst, 2, 3, nil)
		for i, v := range dst {
			if v != want {
				t.Errorf("%v.Init with a nil rng: dst[%d] = %v, want %v", init, i, v, want)
			}
		}
	}
}
