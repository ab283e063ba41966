package sqlite_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/sqlite"
	"github.com/gradtune/gradtune/tuner/storagetest"
)

// The helper process is this test binary run again with these variables.
const (
	envMode       = "GRADTUNE_SQLITE_HELPER" // "crash", "share" or "grid"
	envPath       = "GRADTUNE_SQLITE_PATH"
	envTrials     = "GRADTUNE_SQLITE_TRIALS"      // crash: TotalTrials; share: Trials
	envBlockAfter = "GRADTUNE_SQLITE_BLOCK_AFTER" // crash: stall every trial started after this many completed (0: never)
	helperStudy   = "proc"
	helperWorkers = 2
)

// helperValue is the helper objective's value: exact in float64, so the
// parent can recompute it from the stored parameters.
func helperValue(p map[string]any) float64 {
	x, n := p["x"].(float64), p["n"].(int)
	v := x*x + float64(n)
	if p["act"] == "tanh" {
		v += 0.5
	}
	return v
}

// reporter wraps a Storage and prints, after each commit, "started N" for a
// created trial and "completed N V" for a completed one, with V exact.
type reporter struct {
	tuner.Storage
	mu        sync.Mutex
	numbers   map[int64]int
	completed atomic.Int64
}

func (r *reporter) say(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(os.Stdout, format+"\n", args...) // unbuffered: one write(2) per line
}

func (r *reporter) CreateTrial(ctx context.Context, studyID int64, attrs map[string]string, claim *tuner.Claim) (tuner.FrozenTrial, error) {
	ft, err := r.Storage.CreateTrial(ctx, studyID, attrs, claim)
	if err == nil {
		r.mu.Lock()
		r.numbers[ft.ID] = ft.Number
		r.mu.Unlock()
		r.say("started %d", ft.Number)
	}
	return ft, err
}

func (r *reporter) FinishTrial(ctx context.Context, id int64, state tuner.TrialState, values []float64, kind tuner.FailKind, reason string) error {
	err := r.Storage.FinishTrial(ctx, id, state, values, kind, reason)
	if err == nil && state == tuner.Complete {
		v := values[0]
		r.mu.Lock()
		n := r.numbers[id]
		r.mu.Unlock()
		r.completed.Add(1)
		r.say("completed %d %s", n, strconv.FormatFloat(v, 'g', -1, 64))
	}
	return err
}

// TestHelperTuningProcess is not a test: the subprocess tests run it in a
// child process to tune a study on a shared file.
func TestHelperTuningProcess(t *testing.T) {
	mode := os.Getenv(envMode)
	if mode == "" {
		t.Skip("runs only as the child of TestCrashRecovery and TestTwoProcessesShareAFile")
	}
	trials, _ := strconv.Atoi(os.Getenv(envTrials))
	blockAfter, _ := strconv.Atoi(os.Getenv(envBlockAfter))
	if mode == "open" { // only open the file, at the parent's signal
		waitForGo(t, &reporter{})
	}
	st, err := sqlite.Open(os.Getenv(envPath))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rep := &reporter{Storage: st, numbers: map[int64]int{}}
	if mode == "open" {
		return
	}
	if mode == "grid" {
		runGridHelper(t, rep)
		return
	}
	s, err := tuner.Open(ctx, tuner.Config{Name: helperStudy, Storage: rep, Parallelism: helperWorkers, Seed: uint64(os.Getpid())})
	if err != nil {
		t.Fatal(err)
	}
	pid := strconv.Itoa(os.Getpid())
	obj := func(_ context.Context, tr *tuner.Trial) (float64, error) {
		tr.Float("x", -2, 2)
		tr.Int("n", 1, 4)
		tr.String("act", "relu", "tanh")
		if err := tr.SetAttr("pid", pid); err != nil {
			return 0, err
		}
		if blockAfter > 0 && rep.completed.Load() >= int64(blockAfter) {
			rep.say("inflight %d", tr.Number()) // everything of this trial is committed
			time.Sleep(time.Hour)               // until the parent kills us
		}
		time.Sleep(time.Duration(50+tr.Number()*37%51) * time.Millisecond) // 50–100 ms
		return helperValue(tr.Params()), nil
	}
	budget := tuner.Budget{Trials: trials}
	switch mode {
	case "crash":
		budget = tuner.Budget{TotalTrials: trials}
	case "share":
		waitForGo(t, rep)
	}
	if err := s.Optimize(ctx, obj, budget); err != nil {
		t.Fatal(err)
	}
	rep.say("done")
}

// waitForGo says "ready" and waits for the parent's "go" (runTogether):
// all processes open the study before any starts a trial, since tuner.Open
// fails the Running trials it finds as stale.
func waitForGo(t *testing.T, rep *reporter) {
	rep.say("ready")
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
}

// runTogether waits until every helper is ready (waitForGo), lets them go
// at once, and waits for them to end, within a minute.
func runTogether(t *testing.T, hs ...*helper) {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for _, h := range hs {
		var said []string
		for line := ""; line != "ready"; {
			var ok bool
			if line, ok = h.next(deadline); !ok {
				t.Fatalf("a helper did not get ready; it said:\n%s\nstderr:\n%s", strings.Join(said, "\n"), h.stderr.String())
			}
			said = append(said, line)
		}
	}
	for _, h := range hs {
		if _, err := io.WriteString(h.stdin, "go\n"); err != nil {
			t.Fatal(err)
		}
	}
	for _, h := range hs {
		for {
			if _, ok := h.next(deadline); !ok {
				break
			}
		}
		if err := h.cmd.Wait(); err != nil {
			t.Fatalf("helper: %v; stderr:\n%s", err, h.stderr.String())
		}
	}
}

// helper is a running child process and the lines it printed.
type helper struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string
	stderr bytes.Buffer
}

// startHelper starts the helper process in mode on path; it is killed when
// the test ends if still running.
func startHelper(t *testing.T, mode, path string, trials, blockAfter int) *helper {
	t.Helper()
	h := &helper{cmd: exec.Command(os.Args[0], "-test.run=^TestHelperTuningProcess$"), lines: make(chan string, 1000)}
	h.cmd.Env = append(os.Environ(), envMode+"="+mode, envPath+"="+path,
		envTrials+"="+strconv.Itoa(trials), envBlockAfter+"="+strconv.Itoa(blockAfter))
	h.cmd.Stderr = &h.stderr
	out, err := h.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if h.stdin, err = h.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := h.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if h.cmd.ProcessState == nil {
			h.cmd.Process.Kill()
			h.cmd.Wait()
		}
	})
	go func() {
		defer close(h.lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			h.lines <- sc.Text()
		}
	}()
	return h
}

// next returns the next line, ok false at the end of the output or after
// the deadline.
func (h *helper) next(deadline <-chan time.Time) (line string, ok bool) {
	select {
	case line, ok = <-h.lines:
		return line, ok
	case <-deadline:
		return "", false
	}
}

// progress is what a helper reported, by trial number.
type progress struct {
	started, inflight map[int]bool
	completed         map[int]float64
}

func (p *progress) note(t *testing.T, line string) {
	f := strings.Fields(line)
	if len(f) < 2 {
		return
	}
	n, err := strconv.Atoi(f[1])
	if err != nil {
		return
	}
	switch {
	case f[0] == "started":
		p.started[n] = true
	case f[0] == "inflight":
		p.inflight[n] = true
	case f[0] == "completed" && len(f) == 3:
		v, err := strconv.ParseFloat(f[2], 64)
		if err != nil {
			t.Fatalf("bad line %q: %v", line, err)
		}
		p.completed[n] = v
	}
}

// TestCrashRecovery kills a tuning process with SIGKILL once 5 trials are
// complete, either while both its workers are stalled inside objectives
// (everything committed: the Running trials must be exactly those) or at
// whatever moment that is (possibly mid-write). Then the file passes
// integrity_check, every trial it reported complete is there with its
// value, and reopening fails the Running ones as stale and completes the
// study with no trial lost or duplicated.
func TestCrashRecovery(t *testing.T) {
	const total, killAfter = 16, 5
	cases := []struct {
		name      string
		quiescent bool
	}{
		{"stalled", true},
		{"anytime", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := tempPath(t)
			block := 0
			if c.quiescent {
				block = killAfter
			}
			h := startHelper(t, "crash", path, total, block)
			p := &progress{started: map[int]bool{}, inflight: map[int]bool{}, completed: map[int]float64{}}
			deadline := time.After(60 * time.Second)
			for len(p.completed) < killAfter || c.quiescent && len(p.inflight) < helperWorkers {
				line, ok := h.next(deadline)
				if !ok {
					h.cmd.Process.Kill()
					h.cmd.Wait()
					t.Fatalf("the helper ended or stalled before %d completed trials: %+v\nstderr:\n%s", killAfter, p, h.stderr.String())
				}
				p.note(t, line)
			}
			if err := h.cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			for line := range h.lines { // what it printed before dying
				p.note(t, line)
			}
			if err := h.cmd.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
				t.Fatalf("helper exit: %v, want killed", err)
			}
			if len(p.completed) >= total {
				t.Fatalf("the helper finished all %d trials before the kill", total)
			}

			checkIntegrity(t, path)
			st := openAt(t, path)
			id, created, err := st.GetOrCreateStudy(ctx, helperStudy, []tuner.Direction{tuner.Minimize})
			if err != nil || created {
				t.Fatalf("the study is gone after the crash: created %v, %v", created, err)
			}
			crashed := allTrials(t, st, id)
			running := checkCrashState(t, crashed, p, c.quiescent)
			t.Logf("killed with %d trials in the file: %d reported complete, running %v", len(crashed), len(p.completed), sortedInts(running))

			s := openStudy(t, tuner.Config{Name: helperStudy, Storage: st, Parallelism: helperWorkers, Seed: 9})
			reopened, _ := s.Trials(ctx)
			for _, tr := range reopened {
				if running[tr.Number] != (tr.State == tuner.Failed && strings.Contains(tr.FailReason, "stale")) {
					t.Errorf("after reopening, trial %d is %v %q (running at the crash: %v)", tr.Number, tr.State, tr.FailReason, running[tr.Number])
				}
			}
			if err := s.Optimize(ctx, func(_ context.Context, tr *tuner.Trial) (float64, error) {
				tr.Float("x", -2, 2)
				tr.Int("n", 1, 4)
				tr.String("act", "relu", "tanh")
				return helperValue(tr.Params()), nil
			}, tuner.Budget{TotalTrials: total}); err != nil {
				t.Fatal(err)
			}
			final, _ := s.Trials(ctx)
			if !contiguous(final) || len(final) != total+len(running) {
				t.Errorf("%d trials after resuming, want %d numbered 0..%d (%d complete + %d stale)", len(final), total+len(running), total+len(running)-1, total, len(running))
			}
			complete := 0
			for _, tr := range final {
				switch {
				case running[tr.Number]:
					if tr.State != tuner.Failed {
						t.Errorf("stale trial %d: %v", tr.Number, tr.State)
					}
				case tr.State != tuner.Complete || tr.Value != helperValue(tr.Params):
					t.Errorf("trial %d: %v %v, want complete with %v", tr.Number, tr.State, tr.Value, helperValue(tr.Params))
				default:
					complete++
				}
				if tr.Number < len(crashed) && tr.State == tuner.Complete && !storagetest.SameRecord(tr, crashed[tr.Number]) {
					t.Errorf("trial %d changed after the crash:\n%+v\n%+v", tr.Number, tr, crashed[tr.Number])
				}
			}
			if complete != total {
				t.Errorf("%d complete trials, want %d", complete, total)
			}
		})
	}
}

// checkCrashState compares the trials in the file right after the kill with
// what the child reported, and returns the numbers of the Running ones.
func checkCrashState(t *testing.T, trials []tuner.FrozenTrial, p *progress, quiescent bool) map[int]bool {
	t.Helper()
	if !contiguous(trials) {
		t.Errorf("trial numbers after the crash are not 0..%d", len(trials)-1)
	}
	running := map[int]bool{}
	for _, tr := range trials {
		switch tr.State {
		case tuner.Running:
			running[tr.Number] = true
		case tuner.Complete:
			if tr.Value != helperValue(tr.Params) {
				t.Errorf("trial %d: value %v, want %v from its params %v", tr.Number, tr.Value, helperValue(tr.Params), tr.Params)
			}
		default:
			t.Errorf("trial %d is %v after the crash", tr.Number, tr.State)
		}
	}
	for n, v := range p.completed {
		if n >= len(trials) || trials[n].State != tuner.Complete || trials[n].Value != v {
			t.Errorf("reported complete trial %d with %v is not stored so", n, v)
		}
	}
	if quiescent {
		// Both workers stalled with everything committed: the Running
		// trials are exactly the stalled ones, the rest exactly the
		// reported complete ones.
		if fmt.Sprint(sortedInts(running)) != fmt.Sprint(sortedInts(p.inflight)) || len(trials) != len(p.completed)+len(running) {
			t.Errorf("running %v of %d trials, want the stalled %v and the %d reported complete", sortedInts(running), len(trials), sortedInts(p.inflight), len(p.completed))
		}
		return running
	}
	// Killed at any moment, a worker may have committed a step and not yet
	// printed it: a trial created but not reported started is Running, one
	// finished but not reported complete is Complete; at most one per worker.
	unreported := 0
	for _, tr := range trials {
		_, reportedDone := p.completed[tr.Number]
		switch {
		case !p.started[tr.Number]:
			unreported++
			if tr.State != tuner.Running {
				t.Errorf("trial %d: %v, never reported started, want running", tr.Number, tr.State)
			}
		case tr.State == tuner.Complete && !reportedDone:
			unreported++
		}
	}
	if len(running) > helperWorkers || unreported > helperWorkers {
		t.Errorf("%d running and %d unreported trials, want at most %d (one per worker)", len(running), unreported, helperWorkers)
	}
	return running
}

// checkIntegrity runs SQLite's own checks on the file, as another process would.
func checkIntegrity(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []struct{ pragma, want string }{
		{"PRAGMA integrity_check", "[[ok]]"},
		{"PRAGMA foreign_key_check", "[]"},
		{"PRAGMA journal_mode", "[[wal]]"},
	} {
		if got := fmt.Sprint(queryStrings(t, db, q.pragma)); got != q.want {
			t.Errorf("%s: %s, want %s", q.pragma, got, q.want)
		}
	}
}

// Processes that open one new file at the same moment all succeed: while
// they turn it to WAL, SQLite can answer "database is locked" without
// waiting, and Open must wait it out rather than fail.
func TestProcessesOpenANewFileTogether(t *testing.T) {
	for range 6 {
		path := tempPath(t)
		var hs []*helper
		for range 5 {
			hs = append(hs, startHelper(t, "open", path, 0, 0))
		}
		runTogether(t, hs...)
	}
}

// TestTwoProcessesShareAFile: two processes tune one study in one file at
// the same time, k trials each, after 6 queued trials: all 2k trials end
// complete, numbered 0..2k-1 once each, each queued trial claimed once, k
// per process, and the processes did run at the same time.
func TestTwoProcessesShareAFile(t *testing.T) {
	const k, queued = 10, 6
	path := tempPath(t)
	st := openAt(t, path)
	s := openStudy(t, tuner.Config{Name: helperStudy, Storage: st})
	dists := map[string]tuner.Distribution{"x": tuner.FloatDist{Low: -2, High: 2}}
	for q := 0; q < queued; q++ {
		if err := s.Enqueue(ctx, map[string]any{"x": float64(q) / 4}, dists); err != nil {
			t.Fatal(err)
		}
	}
	runTogether(t, startHelper(t, "share", path, k, 0), startHelper(t, "share", path, k, 0))
	trials, _ := s.Trials(ctx)
	if len(trials) != 2*k || !contiguous(trials) {
		t.Fatalf("%d trials, want %d numbered 0..%d", len(trials), 2*k, 2*k-1)
	}
	perPID := map[string]int{}
	first, last := map[string]time.Time{}, map[string]time.Time{}
	for _, tr := range trials {
		pid := tr.Attrs["pid"]
		perPID[pid]++
		if f, ok := first[pid]; !ok || tr.Start.Before(f) {
			first[pid] = tr.Start
		}
		if tr.Complete.After(last[pid]) {
			last[pid] = tr.Complete
		}
		if tr.State != tuner.Complete || tr.Value != helperValue(tr.Params) {
			t.Errorf("trial %d: %v %v, want complete with %v", tr.Number, tr.State, tr.Value, helperValue(tr.Params))
		}
		if tr.Number < queued && tr.Params["x"] != float64(tr.Number)/4 {
			t.Errorf("queued trial %d ran with x = %v, want %v", tr.Number, tr.Params["x"], float64(tr.Number)/4)
		}
	}
	if len(perPID) != 2 {
		t.Fatalf("trials by process %v, want two processes with %d each", perPID, k)
	}
	var pids []string
	for pid, n := range perPID {
		pids = append(pids, pid)
		if n != k {
			t.Errorf("process %s ran %d trials, want %d", pid, n, k)
		}
	}
	a, b := pids[0], pids[1]
	if !first[a].Before(last[b]) || !first[b].Before(last[a]) {
		t.Errorf("the processes did not overlap: %s ran %v–%v, %s ran %v–%v", a, first[a], last[a], b, first[b], last[b])
	}
}
