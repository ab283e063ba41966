package trainer

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gradtune/gradtune/optimizers"
)

const interruptChildEnv = "GRADTUNE_TEST_INTERRUPT_STATE"

// The child half of TestSaveOnSIGTERMThenResume: train with
// InterruptContext and SaveOnInterrupt, say "ready" at step 4 of epoch 3
// and wait there for the parent's SIGTERM; Fit must then save and return
// context.Canceled, and the process exit 0.
func TestSaveOnInterruptChild(t *testing.T) {
	path := os.Getenv(interruptChildEnv)
	if path == "" {
		t.Skip("run by TestSaveOnSIGTERMThenResume")
	}
	sctx, stop := InterruptContext(context.Background())
	defer stop()
	wait := CallbackFunc(func(ctx context.Context, _ *Trainer, e *Event) error {
		if e.Kind != BatchEnd || e.Epoch != 3 || e.Batch != 4 {
			return nil
		}
		fmt.Println("ready")
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Minute):
			return errors.New("no signal came")
		}
	})
	s := resumeSchedules[1]
	tr, _ := resumeTrainer(t, optimizers.RMSProp{Centered: true, Momentum: 0.5}, s.sched, s.every, SaveOnInterrupt{Path: path}, wait)
	h, err := tr.Fit(sctx, blobs(t, 120, 1), blobs(t, 30, 2))
	if !errors.Is(err, context.Canceled) || len(h.Epochs) != 2 {
		t.Fatalf("Fit = %v after %d epochs, want context.Canceled after 2", err, len(h.Epochs))
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("nothing saved: %v", err)
	}
}

// A process sent SIGTERM in the middle of an epoch saves its state and
// exits 0; a new process resumes from the file (TestResumeChild) and ends
// with the uninterrupted run's weights and History, bit for bit.
func TestSaveOnSIGTERMThenResume(t *testing.T) {
	if os.Getenv(interruptChildEnv) != "" || os.Getenv(resumeChildEnv) != "" {
		t.Skip("in a child")
	}
	s, opt := resumeSchedules[1], optimizers.RMSProp{Centered: true, Momentum: 0.5}
	tr, m := resumeTrainer(t, opt, s.sched, s.every)
	h, err := tr.Fit(ctx, blobs(t, 120, 1), blobs(t, 30, 2))
	if err != nil {
		t.Fatal(err)
	}
	whole := runOf(m, h)
	path := filepath.Join(t.TempDir(), "run.state")

	cmd := exec.Command(os.Args[0], "-test.run=^TestSaveOnInterruptChild$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), interruptChildEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	for sc := bufio.NewScanner(out); sc.Scan(); {
		log.WriteString(sc.Text() + "\n")
		if sc.Text() == "ready" {
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("interrupted child: %v\n%s%s", err, log.String(), stderr.String())
	}
	if !strings.Contains(log.String(), "ready") {
		t.Fatalf("the child never reached the step to interrupt:\n%s", log.String())
	}

	cmd = exec.Command(os.Args[0], "-test.run=^TestResumeChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), resumeChildEnv+"="+path)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("resuming child: %v\n%s", err, b)
	}
	got, err := os.ReadFile(path + ".out")
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%v\n%+v", whole.weights, whole.hist); string(got) != want {
		t.Errorf("resumed after SIGTERM:\n got %s\nwant %s", got, want)
	}
}

// SaveOnInterrupt saves only when Fit is interrupted, refuses an empty
// Path, and a failed save is not hidden behind the cancellation.
func TestSaveOnInterruptErrors(t *testing.T) {
	train := blobs(t, 40, 1)
	path := filepath.Join(t.TempDir(), "state")
	tr, _ := freshTrainer(t, func(c *Config) { c.Callbacks = append(c.Callbacks, SaveOnInterrupt{Path: path}) })
	defer tr.Close()
	if _, err := tr.Fit(ctx, train, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a Fit that ran to its end saved a state (stat: %v)", err)
	}

	empty, _ := freshTrainer(t, func(c *Config) { c.Callbacks = append(c.Callbacks, SaveOnInterrupt{}) })
	defer empty.Close()
	if _, err := empty.Fit(ctx, train, nil); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "SaveOnInterrupt.Path is empty") {
		t.Errorf("Fit with an empty Path = %v, want ErrConfig naming it", err)
	}

	bad := filepath.Join(t.TempDir(), "no-such-folder", "state")
	cctx, cancel := context.WithCancel(ctx)
	stop := CallbackFunc(func(context.Context, *Trainer, *Event) error { cancel(); return nil })
	failing, _ := freshTrainer(t, func(c *Config) { c.Callbacks = append(c.Callbacks, stop, SaveOnInterrupt{Path: bad}) })
	defer failing.Close()
	_, err := failing.Fit(cctx, train, nil)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "SaveStateFile "+bad) {
		t.Errorf("Fit whose save failed = %v, want context.Canceled joined with the save's error", err)
	}
}
