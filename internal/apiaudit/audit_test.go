package apiaudit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// call is one planned call: registry[fn] with argument i in modes[i].
// nilCtx marks the check that a nil context is refused with an error.
type call struct {
	fn     int
	modes  []mode
	nilCtx bool
}

// result is what the child process reports after one call.
type result struct {
	I      int    `json:"i"`
	Panic  string `json:"panic,omitempty"`
	Where  string `json:"where,omitempty"`
	Alloc  uint64 `json:"alloc"`
	Hang   bool   `json:"hang,omitempty"`
	NoErr  bool   `json:"noerr,omitempty"` // nilCtx call returned a nil error
	Millis int64  `json:"ms"`
}

const (
	allocLimit  = 256 << 20        // a call allocating more is a finding
	callTimeout = 20 * time.Second // a call running longer is a finding
)

func funcName(f any) string {
	name := runtime.FuncForPC(reflect.ValueOf(f).Pointer()).Name()
	return strings.TrimSuffix(name, "-fm")
}

// plan lists the calls: every argument plausible; each argument in turn in
// each hostile mode, the others plausible; every argument in the same hostile
// mode; and, for a function taking a context and returning an error, a nil
// context with everything else plausible.
func plan() []call {
	var calls []call
	for fi, f := range registry {
		if !audited(call{fn: fi}.name()) {
			continue
		}
		ft := reflect.TypeOf(f)
		n := ft.NumIn()
		uniform := func(m mode) []mode {
			ms := make([]mode, n)
			for i := range ms {
				ms[i] = m
			}
			return ms
		}
		calls = append(calls, call{fn: fi, modes: uniform(modeOne)})
		for i := range n {
			for m := modeZero; m < numModes; m++ {
				ms := uniform(modeOne)
				ms[i] = m
				calls = append(calls, call{fn: fi, modes: ms})
			}
		}
		if n > 1 {
			for m := modeZero; m < numModes; m++ {
				calls = append(calls, call{fn: fi, modes: uniform(m)})
			}
		}
		if ft.NumOut() > 0 && ft.Out(ft.NumOut()-1) == typeOf[error]() {
			for i := range n {
				if ft.In(i) == typeOf[context.Context]() {
					ms := uniform(modeOne)
					ms[i] = modeZero
					calls = append(calls, call{fn: fi, modes: ms, nilCtx: true})
				}
			}
		}
	}
	return calls
}

// name is the called function as in the registry, without the module path.
func (c call) name() string {
	return strings.TrimPrefix(funcName(registry[c.fn]), modulePath+"/")
}

func (c call) String() string {
	ft := reflect.TypeOf(registry[c.fn])
	var args []string
	for i, m := range c.modes {
		args = append(args, ft.In(i).String()+"="+m.String())
	}
	s := strings.TrimPrefix(funcName(registry[c.fn]), modulePath+"/") + "(" + strings.Join(args, ", ") + ")"
	if c.nilCtx {
		s += " [nil context must be an error]"
	}
	return s
}

// TestNoPanicEscapes runs the plan in child processes (a process abort, such
// as "out of memory", ends one child; the next resumes after the call that
// killed it) and fails on every panic that escapes, abort, hang, call
// allocating more than allocLimit, and nil context that is not an error.
func TestNoPanicEscapes(t *testing.T) {
	if testing.Short() {
		t.Skip("the audit runs for a while; not in -short")
	}
	calls := plan()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(t.TempDir(), "audit.log")
	var findings []finding
	panicsSeen, exempted := 0, 0
	offline := offlineEnv(t)
	start := time.Now()
	for next, children := 0, 0; next < len(calls); children++ {
		if children > 100 {
			t.Fatalf("more than 100 child processes died; stopping at call %d", next)
		}
		cmd := exec.Command(exe, "-test.run=^TestAuditChild$", "-test.v")
		cmd.Env = append(append(os.Environ(), offline...), "APIAUDIT_CHILD="+strconv.Itoa(next), "APIAUDIT_LOG="+logPath)
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stderr, &stderr
		runErr := cmd.Run()
		started, results := readLog(t, logPath)
		for _, r := range results {
			c := calls[r.I]
			switch {
			case r.Panic != "":
				panicsSeen++
				if why := exemption(c, r.Panic); why != "" {
					exempted++
					continue
				}
				findings = append(findings, finding{"PANIC " + c.name() + " at " + siteFunc(r.Where), fmt.Sprintf("PANIC %v: %s at %s", c, r.Panic, r.Where)})
			case r.Hang:
				findings = append(findings, finding{"HANG " + c.name(), fmt.Sprintf("HANG %v: still running after %v", c, callTimeout)})
			case r.NoErr:
				findings = append(findings, finding{"NILCTX " + c.name(), fmt.Sprintf("NIL CONTEXT ACCEPTED %v", c)})
			}
			if r.Alloc > allocLimit {
				findings = append(findings, finding{"ALLOC " + c.name(), fmt.Sprintf("ALLOC %v: %d MiB", c, r.Alloc>>20)})
			}
			if os.Getenv("APIAUDIT_VERBOSE") != "" {
				t.Logf("%d %v: %d ms, %d KiB", r.I, c, r.Millis, r.Alloc>>10)
			}
		}
		if runErr == nil {
			break
		}
		if started < 0 {
			t.Fatalf("child failed before its first call: %v\n%s", runErr, tail(stderr.String()))
		}
		if !slices.ContainsFunc(results, func(r result) bool { return r.I == started && r.Hang }) {
			findings = append(findings, finding{"ABORT " + calls[started].name(), fmt.Sprintf("ABORT %v: the process died: %v\n%s", calls[started], runErr, tail(stderr.String()))})
		}
		next = started + 1
	}
	t.Logf("%d calls to %d functions and methods in %v: %d panics recovered here, %d of them exempt (see exemptions)",
		len(calls), len(registry), time.Since(start).Round(time.Millisecond), panicsSeen, exempted)
	checkFindings(t, findings)
}

// tail keeps the first lines of a child's dying words (the fatal error and
// the top of the stack).
func tail(s string) string {
	if i := strings.Index(s, "fatal error"); i >= 0 {
		s = s[i:]
	}
	lines := strings.Split(s, "\n")
	return strings.Join(lines[:min(len(lines), 12)], "\n")
}

// readLog reads the child's log: "S i" before call i, then one JSON result.
// started is the last call begun, -1 if none.
func readLog(t *testing.T, path string) (started int, results []result) {
	f, err := os.Open(path)
	if err != nil {
		return -1, nil
	}
	defer f.Close()
	started = -1
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if s, ok := strings.CutPrefix(line, "S "); ok {
			started, _ = strconv.Atoi(s)
			continue
		}
		var r result
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("child log line %q: %v", line, err)
		}
		results = append(results, r)
	}
	return started, results
}

// TestAuditChild is the child process of TestNoPanicEscapes; it does nothing
// in a normal test run.
func TestAuditChild(t *testing.T) {
	first, err := strconv.Atoi(os.Getenv("APIAUDIT_CHILD"))
	if err != nil {
		t.Skip("runs only as TestNoPanicEscapes's child")
	}
	log, err := os.Create(os.Getenv("APIAUDIT_LOG"))
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	// Files the calls write (paths "a", "../../x") land under a temporary
	// folder, deep enough that "../.." stays inside it.
	dir := filepath.Join(t.TempDir(), "d1", "d2", "d3")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	limitMemory()
	debug.SetMemoryLimit(1 << 30)
	calls := plan()
	for i := first; i < len(calls); i++ {
		fmt.Fprintf(log, "S %d\n", i)
		r := runCall(calls[i])
		r.I = i
		b, _ := json.Marshal(r)
		log.Write(append(b, '\n'))
		if r.Hang {
			os.Exit(3) // the call still runs: start afresh
		}
	}
}

// runCall makes c's arguments and calls it on its own goroutine, recovering a
// panic and measuring what it allocated.
func runCall(c call) result {
	var r result
	done := make(chan struct{})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	t0 := time.Now()
	go func() {
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				r.Panic = fmt.Sprint(p)
				r.Where = panicSite(debug.Stack())
			}
		}()
		f := reflect.ValueOf(registry[c.fn])
		ft := f.Type()
		args := make([]reflect.Value, ft.NumIn())
		for i := range args {
			args[i] = argument(ft.In(i), c.modes[i])
		}
		var out []reflect.Value
		if ft.IsVariadic() {
			out = f.CallSlice(args)
		} else {
			out = f.Call(args)
		}
		if c.nilCtx && out[len(out)-1].IsNil() {
			r.NoErr = true
		}
	}()
	select {
	case <-done:
	case <-time.After(callTimeout):
		r.Hang = true
		return r
	}
	r.Millis = time.Since(t0).Milliseconds()
	runtime.ReadMemStats(&after)
	r.Alloc = after.TotalAlloc - before.TotalAlloc
	return r
}

// argument makes an argument; a panic while making it (a factory's bug, not
// the API's) is reported as such.
func argument(t reflect.Type, m mode) reflect.Value {
	return fill(t, m, 0)
}

// panicSite is the innermost frame of the stack in this module, outside the
// audit itself.
func panicSite(stack []byte) string {
	lines := strings.Split(string(stack), "\n")
	for i := 0; i+1 < len(lines); i++ {
		fn := lines[i]
		if strings.HasPrefix(fn, modulePath+"/") && !strings.HasPrefix(fn, modulePath+"/internal/apiaudit") &&
			!strings.HasPrefix(fn, modulePath+"/panics.") {
			if j := strings.LastIndex(fn, "("); j > 0 {
				fn = fn[:j]
			}
			loc := strings.TrimSpace(lines[i+1])
			if j := strings.LastIndex(loc, " +0x"); j > 0 {
				loc = loc[:j]
			}
			return strings.TrimPrefix(fn, modulePath+"/") + " " + trimRoot(loc)
		}
	}
	return "(outside-gradtune)"
}

// trimRoot makes a file path relative to the module root.
func trimRoot(path string) string {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		return path
	}
	return strings.TrimPrefix(path, root+string(filepath.Separator))
}
