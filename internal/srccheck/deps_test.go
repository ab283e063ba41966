package srccheck

import (
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Some packages must stay light. A study, its storage and its plots run
// without Gorgonia (the trainer adapter lives in tuner/tunertrainer). The
// training core runs no commands (no downloads through the go command: those
// live in package datasets) and draws no terminal (the bar lives in
// trainer/progress). Each entry names a package and the import paths that
// must not appear among its non-test dependencies: a path ending in "/" is a
// prefix, one ending in "=" matches only itself (the "=" dropped), any other
// matches itself and the packages below it; a package never counts against
// itself.
var forbiddenDeps = []struct {
	pkg       string
	forbidden []string
	why       string
}{
	{"./tuner", noTrainer, "tuner must not pull in the trainer or Gorgonia: put trainer adapters in tuner/tunertrainer"},
	{"./tuner/sqlite", noTrainer, "a storage needs neither the trainer nor Gorgonia"},
	{"./tuner/tunerplot", noTrainer, "plotting a study needs neither the trainer nor Gorgonia"},
	{"./tuner/prune", noTrainer, "a pruner needs neither the trainer nor Gorgonia"},
	{"./tuner/importance", noTrainer, "assessing importances needs neither the trainer nor Gorgonia"},
	{"./tuner/studyreport", noTrainer, "a study's report reads trials: it needs neither the trainer nor Gorgonia (tunertrainer's attribute names are checked by a test)"},
	{"./tuner/tpe", append([]string{tunerItself}, noTrainer...),
		"TPE's mathematics works on plain values: tuner imports it (a nil Config.Sampler is TPE), so it must not import tuner"},
	{"./tuner/nsgaii", append([]string{tunerItself}, noTrainer...),
		"NSGA-II's parts work on plain values: tuner imports them (NSGA-II is the default of several objectives), so they must not import tuner"},
	{"./tuner/pareto", append([]string{tunerItself}, noTrainer...),
		"Pareto fronts and hypervolumes work on plain values: tuner imports them, so they must not import tuner"},
	{"./trainer", []string{"os/exec", "github.com/schollz/progressbar", "golang.org/x/term",
		"github.com/gradtune/gradtune/datasets", "github.com/gradtune/gradtune/trainer/progress"},
		"the training core downloads nothing and draws no terminal: see datasets and trainer/progress"},
}

var noTrainer = []string{"gorgonia.org/", "github.com/gradtune/gradtune/trainer"}

// tunerItself is package tuner, not the packages below it (tuner/pareto is
// plain values too).
const tunerItself = "github.com/gradtune/gradtune/tuner="

func TestForbiddenDeps(t *testing.T) {
	gocmd, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to list dependencies with: %v", err)
	}
	for _, c := range forbiddenDeps {
		deps := listDeps(t, gocmd, c.pkg)
		self := "github.com/gradtune/gradtune/" + strings.TrimPrefix(c.pkg, "./")
		if !slices.Contains(deps, self) {
			t.Fatalf("go list -deps %s did not list %s itself: %q", c.pkg, self, deps)
		}
		for _, dep := range deps {
			if dep == self {
				continue
			}
			for _, f := range c.forbidden {
				if exact, ok := strings.CutSuffix(f, "="); ok {
					if dep == exact {
						t.Errorf("%s depends on %s: %s", c.pkg, dep, c.why)
					}
					continue
				}
				if dep == f || strings.HasPrefix(dep, strings.TrimSuffix(f, "/")+"/") {
					t.Errorf("%s depends on %s: %s", c.pkg, dep, c.why)
				}
			}
		}
	}
}

// listDeps returns `go list -deps pkg`, run at the module root: pkg's
// transitive non-test imports and pkg itself.
func listDeps(t *testing.T, gocmd, pkg string) []string {
	t.Helper()
	cmd := exec.Command(gocmd, "list", "-deps", pkg)
	cmd.Dir = filepath.Join("..", "..")
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list -deps %s: %v\n%s", pkg, err, stderr)
	}
	return strings.Fields(string(out))
}
