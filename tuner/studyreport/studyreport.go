package studyreport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/critic"
	"github.com/gradtune/gradtune/tuner/importance"
	"github.com/gradtune/gradtune/tuner/noise"
)

// ErrInput is wrapped by errors about what Write was given: no directory,
// no study, a file where the directory should be, fields that contradict
// each other, invalid options, trials that do not fit their directions.
var ErrInput = errors.New("studyreport: invalid input")

// Input is the study to report on and the options of its analyses. Give
// either Study, or Trials with Directions (and Name); zero options are
// the analyses' defaults.
type Input struct {
	// Study is read for its trials (Study.Trials), name and directions.
	Study *tuner.Study
	// Trials, Directions and Name stand for Study when it is nil: the
	// trials of a study read from any storage, or crafted, and its
	// directions, one per objective (Study.Directions). Trials may be
	// empty; Directions may not.
	Trials     []tuner.FrozenTrial
	Directions []tuner.Direction
	Name       string
	// Objectives names the objectives, one per direction, in report.txt
	// and on the Pareto front's axes; nil → "objective 0", "objective 1", ….
	Objectives []string
	// Noise is a re-evaluation of the study's top configurations with other
	// seeds (noise.Reevaluate), for report.txt's noise analysis; nil →
	// report.txt says none was run and how to run one.
	Noise *noise.Report
	// Critic tunes the search-space critic (critic.Review).
	Critic critic.Options
	// Importance tunes fANOVA (importance.Evaluate), for the importances
	// of report.txt and their charts.
	Importance importance.Options
}

// Write creates dir if needed and writes the study's report into it:
//
//	trials.csv, trials.json          every trial (tuner.WriteTrialsCSV, WriteTrialsJSON), by number
//	history.png, .svg                the objective per Complete trial and the best so far (one objective)
//	pareto.png, .svg                 the Pareto front, instead of history (several objectives)
//	importances.png, .svg            fANOVA importances (importances_0, importances_1, … per objective)
//	parallel.png, .svg               parallel coordinates (parallel_0, parallel_1, … per objective)
//	intermediate.png, .svg           the values trials reported per step (objective 0's, Trial.Report)
//	report.txt                       always
//
// A chart whose data are absent (no Complete trial, no intermediate value,
// fewer than 2 Complete trials for importances, no parameter that varies)
// is skipped, with a line in report.txt saying why, and its files left by
// an earlier report in dir are removed. report.txt has these sections:
//
//   - Study: name, directions, the trials by state and failures by
//     FailKind, and the best trials (the feasible Complete trials no other
//     dominates, as Study.BestTrials: with one objective the best and
//     those tied with it) with their parameters, and how many Complete
//     trials violate a constraint;
//   - Search-space critic: critic.Review's findings (kind, parameter,
//     evidence, fix), or that there is none;
//   - Noise analysis: Input.Noise's re-evaluation and noise σ, or how to
//     run one;
//   - Doctor's causes: the trials pruned by diagnosis (attribute
//     critic.AttrDiagnosis) counted by code, with their numbers and the
//     first 3 reasons (attribute "diagnosis_reason") of each code; the
//     Failed trials counted by FailKind, with the first 3 reasons; the
//     Complete trials with an infinite value on the wrong side (diverged);
//   - Importances: per objective, highest first;
//   - Charts: one line per chart, what it shows or why it was skipped.
//
// Counts are sorted, largest first, ties by name. It returns the paths
// written, in the order above; on an error, those written before it.
// Files already in dir with these names are replaced; others are left.
//
// Errors: a nil ctx, an empty dir or one that is a file, no study (Study
// nil and no Directions), Study with Trials, Directions or Name, invalid
// Directions, Objectives of another number, a Noise report of another
// direction, invalid Critic or Importance options, trials that critic or
// fANOVA refuse (a Complete trial without a value per direction, a
// parameter the trials lack) wrap ErrInput; Study.Trials' errors and file
// errors are returned wrapped; ctx's error stops it between files, and
// before the first when it comes during the analysis (nothing written).
func Write(ctx context.Context, dir string, in Input) (files []string, err error) {
	if err := check(ctx, dir, in); err != nil {
		return nil, err
	}
	s, err := load(ctx, in)
	if err != nil {
		return nil, err
	}
	a, err := analyze(s, in)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil { // cancelled during the analysis: write nothing
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("studyreport: %w", err)
	}
	for _, f := range []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"trials.csv", func(b *bytes.Buffer) error { return tuner.WriteTrialsCSV(b, s.trials) }},
		{"trials.json", func(b *bytes.Buffer) error { return tuner.WriteTrialsJSON(b, s.trials) }},
	} {
		if err := ctx.Err(); err != nil {
			return files, err
		}
		var b bytes.Buffer
		if err := f.write(&b); err != nil {
			return files, fmt.Errorf("%w: %s: %w", ErrInput, f.name, err)
		}
		path := filepath.Join(dir, f.name)
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			return files, fmt.Errorf("studyreport: %w", err)
		}
		files = append(files, path)
	}
	for i := range a.charts {
		if err := ctx.Err(); err != nil {
			return files, err
		}
		written, err := a.charts[i].save(dir)
		files = append(files, written...)
		if err != nil {
			return files, err
		}
	}
	if err := ctx.Err(); err != nil {
		return files, err
	}
	path := filepath.Join(dir, "report.txt")
	if err := os.WriteFile(path, []byte(text(s, a, in.Noise)), 0o644); err != nil {
		return files, fmt.Errorf("studyreport: %w", err)
	}
	return append(files, path), nil
}

// check refuses what Write cannot work with, before anything is read.
func check(ctx context.Context, dir string, in Input) error {
	switch {
	case ctx == nil:
		return fmt.Errorf("%w: nil context", ErrInput)
	case dir == "":
		return fmt.Errorf("%w: empty directory name", ErrInput)
	case in.Study != nil && (in.Trials != nil || in.Directions != nil || in.Name != ""):
		return fmt.Errorf("%w: Study with Trials, Directions or Name: give the study, or its trials, directions and name", ErrInput)
	case in.Study == nil && len(in.Directions) == 0:
		return fmt.Errorf("%w: no study: set Input.Study, or Input.Trials with Input.Directions (one per objective)", ErrInput)
	}
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return fmt.Errorf("%w: %s is a file, want a directory", ErrInput, dir)
	}
	if err := in.Critic.Validate(); err != nil {
		return fmt.Errorf("%w: Critic: %w", ErrInput, err)
	}
	if o := in.Importance; o.Trees < 0 || o.MaxDepth < 0 {
		return fmt.Errorf("%w: Importance.Trees = %d, MaxDepth = %d, want ≥ 0 (0 = fANOVA's default)", ErrInput, o.Trees, o.MaxDepth)
	}
	return nil
}

// study is what Write reports on.
type study struct {
	name string
	dirs []tuner.Direction
	// labels name the objectives: Input.Objectives or "objective k".
	labels []string
	named  bool // labels come from Input.Objectives
	// trials are ordered by number.
	trials []tuner.FrozenTrial
}

// multi reports whether the study has several objectives.
func (s study) multi() bool { return len(s.dirs) > 1 }

// load reads the study from in and checks it.
func load(ctx context.Context, in Input) (study, error) {
	s := study{name: in.Name, dirs: slices.Clone(in.Directions), trials: slices.Clone(in.Trials)}
	if in.Study != nil {
		trials, err := in.Study.Trials(ctx)
		if err != nil {
			return study{}, fmt.Errorf("studyreport: reading the study's trials: %w", err)
		}
		s = study{name: in.Study.Name(), dirs: in.Study.Directions(), trials: trials}
	}
	for i, d := range s.dirs {
		if !d.Resolved() {
			return study{}, fmt.Errorf("%w: direction %d is %v, want minimize or maximize", ErrInput, i, d)
		}
	}
	switch {
	case len(in.Objectives) != 0 && len(in.Objectives) != len(s.dirs):
		return study{}, fmt.Errorf("%w: %d Objectives for %d directions, want one name per objective or none", ErrInput, len(in.Objectives), len(s.dirs))
	case in.Noise != nil && in.Noise.Direction != s.dirs[0]:
		return study{}, fmt.Errorf("%w: Noise is a re-evaluation to %v, the study's objective is to %v", ErrInput, in.Noise.Direction, s.dirs[0])
	}
	s.named = len(in.Objectives) != 0
	for k := range s.dirs {
		label := fmt.Sprintf("objective %d", k)
		if s.named {
			label = in.Objectives[k]
		}
		s.labels = append(s.labels, label)
	}
	sort.SliceStable(s.trials, func(i, j int) bool { return s.trials[i].Number < s.trials[j].Number })
	return s, nil
}
