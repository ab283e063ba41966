package tuner_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gradtune/gradtune/tuner"
)

// BenchmarkReproducibleCheap measures what ReproducibleWindow costs a study
// of 100 trials of a cheap objective (a quadratic: the study's own work is
// all there is) under TPE at Parallelism 2: trials/s with the option off,
// and with windows of 2 and 4. Run it with -benchtime=5x; the numbers are
// in docs/tuning.md, beside tunertrainer's BenchmarkReproducibleTraining.
func BenchmarkReproducibleCheap(b *testing.B) {
	cheap := func(ctx context.Context, t *tuner.Trial) (float64, error) {
		x, y := t.Float("x", -5, 5), t.Float("y", -5, 5)
		return (x-1)*(x-1) + (y+2)*(y+2), nil
	}
	benchReproducible(b, cheap, 100, func() tuner.Sampler { return &tuner.TPESampler{} })
}

// BenchmarkReproducibleUneven isolates the waiting ReproducibleWindow
// adds: 60 trials that sleep 1 to 10 ms each (a length drawn from the
// trial's place in the study, the same with the option off or on, so that
// the sampler's choices change nothing), 2 workers. A worker waits when
// the trial W−1 places before its next one is still running. Run it with
// -benchtime=5x. Random sampling keeps the CPU out of it.
func BenchmarkReproducibleUneven(b *testing.B) {
	uneven := func(ctx context.Context, t *tuner.Trial) (float64, error) {
		k, ok := t.Sequence()
		if !ok {
			k = t.Number()
		}
		x := t.Float("x", -5, 5)
		u := rand.New(rand.NewPCG(uint64(k), 1)).Float64()
		time.Sleep(time.Duration(1+9*u) * time.Millisecond)
		return x * x, nil
	}
	benchReproducible(b, uneven, 60, func() tuner.Sampler { return tuner.RandomSampler{} })
}

// benchReproducible runs studies of trials trials at Parallelism 2 with
// the option off and with windows of 2 and 4, reporting trials/s.
func benchReproducible(b *testing.B, obj tuner.Objective, trials int, sampler func() tuner.Sampler) {
	for _, w := range []int{0, 2, 4} {
		b.Run(fmt.Sprintf("window=%d", w), func(b *testing.B) {
			start := time.Now()
			for i := range b.N {
				s, err := tuner.Open(ctx, tuner.Config{Seed: uint64(i), Parallelism: 2, ReproducibleWindow: w, Sampler: sampler()})
				if err != nil {
					b.Fatal(err)
				}
				if err := s.Optimize(ctx, obj, tuner.Budget{Trials: trials}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*trials)/time.Since(start).Seconds(), "trials/s")
		})
	}
}
