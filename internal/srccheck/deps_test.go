package srccheck

import (
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The training core runs no commands (no downloads through the go command)
// and draws no terminal: fetching data sets lives in package datasets and
// the progress bar in trainer/progress, which trainer must not import,
// directly or not.
func TestTrainerDependencies(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command:", err)
	}
	cmd := exec.Command(goCmd, "list", "-deps", "./trainer")
	cmd.Dir = filepath.Join("..", "..")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps ./trainer: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 || !slices.Contains(deps, "github.com/gradtune/gradtune/trainer") {
		t.Fatalf("go list -deps ./trainer printed %d packages, without the trainer itself: %q", len(deps), out)
	}
	for _, forbidden := range []string{"os/exec", "github.com/schollz/progressbar", "golang.org/x/term", "github.com/gradtune/gradtune/datasets", "github.com/gradtune/gradtune/trainer/progress"} {
		for _, d := range deps {
			if d == forbidden || strings.HasPrefix(d, forbidden+"/") {
				t.Errorf("trainer depends on %s", d)
			}
		}
	}
}
