// Package report writes a training run's report folder: loss, metric,
// learning-rate, gradient-norm and LR-range-test plots (PNG and SVG, drawn
// with gonum/plot through package plots) and report.txt, which holds the
// diagnoses, the range test's suggestion and a table of the epochs.
package report

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gradtune/gradtune/diagnose"
	"github.com/gradtune/gradtune/lrfinder"
	"github.com/gradtune/gradtune/trainer"
)

// ErrInput is wrapped by errors about what Write was given.
var ErrInput = errors.New("report: invalid input")

// Input is what a report shows. Every field is optional: a plot or section
// whose data are absent is skipped.
type Input struct {
	// History is the run (trainer.Trainer.Fit): its epochs make loss,
	// metrics and the epoch table; its Monitor makes gradnorms.
	History *trainer.History
	// StepLRs is a trainer.LRMonitor used as a callback during the run: the
	// rate of every step, for lr. Without it lr shows each epoch's rate.
	StepLRs *trainer.LRMonitor
	// LRRange is a range test's result (lrfinder.Run), for lrfinder and
	// report.txt.
	LRRange *lrfinder.Result
	// Diagnoses are listed in report.txt, one block each, in this order.
	Diagnoses []diagnose.Diagnosis
	// DiagnosesText, when not empty, is written instead of Diagnoses
	// (say, diagnose.Report's output).
	DiagnosesText string
}

// Write creates dir if needed and writes into it, skipping what in lacks:
//
//	loss.png, loss.svg           train and validation loss per epoch (log y when all > 0)
//	metrics.png, metrics.svg     each validation metric per epoch
//	lr.png, lr.svg               the rate per step (per epoch without StepLRs), log y
//	gradnorms.png, gradnorms.svg the gradient L2 norm of each weight per monitored step, log y
//	lrfinder.png, lrfinder.svg   the range test's loss and smoothed loss vs lr, log x, the suggestion marked
//	report.txt                   always
//
// It returns the paths written, in that order; on an error, those written
// before it. Files already in dir with these names are replaced.
func Write(dir string, in Input) (files []string, err error) {
	if dir == "" {
		return nil, fmt.Errorf("%w: empty directory name", ErrInput)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	for _, c := range charts(in) {
		for _, ext := range []string{".png", ".svg"} {
			path := filepath.Join(dir, c.name+ext)
			if err := c.save(path); err != nil {
				return files, fmt.Errorf("report: %s: %w", c.name+ext, err)
			}
			files = append(files, path)
		}
	}
	path := filepath.Join(dir, "report.txt")
	if err := os.WriteFile(path, []byte(text(in)), 0o644); err != nil {
		return files, fmt.Errorf("report: %w", err)
	}
	return append(files, path), nil
}
