package iristune

import (
	"context"
	"testing"
)

// Iris is 150 rows of 4 features in 3 balanced classes; stratified 5-fold
// CV puts 30 rows, 10 of each species, in every validation part.
func TestLoad(t *testing.T) {
	p, err := Load(1)
	if err != nil {
		t.Fatal(err)
	}
	if p.Full.Len() != 150 || p.Full.Features() != 4 || p.Classes != 3 || len(p.Folds) != Folds || len(p.Warnings) != 0 {
		t.Fatalf("Load: %d rows, %d features, %d classes, %d folds, warnings %q; want 150, 4, 3, 5, none",
			p.Full.Len(), p.Full.Features(), p.Classes, len(p.Folds), p.Warnings)
	}
	labels, err := p.Full.Labels()
	if err != nil {
		t.Fatal(err)
	}
	seen := make([]int, p.Full.Len())
	for k, f := range p.Folds {
		perClass := make([]int, p.Classes)
		for _, i := range f.Val {
			seen[i]++
			perClass[labels[i]]++
		}
		if len(f.Val) != 30 || len(f.Train) != 120 || perClass[0] != 10 || perClass[1] != 10 || perClass[2] != 10 {
			t.Errorf("fold %d: %d val rows (per class %v), %d train rows; want 30 (10 each), 120", k, len(f.Val), perClass, len(f.Train))
		}
	}
	for i, n := range seen {
		if n != 1 {
			t.Fatalf("row %d is in %d validation parts, want 1", i, n)
		}
	}
}

// cmd/bench times RandomSearch at parallelism 1 and 2 as the same work: the
// same configurations, each trained on every fold, giving the same scores
// (each trial's trainers are seeded and share nothing with the other's).
func TestRandomSearchSameWorkAtAnyParallelism(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 4 random configurations twice on 5 folds (a few seconds)")
	}
	p, err := Load(1)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	one, err := p.RandomSearch(ctx, 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	two, err := p.RandomSearch(ctx, 4, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := SameConfigs(one, two); err != nil {
		t.Fatal(err)
	}
	for i, a := range one {
		b := two[i]
		if len(a.Intermediate) != Folds {
			t.Errorf("trial %d reported %d folds, want %d (no pruning)", a.Number, len(a.Intermediate), Folds)
		}
		if a.Value != b.Value || a.Attrs["cv_std"] != b.Attrs["cv_std"] {
			t.Errorf("trial %d %v: accuracy %v±%s with 1 worker, %v±%s with 2", a.Number, a.Params, a.Value, a.Attrs["cv_std"], b.Value, b.Attrs["cv_std"])
		}
		if a.Value < 0 || a.Value > 1 {
			t.Errorf("trial %d: accuracy %v outside [0, 1]", a.Number, a.Value)
		}
	}
	// Another seed draws other configurations: the runs above did not
	// agree only because the sampler ignores its seed.
	q := *p
	q.Seed = 2
	other, err := q.RandomSearch(ctx, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if SameConfigs(one[:1], other) == nil {
		t.Errorf("seeds 1 and 2 drew the same first configuration %v", other[0].Params)
	}
}
