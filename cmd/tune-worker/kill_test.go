package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gradtune/gradtune/internal/testdb"
	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/rdb"
)

// Four worker processes share one study of the 40-point grid, on SQLite
// and on PostgreSQL; one is killed with SIGKILL as a trial starts. Another
// worker fails that trial for its heartbeat and re-runs it: exactly 40
// Complete trials, each grid point once, the killed trial Failed (stale)
// and re-run with its parameters, and the same best trial as a serial run
// of the grid.
func TestKillOneOfFourWorkers(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 4 processes and 80 trainings (about 20 s per backend)")
	}
	for _, backend := range []struct {
		name string
		url  func(t *testing.T) string // a fresh, empty study database
	}{
		{"sqlite", func(t *testing.T) string { return "sqlite:///" + filepath.Join(t.TempDir(), "shared.db") }},
		{"postgres", func(t *testing.T) string { return testdb.Postgres(t) }},
	} {
		t.Run(backend.name, func(t *testing.T) { killOneOfFour(t, backend.url(t)) })
	}
}

// killOneOfFour runs the kill test on the empty database at shared.
func killOneOfFour(t *testing.T, shared string) {
	dir := t.TempDir()
	flags := []string{"-storage", shared, "-study", "grid", "-sampler", "grid", "-trials", "40",
		"-heartbeat", "200ms", "-grace", "5s"}
	workers := make([]*exec.Cmd, 4)
	for i := range workers {
		cmd := exec.Command(os.Args[0], flags...)
		cmd.Env = append(os.Environ(), childEnv+"=1", holdEnv+"=150ms")
		var errb bytes.Buffer
		cmd.Stderr = &errb
		workers[i] = cmd
	}
	t.Cleanup(func() { // what the workers said, to diagnose a failure
		for i, w := range workers {
			if t.Failed() && w.Stderr != nil {
				t.Logf("worker %d stderr:\n%s", i, w.Stderr)
			}
		}
	})
	pipe, err := workers[0].StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range workers[1:] {
		w.Stdout = &bytes.Buffer{}
	}
	for _, w := range workers {
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
	}
	// Kill worker 0 mid-trial: once a trial it runs has its parameters
	// (the objective suggests them first, then trains for a few ms; the
	// worker then holds the trial 150 ms, holdEnv).
	go func() { // drain its progress lines
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
		}
	}()
	killed := killMidTrial(t, shared, workers[0].Process)
	workers[0].Wait()
	for i, w := range workers[1:] {
		if err := w.Wait(); err != nil {
			t.Fatalf("worker %d: %v\n%s", i+1, err, w.Stderr)
		}
	}

	trials := studyTrials(t, shared)
	complete := map[string]tuner.FrozenTrial{} // by grid point
	var requeued *tuner.FrozenTrial
	for _, tr := range trials {
		if tr.State == tuner.Complete {
			if prev, dup := complete[tr.Attrs["grid_id"]]; dup {
				t.Errorf("grid point %s finished twice: trials %d and %d", tr.Attrs["grid_id"], prev.Number, tr.Number)
			}
			complete[tr.Attrs["grid_id"]] = tr
		}
		if tr.Attrs["requeued_from"] == strconv.Itoa(killed) {
			requeued = &tr
		}
	}
	if len(complete) != 40 {
		t.Errorf("%d grid points complete, want 40", len(complete))
	}
	k := trials[killed]
	if k.State != tuner.Failed || k.FailKind != tuner.FailStale {
		t.Errorf("killed trial %d: %v %q, want failed as stale", killed, k.State, k.FailKind)
	}
	if requeued == nil || requeued.State != tuner.Complete || fmt.Sprint(requeued.Params) != fmt.Sprint(k.Params) {
		t.Errorf("killed trial %d (params %v) not re-run to completion with its parameters: %+v", killed, k.Params, requeued)
	}

	serial := "sqlite:///" + filepath.Join(dir, "serial.db")
	var out, errb bytes.Buffer
	if code := run(ctx, []string{"-storage", serial, "-study", "grid", "-sampler", "grid", "-trials", "40", "-heartbeat", "0"}, &out, &errb); code != 0 {
		t.Fatalf("serial run: exit %d: %s", code, errb.String())
	}
	serialTrials := studyTrials(t, serial)
	want, got := bestOf(t, serialTrials), bestOf(t, trials)
	if want.Value != got.Value || fmt.Sprint(want.Params) != fmt.Sprint(got.Params) {
		t.Errorf("best of 4 workers %v %v, serial run %v %v", got.Value, got.Params, want.Value, want.Params)
	}
	// Every point scored alike, so ties for the best cannot hide a difference.
	for _, s := range serialTrials {
		if p := complete[s.Attrs["grid_id"]]; p.Value != s.Value || fmt.Sprint(p.Params) != fmt.Sprint(s.Params) {
			t.Errorf("grid point %s: 4 workers %v %v, serial %v %v", s.Attrs["grid_id"], p.Value, p.Params, s.Value, s.Params)
		}
	}
}

// killMidTrial SIGKILLs worker w once a trial it runs has all its
// parameters, and returns that trial's number. A read of the trials may
// predate the trial's end, so w is stopped (SIGSTOP) and the trial checked
// again before the kill; if w has moved on, it continues and the watch goes on.
func killMidTrial(t *testing.T, url string, w *os.Process) int {
	t.Helper()
	pid := fmt.Sprintf("/%d/", w.Pid)
	midTrial := func() int { // the number of w's Running trial with all parameters, or -1
		for _, tr := range peekTrials(t, url) {
			if tr.State == tuner.Running && strings.Contains(tr.Attrs["owner"], pid) && len(tr.Params) == len(GridSpace) {
				return tr.Number
			}
		}
		return -1
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if midTrial() < 0 {
			continue
		}
		if err := w.Signal(syscall.SIGSTOP); err != nil {
			t.Fatalf("stop worker 0: %v", err)
		}
		if n := midTrial(); n >= 0 {
			if err := w.Signal(syscall.SIGKILL); err != nil {
				t.Fatalf("kill worker 0: %v", err)
			}
			return n
		}
		if err := w.Signal(syscall.SIGCONT); err != nil {
			t.Fatalf("continue worker 0: %v", err)
		}
	}
	t.Fatal("worker 0 ran no trial within 30 s")
	return -1
}

// studyTrials reads the trials of study "grid" at url.
func studyTrials(t *testing.T, url string) []tuner.FrozenTrial {
	t.Helper()
	st, err := rdb.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s, err := tuner.Open(ctx, tuner.Config{Name: "grid", Direction: tuner.Maximize, Storage: st})
	if err != nil {
		t.Fatal(err)
	}
	trials, err := s.Trials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return trials
}

// peekTrials reads the trials of study "grid" at url (creating it as the
// workers do if they have not yet; none while the file is not ready),
// without tuner.Open, which would fail the trials of dead processes.
func peekTrials(t *testing.T, url string) []tuner.FrozenTrial {
	t.Helper()
	// Bounded: a stopped worker may hold the database's lock.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	st, err := rdb.Open(ctx, url)
	if err != nil {
		return nil // not created yet, or busy
	}
	defer st.Close()
	id, created, err := st.GetOrCreateStudy(ctx, "grid", []tuner.Direction{tuner.Maximize})
	if err != nil || created {
		return nil
	}
	trials, _ := st.Trials(ctx, id)
	return trials
}

// bestOf is the Complete trial of highest value, the lowest grid point
// among ties (trial numbers differ between runs, grid points do not).
func bestOf(t *testing.T, trials []tuner.FrozenTrial) tuner.FrozenTrial {
	t.Helper()
	best := -1
	for i, tr := range trials {
		if tr.State == tuner.Complete && (best < 0 || tr.Value > trials[best].Value ||
			tr.Value == trials[best].Value && gridPoint(tr) < gridPoint(trials[best])) {
			best = i
		}
	}
	if best < 0 {
		t.Fatal("no complete trial")
	}
	return trials[best]
}

func gridPoint(t tuner.FrozenTrial) int {
	i, _ := strconv.Atoi(t.Attrs["grid_id"])
	return i
}
