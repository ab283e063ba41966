package progress_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/trainer"
	"github.com/gradtune/gradtune/trainer/progress"
)

// Without a terminal the bar writes only the epoch lines, exactly as the
// default EpochLogger would, and replaces that default: no line twice,
// whatever Quiet says.
func TestBarWithoutTerminal(t *testing.T) {
	ds, err := data.FromRows([][]float64{{1}, {2}, {3}}, [][]float64{{2}, {4}, {6}}, tensor.Float32)
	if err != nil {
		t.Fatal(err)
	}
	for _, quiet := range []bool{false, true} {
		m, _ := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1, Seed: 1})
		var bar, def strings.Builder
		tr, err := trainer.New(m, trainer.Config{Loss: losses.MSE{}, Epochs: 3, BatchSize: 2, Quiet: quiet, Progress: &def,
			Callbacks: []trainer.Callback{&progress.Bar{W: &bar}}})
		if err != nil {
			t.Fatal(err)
		}
		h, err := tr.Fit(context.Background(), ds, ds)
		tr.Close()
		if err != nil {
			t.Fatal(err)
		}
		var want strings.Builder
		for _, s := range h.Epochs {
			want.WriteString(s.String() + "\n")
		}
		if bar.String() != want.String() || def.Len() != 0 {
			t.Errorf("Quiet=%v: bar wrote %q and the default %q; want %q and nothing", quiet, bar.String(), def.String(), want.String())
		}
		if !strings.Contains(bar.String(), "epoch 3: loss=") || !strings.Contains(bar.String(), " val_loss=") || strings.Contains(bar.String(), "\r") {
			t.Errorf("Quiet=%v: bar output %q, want three validated epoch lines and no redraws", quiet, bar.String())
		}
	}
}

// Bar is a progress callback, so Fit calls it first and adds no default.
var _ trainer.ProgressCallback = (*progress.Bar)(nil)

// OnEvent refuses what Fit never passes — a nil Bar, context or event —
// with errors, and an epoch's end given without FitStart still goes to W.
func TestBarMisuse(t *testing.T) {
	var nilCtx context.Context // the misuse under test
	var out strings.Builder
	b := &progress.Bar{W: &out}
	for _, c := range []struct {
		name string
		call func() error
		want string
	}{
		{"nil Bar", func() error { return (*progress.Bar)(nil).OnEvent(context.Background(), nil, &trainer.Event{}) }, "OnEvent on a nil *progress.Bar"},
		{"nil context", func() error { return b.OnEvent(nilCtx, nil, &trainer.Event{Kind: trainer.FitStart}) }, "progress.Bar OnEvent: nil context"},
		{"nil event", func() error { return b.OnEvent(context.Background(), nil, nil) }, "progress.Bar OnEvent: nil *Event"},
	} {
		var err error
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("%s: panicked: %v", c.name, p)
				}
			}()
			err = c.call()
		}()
		if !errors.Is(err, trainer.ErrConfig) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error wrapping trainer.ErrConfig that says %q", c.name, err, c.want)
		}
	}
	if out.Len() != 0 {
		t.Errorf("refused events wrote %q", out.String())
	}
	stats := &trainer.EpochStats{Epoch: 1, TrainLoss: 0.25}
	fresh := &progress.Bar{W: &out} // no FitStart has chosen its writer
	if err := fresh.OnEvent(context.Background(), nil, &trainer.Event{Kind: trainer.EpochEnd, Stats: stats}); err != nil {
		t.Fatal(err)
	}
	if want := stats.String() + "\n"; out.String() != want {
		t.Errorf("epoch end without FitStart wrote %q, want %q", out.String(), want)
	}
}
