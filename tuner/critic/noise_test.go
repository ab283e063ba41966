package critic

import (
	"math/rand/v2"
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

// An objective that does not depend on its parameters gives no findings
// but by chance: at most about Options.Alpha (5%) of such studies get a
// BadRegion, AtBound, UseLog or NeverWins finding, whatever the sampler,
// and Unimportant fires only when a parameter stands clearly out. The
// bounds below are the counts a rate of 5% exceeds with probability under
// 3%.
func TestNoFalseAlarmsOnNoise(t *testing.T) {
	runs := []struct {
		sampler        namedSampler
		studies, bound int
	}{
		{samplers[0], 100, 9},
		{samplers[1], 30, 4},
	}
	if testing.Short() {
		runs[0].studies, runs[0].bound = 30, 4
		runs[1].studies, runs[1].bound = 10, 2
	}
	for _, run := range runs {
		alarms := map[string]int{}
		studies := 0
		for seed := uint64(1); seed <= uint64(run.studies); seed++ {
			fs := review(t, runStudy(t, run.sampler.s, seed, 60, noise), seed)
			for _, k := range keys(fs) {
				alarms[k]++
			}
			if len(fs) > 0 {
				studies++
			}
		}
		t.Logf("%s: %d of %d studies of noise had findings: %v", run.sampler.name, studies, run.studies, alarms)
		if studies > run.bound {
			t.Errorf("%s: %d of %d studies of noise had findings, want ≤ %d: %v", run.sampler.name, studies, run.studies, run.bound, alarms)
		}
	}
}

// The same with two objectives, both noise.
func TestNoFalseAlarmsOnNoiseMulti(t *testing.T) {
	studies, bound := 30, 4
	if testing.Short() {
		studies, bound = 10, 2
	}
	dirs := []tuner.Direction{tuner.Minimize, tuner.Maximize}
	alarmed := 0
	alarms := map[string]int{}
	for seed := uint64(1); seed <= uint64(studies); seed++ {
		trials := runMultiStudy(t, dirs, seed, 60, func(tr *tuner.Trial, rng *rand.Rand) ([]float64, error) {
			if _, err := noise(tr, rng); err != nil {
				return nil, err
			}
			return []float64{rng.NormFloat64(), rng.NormFloat64()}, nil
		})
		fs, err := Review(trials, dirs, Options{Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys(fs) {
			alarms[k]++
		}
		if len(fs) > 0 {
			alarmed++
		}
	}
	t.Logf("%d of %d studies of noise had findings: %v", alarmed, studies, alarms)
	if alarmed > bound {
		t.Errorf("%d of %d studies of noise had findings, want ≤ %d: %v", alarmed, studies, bound, alarms)
	}
}

// A sampler that drifts — TPE draws its later trials where the earlier
// ones went well — makes the parameters that do not matter keep company
// with the good trials (late) or the failures (early). The tests compare
// trials within blocks of consecutive trials so that this company is not
// taken for an effect: on oneMatters, the parameters that do not matter
// get no finding but Unimportant, but by chance.
func TestNoBlameOnDrift(t *testing.T) {
	studies, bound := 20, 2
	if testing.Short() {
		studies, bound = 5, 1
	}
	blamed := map[string]int{}
	n := 0
	for seed := uint64(1); seed <= uint64(studies); seed++ {
		fs := review(t, runStudy(t, tuner.TPESampler{}, seed, 100, oneMatters), seed)
		any := false
		for _, f := range fs {
			if f.Param != "x" && f.Kind != Unimportant {
				blamed[f.Param+":"+string(f.Kind)]++
				any = true
			}
		}
		if any {
			n++
		}
	}
	t.Logf("%d of %d studies blamed a parameter that does not matter: %v", n, studies, blamed)
	if n > bound {
		t.Errorf("%d of %d studies blamed a parameter that does not matter, want ≤ %d: %v", n, studies, bound, blamed)
	}
}
