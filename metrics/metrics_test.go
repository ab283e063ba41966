package metrics

import (
	"errors"
	"math"
	"testing"

	"github.com/gradtune/gradtune/goal"
)

func TestAccuracy(t *testing.T) {
	out := []float64{
		0.1, 0.7, 0.2, // → 1
		3, 3, 1, // tie → 0 (lowest index, as torch.argmax)
		-1, -2, -0.5, // → 2
		0, 0, 1, // → 2
	}
	got, err := Accuracy{}.Eval(out, []float64{1, 0, 2, 0}, 4, 3, 1)
	if err != nil || got != 0.75 {
		t.Fatalf("accuracy = %v, %v; want 0.75", got, err)
	}
	if _, err := (Accuracy{}).Eval(out, []float64{1, 0, 2, 0}, 4, 3, 2); !errors.Is(err, ErrShape) {
		t.Errorf("two label columns: error = %v, want ErrShape", err)
	}
}

func TestRegressionMetrics(t *testing.T) {
	out := []float64{1, 2, 3, 4}
	y := []float64{2, 2, 0, 4} // errors −1, 0, 3, 0
	if got, _ := (MAE{}).Eval(out, y, 2, 2, 2); got != 1 {
		t.Errorf("MAE = %v, want 1", got)
	}
	if got, _ := (RMSE{}).Eval(out, y, 2, 2, 2); got != math.Sqrt(2.5) {
		t.Errorf("RMSE = %v, want √2.5", got)
	}
	if _, err := (MAE{}).Eval(out, y, 2, 2, 1); !errors.Is(err, ErrShape) {
		t.Errorf("mismatched width: error = %v, want ErrShape", err)
	}
}

func TestDirections(t *testing.T) {
	for _, c := range []struct {
		m    Metric
		want goal.Direction
	}{{Accuracy{}, goal.Maximize}, {MAE{}, goal.Minimize}, {RMSE{}, goal.Minimize}} {
		if got := c.m.Direction(); got != c.want {
			t.Errorf("%s: Direction() = %v, want %v", c.m.Name(), got, c.want)
		}
	}
}
