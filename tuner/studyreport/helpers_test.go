package studyreport_test

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/critic"
	"github.com/gradtune/gradtune/tuner/tunertrainer"
)

// The crafted study's search space: a learning rate on a linear scale
// that diverges above 0.05, a width and an activation.
var space = map[string]tuner.Distribution{
	"lr":         tuner.FloatDist{Low: 1e-4, High: 0.1},
	"units":      tuner.IntDist{Low: 8, High: 64},
	"activation": tuner.CategoricalDist{Choices: []any{"relu", "tanh"}},
}

// Trials of the crafted study whose ends are fixed, whatever their draws.
const (
	nanTrial     = 3  // returned NaN
	timeoutTrial = 9  // ran past its deadline
	prunedTrial  = 15 // pruned by the pruner, without a diagnosis
	runningTrial = 39 // still running
)

// crafted returns a study of 40 trials minimizing a validation loss, drawn
// from a seeded stream, whose right answers are known: every trial with
// lr > 0.05 was pruned by diagnosis (every third such one "exploding", the
// others "diverging", each with a reason naming its trial), trial 3 returned NaN,
// trial 9 timed out, trial 15 was pruned by the pruner and trial 39 is
// still running; the others completed with the loss
// (log10(lr/0.003))²/2 + |units − 32|/500 + 0.1 (tanh) + noise. Each
// finished trial reported 2 or 3 intermediate values.
func crafted() []tuner.FrozenTrial {
	rng := rand.New(rand.NewPCG(7, 11))
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var trials []tuner.FrozenTrial
	diverged := 0
	for n := range 40 {
		lr := 1e-4 + (0.1-1e-4)*rng.Float64()
		units := 8 + rng.IntN(57)
		act := []string{"relu", "tanh"}[rng.IntN(2)]
		noise := 0.01 * rng.NormFloat64()
		switch n {
		case nanTrial, timeoutTrial, prunedTrial:
			lr = 0.01 * float64(n%4+1) // below 0.05: these ends are not the rate's
		}
		t := trial(n, start, lr, units, act)
		loss := math.Pow(math.Log10(lr/0.003), 2)/2 + math.Abs(float64(units-32))/500 + noise
		if act == "tanh" {
			loss += 0.1
		}
		switch {
		case n == runningTrial:
			t.State, t.Complete = tuner.Running, time.Time{}
		case n == nanTrial:
			t.State, t.FailKind, t.FailReason = tuner.Failed, tuner.FailNaN, "objective returned NaN"
		case n == timeoutTrial:
			t.State, t.FailKind = tuner.Failed, tuner.FailTimeout
			t.FailReason = "timeout: ran past Config.TrialTimeout = 2s (the objective returned after 2.013s)"
		case n == prunedTrial:
			t.State, t.Value, t.Values = tuner.Pruned, loss+0.5, []float64{loss + 0.5}
			t.Intermediate = map[int]float64{0: loss + 1, 1: loss + 0.5}
		case lr > 0.05:
			code := "diverging"
			if diverged%3 == 2 {
				code = "exploding"
			}
			diverged++
			t.State, t.Value, t.Values = tuner.Pruned, 40+float64(n), []float64{40 + float64(n)}
			t.Intermediate = map[int]float64{0: 2.5, 1: 40 + float64(n)}
			t.Attrs[critic.AttrDiagnosis] = code
			t.Attrs[tunertrainer.AttrDiagnosisReason] = fmt.Sprintf("batch loss at step %d (trial %d): %.1f, 16× its running minimum 2.5", 10+n, n, 40+float64(n))
		default:
			t.State, t.Value, t.Values = tuner.Complete, loss, []float64{loss}
			t.Intermediate = map[int]float64{0: loss + 1, 1: loss + 0.5, 2: loss}
		}
		trials = append(trials, t)
	}
	return trials
}

// trial returns trial n with its parameters, finished a second after it
// started; State and values are left to the caller.
func trial(n int, start time.Time, lr float64, units int, act string) tuner.FrozenTrial {
	params := map[string]any{"lr": lr, "units": units, "activation": act}
	t := tuner.FrozenTrial{ID: int64(n + 1), Number: n, Value: math.NaN(), Params: params,
		Internal: map[string]float64{}, Distributions: map[string]tuner.Distribution{}, Attrs: map[string]string{"owner": "host/1/a"},
		Start: start.Add(time.Duration(n) * time.Second), Complete: start.Add(time.Duration(n+1) * time.Second)}
	for k, v := range params {
		x, err := space[k].ToInternal(v)
		if err != nil {
			panic(err)
		}
		t.Internal[k], t.Distributions[k] = x, space[k]
	}
	return t
}

// checkImage fails t unless path is a PNG (magic bytes) or an SVG document.
func checkImage(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	switch filepath.Ext(path) {
	case ".png":
		if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) || len(b) < 1000 {
			t.Errorf("%s: not a PNG of a chart (%d bytes, starts %q)", path, len(b), b[:min(len(b), 8)])
		}
	case ".svg":
		if !bytes.Contains(b[:min(len(b), 300)], []byte("<svg")) || !bytes.HasSuffix(bytes.TrimSpace(b), []byte("</svg>")) {
			t.Errorf("%s: not an SVG document", path)
		}
	default:
		t.Errorf("%s: unexpected image", path)
	}
}

// names returns the base names of paths.
func names(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = filepath.Base(p)
	}
	return out
}

// chartFiles returns name.png and name.svg for each name.
func chartFiles(names ...string) []string {
	var out []string
	for _, n := range names {
		out = append(out, n+".png", n+".svg")
	}
	return out
}
