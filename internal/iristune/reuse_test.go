package iristune

import (
	"context"
	"runtime"
	"testing"
)

// A trial trains every fold on one model and trainer (Reinit, Reset): the
// graphs are built once a trial, not once a fold, and building them was
// most of a trial's garbage (3.4 MB a trial when each fold built its own,
// about 5× a one-fold trial). Bytes, not time: the count does not depend
// on the machine's load.
func TestFoldsReuseTheGraphs(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 2 random configurations on 1 and on 5 folds")
	}
	p, err := Load(1)
	if err != nil {
		t.Fatal(err)
	}
	one := *p
	one.Folds = p.Folds[:1]
	bytes := func(p *Problem) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		trials, err := p.RandomSearch(context.Background(), 2, 1)
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range trials {
			if len(tr.Intermediate) != len(p.Folds) {
				t.Fatalf("trial %d reported %d folds, want %d", tr.Number, len(tr.Intermediate), len(p.Folds))
			}
		}
		return after.TotalAlloc - before.TotalAlloc
	}
	b1, b5 := bytes(&one), bytes(p)
	t.Logf("2 trials: %d bytes on 1 fold, %d on 5 (%.2f×)", b1, b5, float64(b5)/float64(b1))
	if float64(b5) > 3*float64(b1) {
		t.Errorf("2 trials allocated %d bytes on 5 folds, %.2f× the %d on 1 fold: want < 3× (the folds after the first reuse the graphs)", b5, float64(b5)/float64(b1), b1)
	}
}
