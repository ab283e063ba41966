package tunertrainer_test

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/export"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/trainer"
	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/tunertrainer"
)

// A 4-8-3 MLP: 4·8+8 + 8·3+3 = 67 weights; its cost is recorded on the
// trial by the callback, without code in the objective.
func TestRecordCost(t *testing.T) {
	ctx := context.Background()
	xs := make([][]float64, 40)
	labels := make([]int, len(xs))
	for i := range xs {
		xs[i] = []float64{float64(i % 5), float64(i % 7), float64(i % 3), 1}
		labels[i] = i % 3
	}
	ds, err := data.FromLabels(xs, labels, tensor.Float32)
	if err != nil {
		t.Fatal(err)
	}
	var got tunertrainer.Cost
	var fileBytes int
	obj := func(ctx context.Context, trial *tuner.Trial) (float64, error) {
		m, err := model.New(model.MLP{Hidden: []int{8}, Out: 3}, model.Config{Inputs: 4, Dtype: tensor.Float32})
		if err != nil {
			return 0, err
		}
		tr, err := trainer.New(m, trainer.Config{Loss: losses.CrossEntropy{}, Epochs: 1, BatchSize: 8, Quiet: true,
			Callbacks: []trainer.Callback{tunertrainer.RecordCost(trial, ds.X, tunertrainer.CostOptions{Batch: 2}, &got)}})
		if err != nil {
			return 0, err
		}
		defer tr.Close()
		if _, err := tr.Fit(ctx, ds, nil); err != nil {
			return 0, err
		}
		var buf bytes.Buffer
		if err := export.Write(&buf, m, export.Options{}); err != nil {
			return 0, err
		}
		fileBytes = buf.Len()
		return 0, nil
	}
	s, err := tuner.Open(ctx, tuner.Config{Parallelism: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Optimize(ctx, obj, tuner.Budget{Trials: 1}); err != nil {
		t.Fatal(err)
	}
	trials, err := s.Trials(ctx)
	if err != nil || len(trials) != 1 || trials[0].State != tuner.Complete {
		t.Fatalf("trials %+v, %v", trials, err)
	}
	if got.Params != 67 || got.FileBytes != int64(fileBytes) || got.LatencyPerSample <= 0 {
		t.Errorf("cost %+v: want 67 params, %d file bytes, a positive latency", got, fileBytes)
	}
	// Weights (67 float32) and at least the input (2×4) and output (2×3) of a batch of 2.
	if min := int64(4 * (67 + 2*4 + 2*3)); got.MemoryBytes < min || got.MemoryBytes > 100*min {
		t.Errorf("MemoryBytes %d, want between %d and 100 times that", got.MemoryBytes, min)
	}
	attrs := trials[0].Attrs
	for key, want := range map[string]int64{
		tunertrainer.AttrParams: 67, tunertrainer.AttrFileBytes: int64(fileBytes),
		tunertrainer.AttrMemory: got.MemoryBytes, tunertrainer.AttrLatencyNs: got.LatencyPerSample.Nanoseconds(),
	} {
		if v, err := strconv.ParseInt(attrs[key], 10, 64); err != nil || v != want {
			t.Errorf("attribute %s = %q, want %d", key, attrs[key], want)
		}
	}
}

func TestMeasureCostInput(t *testing.T) {
	ctx := context.Background()
	if _, err := tunertrainer.MeasureCost(ctx, nil, nil, tunertrainer.CostOptions{}); !errors.Is(err, tuner.ErrConfig) {
		t.Errorf("nil trainer: err %v, want tuner.ErrConfig", err)
	}
	for _, o := range []tunertrainer.CostOptions{{Repeats: -1}, {Batch: -1}, {Repeats: 1 << 40}, {Batch: 1 << 40}} {
		if _, err := tunertrainer.MeasureCost(ctx, nil, nil, o); !errors.Is(err, tuner.ErrConfig) {
			t.Errorf("options %+v: err %v, want tuner.ErrConfig", o, err)
		}
	}
	//lint:ignore SA1012 the nil context is the point
	if _, err := tunertrainer.MeasureCost(nil, nil, nil, tunertrainer.CostOptions{}); !errors.Is(err, tuner.ErrConfig) { //nolint:staticcheck
		t.Errorf("nil context: err %v, want tuner.ErrConfig", err)
	}
}
