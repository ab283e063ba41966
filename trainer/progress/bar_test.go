package progress_test

import (
	"context"
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
