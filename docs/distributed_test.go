package docs

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gradtune/gradtune/internal/testdb"
	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/rdb"
)

var step = regexp.MustCompile("(?s)<!-- step -->\\s*```(sh|python)\\n(.*?)```")

// TestDistributedTutorial runs the steps of distributed.md as they are
// written: three tune-worker processes on one PostgreSQL study, then
// Optuna's load_study from Python, which must see the workers' 40 trials
// and their best. It skips without a server or Optuna, and fails then
// with GRADTUNE_REQUIRE_SERVERS=1.
func TestDistributedTutorial(t *testing.T) {
	if testing.Short() {
		t.Skip("builds tune-worker and runs 40 trainings in 3 processes")
	}
	page, err := os.ReadFile("distributed.md")
	if err != nil {
		t.Fatal(err)
	}
	steps := step.FindAllStringSubmatch(string(page), -1)
	if len(steps) != 2 || steps[0][1] != "sh" || steps[1][1] != "python" {
		t.Fatalf("distributed.md has %d marked steps, want the workers (sh) then load_study (python)", len(steps))
	}
	dbURL := testdb.Postgres(t)
	py := testdb.Python(t, "optuna")
	testdb.Python(t, "psycopg2")

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bin := t.TempDir()
	env := append(os.Environ(), "GRADTUNE_PG_URL="+dbURL, "GOBIN="+bin, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))

	workers := exec.CommandContext(ctx, "bash", "-eu", "-c", steps[0][2])
	workers.Dir, workers.Env = "..", env // the repository's root, as the page says
	out, err := workers.CombinedOutput()
	if err != nil {
		t.Fatalf("the workers' step: %v\n%s", err, out)
	}
	for m := 1; m <= 3; m++ {
		tag := fmt.Sprintf("[machine %d] ", m)
		if !strings.Contains(string(out), tag+"tune-worker: pid ") || !strings.Contains(string(out), tag+"best so far: trial ") {
			t.Errorf("machine %d did not join the study and report its best:\n%s", m, out)
		}
	}
	if done := regexp.MustCompile(`(?m)^\[machine \d\] trial \d+ done: `).FindAllString(string(out), -1); len(done) != 40 {
		t.Errorf("%d trials done across the 3 workers, want the grid's 40:\n%s", len(done), out)
	}

	script := filepath.Join(t.TempDir(), "watch.py")
	if err := os.WriteFile(script, []byte(steps[1][2]), 0o644); err != nil {
		t.Fatal(err)
	}
	watch := exec.CommandContext(ctx, py, script)
	watch.Env = env
	pyOut, err := watch.CombinedOutput()
	if err != nil {
		t.Fatalf("the load_study step: %v\n%s", err, pyOut)
	}
	// Ties for the best may be broken differently (Optuna's SQL orders by
	// value only): the trial Optuna names must be one of gradtune's best.
	m := regexp.MustCompile(`^40 trials, 40 complete\nbest: trial (\d+) (\S+) `).FindStringSubmatch(string(pyOut))
	if m == nil {
		t.Fatalf("Optuna printed:\n%s\nwant 40 trials, 40 complete and the best trial", pyOut)
	}
	trials, best := studyTrials(t, dbURL, "iris-3m")
	number, _ := strconv.Atoi(m[1])
	value, err := strconv.ParseFloat(m[2], 64)
	if err != nil || value != best.Value || number >= len(trials) || trials[number].Value != best.Value {
		t.Errorf("Optuna's best: trial %s value %s; gradtune's best value %v (trial %d)", m[1], m[2], best.Value, best.Number)
	}
}

// studyTrials returns the trials and the best trial of study name at url,
// as gradtune reads them.
func studyTrials(t *testing.T, url, name string) ([]tuner.FrozenTrial, tuner.FrozenTrial) {
	t.Helper()
	ctx := context.Background()
	st, err := rdb.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s, err := tuner.Open(ctx, tuner.Config{Name: name, Direction: tuner.Maximize, Storage: st})
	if err != nil {
		t.Fatal(err)
	}
	trials, err := s.Trials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	best, err := s.Best(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return trials, best
}
