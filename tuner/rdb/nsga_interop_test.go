package rdb_test

import (
	"context"
	"encoding/json"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

// Optuna 3.1's NSGAIISampler continues the generations gradtune's started:
// it reads nsga2:generation where gradtune's sampler wrote it. With a
// population of 4, gradtune's 10 trials fill generations 0 and 1 and start
// 2; Optuna's 4 trials complete 2 and start 3.
func TestOptunaContinuesGradtuneNSGAII(t *testing.T) {
	eachBackend(t, func(t *testing.T, url string) {
		requirePythonFor(t, url)
		st := openURL(t, url)
		s, err := tuner.Open(ctx, tuner.Config{Name: "nsga", Storage: st, Directions: []tuner.Direction{tuner.Minimize, tuner.Minimize},
			Sampler: &tuner.NSGAIISampler{PopulationSize: 4}, Parallelism: 1, Seed: 2})
		if err != nil {
			t.Fatal(err)
		}
		err = s.OptimizeMulti(ctx, func(_ context.Context, tr *tuner.Trial) ([]float64, error) {
			x, y := tr.Float("x", 0, 1), tr.Float("y", 0, 1)
			return []float64{x + y, (1 - x) * (1 + y)}, nil
		}, tuner.Budget{Trials: 10})
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(python, "testdata/continue_nsga.py", st.OptunaStorageURL(), "nsga", "4", "4")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("continue_nsga.py: %v\n%s", err, stderr.String())
		}
		var gens []int
		if err := json.Unmarshal(out, &gens); err != nil {
			t.Fatalf("%v in %s", err, out)
		}
		if want := []int{2, 2, 3, 3}; !reflect.DeepEqual(gens, want) {
			t.Errorf("Optuna gave its trials generations %v, want %v after gradtune's 0×4, 1×4, 2×2", gens, want)
		}
		trials, err := s.Trials(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(trials) != 14 || trials[13].Attrs["nsga2:generation"] != strconv.Itoa(3) {
			t.Errorf("gradtune reads %d trials, the last of generation %q; want 14, 3", len(trials), trials[len(trials)-1].Attrs["nsga2:generation"])
		}
	})
}
