package trainer_test

// A panic in code the user wrote and gave the trainer (a loss, a
// regularizer, a network, a callback, a metric) comes back as an error of
// kind panics.ErrUser, never blamed on Gorgonia, with the user's frame in
// its stack.

import (
	"context"
	"errors"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/goal"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/metrics"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/panics"
	"github.com/gradtune/gradtune/regularizers"
	"github.com/gradtune/gradtune/rowmajor"
	"github.com/gradtune/gradtune/trainer"
)

func wantUserPanic(t *testing.T, err error, op, frame string) {
	t.Helper()
	var pe *panics.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *panics.Error", err, err)
	}
	if !errors.Is(err, panics.ErrUser) || errors.Is(err, panics.ErrGorgonia) {
		t.Errorf("error %v: errors.Is(ErrUser) = %v, errors.Is(ErrGorgonia) = %v; want true, false", err, errors.Is(err, panics.ErrUser), errors.Is(err, panics.ErrGorgonia))
	}
	if !strings.Contains(pe.Op, op) {
		t.Errorf("op %q does not name %q", pe.Op, op)
	}
	if !strings.Contains(string(pe.Stack), frame) {
		t.Errorf("stack does not mention %s:\n%s", frame, pe.Stack)
	}
}

// brokenLoss is MSE with a user's PerSample that has a bug.
type brokenLoss struct{ losses.MSE }

func (brokenLoss) PerSample(pred, target *G.Node) (*G.Node, error) {
	var perOutput []*G.Node
	return perOutput[0], nil
}

// brokenRegularizer is a user's penalty that has a bug.
type brokenRegularizer struct{}

func (brokenRegularizer) Penalty(G.Nodes) (*G.Node, error) { panic("penalty not written yet") }
func (brokenRegularizer) String() string                   { return "broken" }

// trainingOnlyPanic builds a linear model, but panics in a training graph.
func trainingOnlyPanic(s *model.Scope, x *G.Node) (*G.Node, error) {
	if s.Training() {
		panic("training graphs are not supported by this network")
	}
	return model.Linear{Out: 1}.Build(s, x)
}

func linearModel(t *testing.T, net model.Network) *model.Model {
	t.Helper()
	m, err := model.New(net, model.Config{Inputs: 2, Dtype: tensor.Float64})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestUserCodePanicInNewIsErrUser(t *testing.T) {
	for _, c := range []struct {
		name      string
		net       model.Network
		cfg       trainer.Config
		op, frame string
	}{
		{"loss", model.Linear{Out: 1}, trainer.Config{Loss: brokenLoss{}}, "trainer_test.brokenLoss PerSample", "trainer_test.brokenLoss.PerSample"},
		{"regularizer", model.Linear{Out: 1}, trainer.Config{Loss: losses.MSE{}, Regularizers: []regularizers.Regularizer{brokenRegularizer{}}}, "trainer_test.brokenRegularizer Penalty", "trainer_test.brokenRegularizer.Penalty"},
		{"network", model.Func(trainingOnlyPanic), trainer.Config{Loss: losses.MSE{}}, "model.Func Build", "trainer_test.trainingOnlyPanic"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.cfg.Epochs, c.cfg.BatchSize = 1, 2
			_, err := trainer.New(linearModel(t, c.net), c.cfg)
			wantUserPanic(t, err, c.op, c.frame)
		})
	}
}

// shapeLoss is a user's loss whose graph code makes Gorgonia panic: pred
// (batch, 2) times itself.
type shapeLoss struct{ losses.MSE }

func (shapeLoss) PerSample(pred, target *G.Node) (*G.Node, error) {
	return G.Must(G.Sum(G.Must(G.Mul(pred, pred)), 1)), nil
}

// Gorgonia's own panic, raised while a user's loss calls it, is still
// Gorgonia's, and the error names the loss.
func TestGorgoniaPanicInUserLossIsErrGorgonia(t *testing.T) {
	_, err := trainer.New(linearModel(t, model.Linear{Out: 2}), trainer.Config{Loss: shapeLoss{}, Epochs: 1, BatchSize: 2})
	var pe *panics.Error
	if !errors.As(err, &pe) || !errors.Is(err, panics.ErrGorgonia) || errors.Is(err, panics.ErrUser) {
		t.Fatalf("error %v: want a *panics.Error of kind ErrGorgonia only", err)
	}
	if !strings.Contains(pe.Op, "trainer_test.shapeLoss PerSample") || !strings.Contains(err.Error(), "Inner dimensions do not match") {
		t.Errorf("error %q does not name the loss and Gorgonia's shape message", err)
	}
}

func twoRows(t *testing.T) *data.Dataset {
	t.Helper()
	ds, err := data.FromRows([][]float64{{1, 2}, {3, 4}}, [][]float64{{1}, {2}}, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func panickingCallback(_ context.Context, _ *trainer.Trainer, e *trainer.Event) error {
	if e.Kind == trainer.EpochEnd {
		var seen map[int]bool
		seen[e.Epoch] = true
	}
	return nil
}

// A callback's panic during Fit is returned by Fit, which still ends the
// run: FitEnd is emitted to the other callbacks.
func TestCallbackPanicDuringFitIsErrUser(t *testing.T) {
	var fitEnd error
	tr, err := trainer.New(linearModel(t, model.Linear{Out: 1}), trainer.Config{
		Loss: losses.MSE{}, Epochs: 2, BatchSize: 2,
		Callbacks: []trainer.Callback{trainer.CallbackFunc(panickingCallback), trainer.CallbackFunc(func(_ context.Context, _ *trainer.Trainer, e *trainer.Event) error {
			if e.Kind == trainer.FitEnd {
				fitEnd = e.Err
			}
			return nil
		})},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	_, err = tr.Fit(context.Background(), twoRows(t), nil)
	wantUserPanic(t, err, "trainer.CallbackFunc OnEvent", "trainer_test.panickingCallback")
	if !errors.Is(fitEnd, panics.ErrUser) {
		t.Errorf("FitEnd saw Err = %v, want the callback's panic", fitEnd)
	}
}

// brokenMetric is a user's metric that has a bug.
type brokenMetric struct{}

func (brokenMetric) Name() string              { return "broken" }
func (brokenMetric) Direction() goal.Direction { return goal.Maximize }
func (brokenMetric) Eval(out, y rowmajor.Matrix) (float64, error) {
	return out.Data[out.Rows*out.Cols], nil
}

var _ metrics.Metric = brokenMetric{}

func TestMetricPanicInEvaluateIsErrUser(t *testing.T) {
	tr, err := trainer.New(linearModel(t, model.Linear{Out: 1}), trainer.Config{
		Loss: losses.MSE{}, Epochs: 1, BatchSize: 2, Metrics: []metrics.Metric{brokenMetric{}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	_, _, err = tr.Evaluate(context.Background(), twoRows(t))
	wantUserPanic(t, err, "metric broken Eval", "trainer_test.brokenMetric.Eval")
}
