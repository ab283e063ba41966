package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/tunertrainer"
)

var maxMin = []tuner.Direction{tuner.Maximize, tuner.Minimize}

// trial is a complete trial of (accuracy, params) with a recorded latency.
func trial(n int, acc, params float64, latency time.Duration) tuner.FrozenTrial {
	return tuner.FrozenTrial{Number: n, State: tuner.Complete, Value: acc, Values: []float64{acc, params},
		Attrs: map[string]string{tunertrainer.AttrLatencyNs: fmt.Sprint(latency.Nanoseconds())}}
}

// A front of five models, by size: 0.80 at 1k, 0.86 at 2k (+0.06 for a
// doubling), 0.90 at 8k (+0.02 per doubling), 0.91 at 32k (+0.005 per
// doubling), 0.93 at 256k (+0.0067 per doubling).
var front = []tuner.FrozenTrial{
	trial(4, 0.91, 32000, 30*time.Microsecond),
	trial(0, 0.80, 1000, 5*time.Microsecond),
	trial(7, 0.93, 256000, 90*time.Microsecond),
	trial(2, 0.86, 2000, 8*time.Microsecond),
	trial(9, 0.90, 8000, 12*time.Microsecond),
}

func TestRules(t *testing.T) {
	for _, c := range []struct {
		name string
		got  tuner.FrozenTrial
		want int
	}{
		{"within 0.01 of 0.93", smallestWithin(front, 0.01), 7},
		{"within 0.025 of 0.93", smallestWithin(front, 0.025), 4},
		{"within 0.05 of 0.93", smallestWithin(front, 0.05), 9},
		{"within 1", smallestWithin(front, 1), 0},
		// 0 → 2 buys 0.06, 2 → 9 0.02 per doubling, 9 → 4 0.005: stop at 9.
		{"knee at 0.01 per doubling", knee(front, 0.01), 9},
		{"knee at 0.03 per doubling", knee(front, 0.03), 2},
		{"knee at 0.001 per doubling", knee(front, 0.001), 7},
		{"knee at 0.1 per doubling", knee(front, 0.1), 0},
	} {
		if c.got.Number != c.want {
			t.Errorf("%s: trial %d, want %d", c.name, c.got.Number, c.want)
		}
	}
	// Two models of the same size on the front (a tie) do not stop the walk.
	twins := append([]tuner.FrozenTrial{trial(3, 0.80, 1000, 0)}, front...)
	if got := knee(twins, 0.01); got.Number != 9 {
		t.Errorf("knee with a tie at the smallest size: trial %d, want 9", got.Number)
	}
	if f, ok := dominator(trial(11, 0.89, 9000, 0), front, maxMin); !ok || f.Number != 9 {
		t.Errorf("dominator of (0.89, 9000): %d %v, want trial 9", f.Number, ok)
	}
	if _, ok := dominator(trial(12, 0.95, 300000, 0), front, maxMin); ok {
		t.Error("(0.95, 300000) is dominated by none")
	}
}

// Under a tighter latency bound, the front is recomputed from the recorded
// latencies: trial 7 is out, and (0.92, 300k) at 40 µs, dominated by 7
// before, joins it.
func TestFrontWithin(t *testing.T) {
	trials := append(append([]tuner.FrozenTrial(nil), front...), trial(10, 0.92, 300000, 40*time.Microsecond))
	pruned := trial(11, 0.99, 10, time.Nanosecond)
	pruned.State = tuner.Pruned
	trials = append(trials, pruned)
	for _, c := range []struct {
		bound time.Duration
		want  []int
	}{
		{time.Second, []int{4, 0, 7, 2, 9}},
		{50 * time.Microsecond, []int{4, 0, 2, 9, 10}},
		{10 * time.Microsecond, []int{0, 2}},
		{time.Microsecond, nil},
	} {
		got, err := frontWithin(trials, maxMin, c.bound)
		var numbers []int
		for _, t := range got {
			numbers = append(numbers, t.Number)
		}
		if err != nil || fmt.Sprint(numbers) != fmt.Sprint(c.want) {
			t.Errorf("latency ≤ %v: front %v (%v), want %v", c.bound, numbers, err, c.want)
		}
	}
}

// The whole tutorial on a small budget: the study's census, a front table
// whose rows are complete trials, each dominated trial named with one that
// dominates it, the rules' choices from the front, the pruning audit and
// the three plots.
func TestTutorial(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 12 MLPs on 4,000 MNIST images, and reruns the pruned ones (about 10 s)")
	}
	dir := t.TempDir()
	var out bytes.Buffer
	if err := run(context.Background(), &out, options{Trials: 12, Seed: 1, MaxLatency: 100 * time.Microsecond, Tighter: 20 * time.Microsecond, Img: dir}); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	var all, complete, over, pruned, onFront int
	if _, err := fmt.Sscanf(text, "study: %d trials: %d complete (%d of them over 100µs), %d pruned; %d on the front",
		&all, &complete, &over, &pruned, &onFront); err != nil {
		t.Fatalf("first line of %q: %v", text, err)
	}
	if all != 12 || complete+pruned != 12 || onFront < 1 || onFront > complete-over {
		t.Errorf("census %d %d %d %d %d", all, complete, over, pruned, onFront)
	}
	for _, want := range []string{"| trial | model | accuracy | parameters | latency |", "rule 1, accuracy within 0.01 of the best: trial ",
		"rule 2, grow while a doubling buys 0.01: trial ", "with latency ≤ 20µs instead, the front has ",
		fmt.Sprintf(" epochs trained instead of %d (", 12*epochs),
		fmt.Sprintf(" of %d pruned configurations, trained to the end, would be on the front", pruned),
		"plots: " + dir + "/{front,parallel,curves}.png"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if n := strings.Count(text, "off the front: "); n+onFront != complete {
		t.Errorf("%d trials explained off the front and %d on it, of %d complete", n, onFront, complete)
	}
	for _, name := range []string{"front.png", "parallel.png", "curves.png"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) || len(b) < 10000 {
			t.Errorf("%s: %d bytes, %v", name, len(b), err)
		}
	}
}
