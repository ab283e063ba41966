package srccheck

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Some packages must stay light: a study, its storage and its plots run
// without Gorgonia (the trainer adapter lives in tuner/tunertrainer). Each entry names a package and the
// import-path prefixes that must not appear among its non-test dependencies.
var forbiddenDeps = []struct {
	pkg       string
	forbidden []string
	why       string
}{
	{"./tuner", noTrainer, "tuner must not pull in the trainer or Gorgonia: put trainer adapters in tuner/tunertrainer"},
	{"./tuner/sqlite", noTrainer, "a storage needs neither the trainer nor Gorgonia"},
	{"./tuner/tunerplot", noTrainer, "plotting a study needs neither the trainer nor Gorgonia"},
}

var noTrainer = []string{"gorgonia.org/", "github.com/gradtune/gradtune/trainer"}

func TestForbiddenDeps(t *testing.T) {
	gocmd, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to list dependencies with: %v", err)
	}
	for _, c := range forbiddenDeps {
		for _, dep := range listDeps(t, gocmd, c.pkg) {
			for _, f := range c.forbidden {
				if strings.HasPrefix(dep, f) {
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
