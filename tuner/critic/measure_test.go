package critic

import (
	"os"
	"testing"
)

// The measurements quoted in the documentation, too slow for a unit test:
//
//	CRITIC_MEASURE=1 go test ./tuner/critic -run Measure -v -timeout 30m
//
// TestMeasureNoise counts the studies of pure noise that get a finding;
// TestMeasurePower how often each crafted study gets its finding, and
// TestMeasureDrift how often a TPE study finds x's bad region, and blames
// another parameter, on oneMatters.
func measuring(t *testing.T) {
	if os.Getenv("CRITIC_MEASURE") == "" {
		t.Skip("set CRITIC_MEASURE=1 to run")
	}
}

func TestMeasureNoise(t *testing.T) {
	measuring(t)
	for _, run := range []struct {
		s namedSampler
		n int
	}{{samplers[0], 300}, {samplers[1], 150}} {
		alarms, studies := map[string]int{}, 0
		kinds := map[Kind]int{}
		for seed := uint64(1001); seed < uint64(1001+run.n); seed++ {
			fs := review(t, runStudy(t, run.s.s, seed, 60, noise), seed)
			seen := map[Kind]bool{}
			for _, f := range fs {
				alarms[string(f.Kind)+":"+f.Param]++
				seen[f.Kind] = true
			}
			for k := range seen {
				kinds[k]++
			}
			if len(fs) > 0 {
				studies++
			}
		}
		t.Logf("%s: %d of %d studies with findings; by kind %v; %v", run.s.name, studies, run.n, kinds, alarms)
	}
}

func TestMeasurePower(t *testing.T) {
	measuring(t)
	for _, c := range []struct {
		name   string
		obj    objective
		trials int
	}{
		{"aboveRange", aboveRange, 40}, {"belowRange", belowRange, 40}, {"linearLR", linearLR, 40},
		{"oneIrrelevant", oneIrrelevant, 40}, {"badSigmoid", badSigmoid, 40}, {"diverging", diverging, 40},
		{"twoEnds", twoEnds, 60}, {"nanChoice", nanChoice, 40},
	} {
		for _, s := range samplers {
			t.Logf("%s, %s, %d trials, 20 studies: %v", c.name, s.name, c.trials, tally(t, s.s, 20, c.trials, c.obj))
		}
	}
}

func TestMeasureDrift(t *testing.T) {
	measuring(t)
	t.Logf("oneMatters, tpe, 100 trials, 40 studies: %v", tally(t, samplers[1].s, 40, 100, oneMatters))
}
