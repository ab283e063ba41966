package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/diagnose"
	"github.com/gradtune/gradtune/lrfinder"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/report"
	"github.com/gradtune/gradtune/trainer"
)

// diagReport gathers what runs before training (preflight checks, the LR
// range test) for the report written after it.
type diagReport struct {
	preflight []diagnose.Diagnosis
	lrRange   *lrfinder.Result
}

// preflight checks the model and data and runs the LR range test on a
// 6,000-row sample; both leave the model's weights as they were.
func preflight(ctx context.Context, m *model.Model, cfg trainer.Config, train, val *data.Dataset, seed uint64) (*diagReport, error) {
	ds, err := diagnose.Preflight(ctx, m, cfg, train, val, diagnose.PreflightOptions{Seed: seed})
	if err != nil {
		return nil, err
	}
	idx := make([]int, min(6000, train.Len()))
	for i := range idx {
		idx[i] = i
	}
	sample, err := train.Subset(idx)
	if err != nil {
		return nil, err
	}
	lr, err := lrfinder.Run(ctx, m, cfg, sample, lrfinder.Config{Seed: seed})
	if err != nil {
		return nil, err
	}
	return &diagReport{preflight: ds, lrRange: lr}, nil
}

// write analyzes the run and writes the plots and report.txt into dir,
// printing where they are.
func (r *diagReport) write(w io.Writer, dir string, h *trainer.History, lrs *trainer.LRMonitor, wd *diagnose.Watchdog, fitErr error) error {
	ds := append([]diagnose.Diagnosis{}, r.preflight...)
	ds = append(ds, wd.Diagnoses...)
	ds = append(ds, diagnose.Explain(fitErr, h)...)
	ds = append(ds, diagnose.Analyze(h, diagnose.Options{Classes: 10})...)
	files, err := report.Write(dir, report.Input{History: h, StepLRs: lrs, LRRange: r.lrRange, Diagnoses: ds})
	if err != nil {
		return err
	}
	suggestion := "none (" + r.lrRange.Reason + ")"
	if r.lrRange.Trustworthy {
		suggestion = fmt.Sprintf("%.3g", r.lrRange.Suggested)
	}
	fmt.Fprintf(w, "mnist: diagnoses=%d lr_range_suggestion=%s report=%s (%s)\n", len(ds), suggestion, dir, baseNames(files))
	return nil
}

// baseNames lists the files written by their names, comma-separated.
func baseNames(files []string) string {
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = filepath.Base(f)
	}
	return strings.Join(names, ", ")
}
