package tunertrainer_test

import (
	"context"
	"testing"

	"github.com/gradtune/gradtune/diagnose"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/tunertrainer"
)

// What PruneOnDiagnosis adds to a training step: epochs of a 8-16-3 ReLU
// MLP on 512 rows, batch 32 (16 steps an epoch), Adam, with and without
// the callback, monitoring every 5 steps (the dead-unit check reads those)
// or never; ns/step is the epoch's wall time per step.
//
//	go test ./tuner/tunertrainer -run '^$' -bench PruneOnDiagnosis -benchtime 300x -count 6
func BenchmarkPruneOnDiagnosisFit(b *testing.B) {
	for _, every := range []int{5, -1} {
		for _, with := range []bool{false, true} {
			name := "without"
			if with {
				name = "with"
			}
			b.Run(name+"/monitor"+map[int]string{5: "5", -1: "never"}[every], func(b *testing.B) {
				benchFit(b, every, with)
			})
		}
	}
}

func benchFit(b *testing.B, monitorEvery int, with bool) {
	ctx := context.Background()
	train := blobs3(b, 512, 1, false)
	s, err := tuner.Open(ctx, tuner.Config{Parallelism: 1, Pruner: tuner.NopPruner{}})
	if err != nil {
		b.Fatal(err)
	}
	err = s.Optimize(ctx, func(ctx context.Context, trial *tuner.Trial) (float64, error) {
		m, err := model.New(model.MLP{Hidden: []int{16}, Out: 3}, model.Config{Inputs: 8, Seed: 1})
		if err != nil {
			return 0, err
		}
		var cbs []trainer.Callback
		if with {
			cbs = append(cbs, tunertrainer.PruneOnDiagnosis(trial, diagnose.Options{Classes: 3}))
		}
		tr, err := trainer.New(m, trainer.Config{Loss: losses.CrossEntropy{}, Optimizer: optimizers.Adam{}, Schedule: schedulers.Constant{LR: 0.001},
			Epochs: 1, BatchSize: 32, MonitorEvery: monitorEvery, Quiet: true, Callbacks: cbs})
		if err != nil {
			return 0, err
		}
		defer tr.Close()
		if _, err := tr.Fit(ctx, train, nil); err != nil { // builds the graph
			return 0, err
		}
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if _, err := tr.Fit(ctx, train, nil); err != nil {
				return 0, err
			}
		}
		b.StopTimer()
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(16*b.N), "ns/step")
		return 0, nil
	}, tuner.Budget{Trials: 1})
	if err != nil {
		b.Fatal(err)
	}
}

// The callback alone, at a step the trainer does not monitor: BatchStart
// and BatchEnd.
func BenchmarkPruneOnDiagnosisOnEvent(b *testing.B) {
	ctx := context.Background()
	err := s1(ctx, nil, func(ctx context.Context, trial *tuner.Trial) error {
		cb := tunertrainer.PruneOnDiagnosis(trial, diagnose.Options{Classes: 3})
		if err := cb.OnEvent(ctx, nil, &trainer.Event{Kind: trainer.FitStart}); err != nil {
			return err
		}
		start := &trainer.Event{Kind: trainer.BatchStart, Epoch: 1}
		end := &trainer.Event{Kind: trainer.BatchEnd, Epoch: 1, Loss: 1, LR: 0.01}
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			end.Step++
			if err := cb.OnEvent(ctx, nil, start); err != nil {
				return err
			}
			if err := cb.OnEvent(ctx, nil, end); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
