package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"time"

	"gonum.org/v1/gonum/blas/gonum"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/internal/benchmlp"
)

// sample is one peer's measurement in one round.
type sample struct {
	rate          float64 // samples/s, or steps/s for linreg
	allocsPerStep float64
	bytesPerStep  float64
}

func benchMNIST(w io.Writer, rounds int, dt tensor.Dtype, torch *torchPeer) error {
	job := "mnist-" + dt.String()
	train, err := benchmlp.MNIST(dt)
	if err != nil {
		return err
	}
	var ours, raw, py []sample
	for r := range rounds {
		o, err := oursEpoch(train, dt)
		if err != nil {
			return err
		}
		g, err := rawEpoch(train, dt)
		if err != nil {
			return err
		}
		ours, raw = append(ours, o), append(raw, g)
		line := fmt.Sprintf("%s round %d: ours %.0f samples/s, raw Gorgonia+gonum loop %.0f", job, r+1, o.rate, g.rate)
		if torch != nil {
			res, err := torch.run(job)
			if err != nil {
				return err
			}
			py = append(py, sample{rate: res.SamplesPerS})
			line += fmt.Sprintf(", PyTorch %.0f", res.SamplesPerS)
		}
		fmt.Fprintln(w, line)
	}
	summarize(w, job, "samples/s", ours, raw, py)
	return nil
}

// oursEpoch trains one epoch of a fresh model through the trainer.
func oursEpoch(train *data.Dataset, dt tensor.Dtype) (sample, error) {
	m, err := benchmlp.NewMLP(dt)
	if err != nil {
		return sample{}, err
	}
	tr, err := benchmlp.NewTrainer(m)
	if err != nil {
		return sample{}, err
	}
	defer tr.Close()
	return timed(benchmlp.Steps, benchmlp.Batch, func() error {
		_, err := tr.Fit(context.Background(), train, nil)
		return err
	})
}

// rawEpoch trains one epoch through the hand-written loop on gonum's BLAS
// (whatever gradtune installed is put back afterwards).
func rawEpoch(train *data.Dataset, dt tensor.Dtype) (sample, error) {
	prev := G.WhichBLAS()
	G.Use(gonum.Implementation{})
	defer G.Use(prev)
	m, err := benchmlp.NewMLP(dt)
	if err != nil {
		return sample{}, err
	}
	r, err := benchmlp.NewRaw(m, train)
	if err != nil {
		return sample{}, err
	}
	defer r.Close()
	return timed(benchmlp.Steps, benchmlp.Batch, r.Epoch)
}

func benchLinreg(w io.Writer, rounds int, torch *torchPeer) error {
	const epochs = 1000
	var ours, py []sample
	for r := range rounds {
		o, err := timed(epochs, 1, func() error {
			_, err := benchmlp.Linreg(context.Background(), epochs)
			return err
		})
		if err != nil {
			return err
		}
		ours = append(ours, o)
		line := fmt.Sprintf("linreg round %d: ours %.1f µs/step", r+1, 1e6/o.rate)
		if torch != nil {
			res, err := torch.run("linreg")
			if err != nil {
				return err
			}
			py = append(py, sample{rate: 1 / res.StepSeconds})
			line += fmt.Sprintf(", PyTorch %.1f µs/step", 1e6*res.StepSeconds)
		}
		fmt.Fprintln(w, line)
	}
	summarize(w, "linreg", "steps/s", ours, nil, py)
	return nil
}

// timed runs f, which makes steps steps of batch samples, and returns its
// rate (samples/s) with the allocations and bytes per step.
func timed(steps, batch int, f func() error) (sample, error) {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	if err := f(); err != nil {
		return sample{}, err
	}
	elapsed := time.Since(start).Seconds()
	runtime.ReadMemStats(&after)
	return sample{
		rate:          float64(steps*batch) / elapsed,
		allocsPerStep: float64(after.Mallocs-before.Mallocs) / float64(steps),
		bytesPerStep:  float64(after.TotalAlloc-before.TotalAlloc) / float64(steps),
	}, nil
}
