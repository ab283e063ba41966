package model

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gorgonia.org/tensor"
)

// Parallel trials saving into one folder: eight models saving to the same
// path 200 times each never fail, and the file left holds one model's
// weights whole. (Before atomicfile, all of them wrote "<path>.tmp": most
// rounds failed to rename or renamed another writer's half-written file.)
func TestSaveFileConcurrentSavers(t *testing.T) {
	const savers, rounds = 8, 200
	path := filepath.Join(t.TempDir(), "last.json")
	models := make([]*Model, savers)
	for i := range models {
		models[i], _ = New(MLP{Hidden: []int{16}, Out: 3}, Config{Inputs: 8, Seed: uint64(i + 1)})
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	failed := 0
	for _, m := range models {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				if err := m.SaveFile(path); err != nil {
					mu.Lock()
					if failed++; failed <= 3 {
						t.Error(err)
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if failed > 0 {
		t.Errorf("%d of %d saves failed", failed, savers*rounds)
	}
	loaded, _ := New(MLP{Hidden: []int{16}, Out: 3}, Config{Inputs: 8, Seed: 99})
	if err := loaded.LoadFile(path); err != nil {
		t.Fatalf("the file left by concurrent saves does not load: %v", err)
	}
	for _, m := range models {
		if reflect.DeepEqual(values(loaded), values(m)) {
			return
		}
	}
	t.Error("the file left by concurrent saves holds no saver's weights")
}

// killModel is the model the SIGKILL test's child saves: large enough
// (about 0.4 MB of JSON) that a kill often lands inside a save.
func killModel() *Model {
	m, _ := New(MLP{Hidden: []int{256}, Out: 10}, Config{Inputs: 64, Seed: 1, Dtype: tensor.Float64})
	return m
}

// fillParams sets every weight to v, so a loaded file tells which save it was.
func fillParams(m *Model, v float64) {
	for _, p := range m.Params() {
		d := p.Value.Data().([]float64)
		for i := range d {
			d[i] = v
		}
	}
}

// savedRound loads path and returns the round its weights hold, with an
// error unless it loads and every weight holds the same round.
func savedRound(path string) (int, error) {
	m := killModel()
	if err := m.LoadFile(path); err != nil {
		return 0, err
	}
	want := m.Params()[0].Value.Data().([]float64)[0]
	for _, p := range m.Params() {
		for _, v := range p.Value.Data().([]float64) {
			if v != want {
				return 0, fmt.Errorf("%s mixes rounds %v and %v", path, want, v)
			}
		}
	}
	return int(want), nil
}

const killChildEnv = "GRADTUNE_TEST_SAVE_UNTIL_KILLED"

// A process killed with SIGKILL at 20 random moments while it saves in a
// loop leaves, every time, the last checkpoint it finished (or the one it
// was renaming) loadable under the final name.
func TestSaveFileSurvivesSIGKILL(t *testing.T) {
	if path := os.Getenv(killChildEnv); path != "" {
		saveUntilKilled(path)
		return
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "last.json")
	rng := rand.New(rand.NewPCG(11, 12))
	lastDone := -1 // the last round a child reported finished
	for kill := range 20 {
		cmd := exec.Command(exe, "-test.run=^TestSaveFileSurvivesSIGKILL$")
		cmd.Env = append(os.Environ(), killChildEnv+"="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan int, 1000)
		go func() {
			defer close(lines)
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if r, err := strconv.Atoi(strings.TrimPrefix(sc.Text(), "saved ")); err == nil {
					lines <- r
				}
			}
		}()
		// Kill after the child's first save, 0–40 ms into the next ones.
		select {
		case r, ok := <-lines:
			if !ok {
				cmd.Wait()
				t.Fatalf("kill %d: the child ended before saving", kill)
			}
			lastDone = r
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("kill %d: no save in 30 s", kill)
		}
		time.Sleep(time.Duration(rng.IntN(40_000)) * time.Microsecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		for r := range lines { // to EOF, before Wait closes the pipe
			lastDone = r
		}
		cmd.Wait()
		got, err := savedRound(path)
		if err != nil {
			t.Fatalf("kill %d: %v", kill, err)
		}
		if got != lastDone && got != lastDone+1 { // +1: killed between rename and report
			t.Fatalf("kill %d: the file holds round %d, the child last finished round %d", kill, got, lastDone)
		}
		lastDone = got
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".last.json.tmp-*"))
	t.Logf("temporary files left by kills inside a save: %d of 20", len(left))
}

// saveUntilKilled is the child: it continues from the round in path (or 0)
// and saves rounds until killed, reporting each on stdout.
func saveUntilKilled(path string) {
	r, err := savedRound(path)
	if err != nil {
		r = -1
	}
	m := killModel()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); {
		r++
		fillParams(m, float64(r))
		if err := m.SaveFile(path); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Printf("saved %d\n", r)
	}
	os.Exit(3)
}
