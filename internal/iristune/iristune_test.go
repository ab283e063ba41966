package iristune

import (
	"context"
	"reflect"
	"testing"

	"github.com/gradtune/gradtune/tuner"
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

// Reseeded splits the same rows into other folds under the new seed and
// keeps the diagnosis switch; the seed it was given is the one it uses.
func TestReseeded(t *testing.T) {
	p, err := Load(1)
	if err != nil {
		t.Fatal(err)
	}
	p.PruneOnDiagnosis = true
	q, err := p.Reseeded(2)
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := Load(2)
	if err != nil {
		t.Fatal(err)
	}
	if q.Full != p.Full || q.Seed != 2 || !q.PruneOnDiagnosis || q.Classes != 3 {
		t.Fatalf("Reseeded(2): rows shared %v, seed %d, PruneOnDiagnosis %v, classes %d; want true, 2, true, 3",
			q.Full == p.Full, q.Seed, q.PruneOnDiagnosis, q.Classes)
	}
	if !reflect.DeepEqual(q.Folds, fresh.Folds) {
		t.Fatal("Reseeded(2)'s folds differ from Load(2)'s")
	}
	if reflect.DeepEqual(q.Folds, p.Folds) {
		t.Fatal("Reseeded(2) kept seed 1's folds")
	}
}

// With PruneOnDiagnosis, a configuration whose training blows up (Adam at
// lr 0.3 with β1 0.99 on batches of 8) is pruned at its first fold, and the
// trial records the doctor's cause; without it, the same trial completes.
func TestPruneOnDiagnosis(t *testing.T) {
	if testing.Short() {
		t.Skip("trains an MLP on Iris")
	}
	p, err := Load(1)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	run := func(p *Problem) tuner.FrozenTrial {
		t.Helper()
		study, err := tuner.Open(ctx, tuner.Config{Direction: tuner.Maximize, Parallelism: 1})
		if err != nil {
			t.Fatal(err)
		}
		params := map[string]any{"lr": 0.3, "batch_size": 8, "epochs": 10, "optimizer": "adam", "beta1": 0.99,
			"layers": 1, "units_0": 64, "activation": "relu", "initializer": "he_normal", "l2": 1e-6}
		dists := map[string]tuner.Distribution{
			"lr": tuner.FloatDist{Low: 1e-4, High: 0.3, Log: true}, "batch_size": tuner.CategoricalDist{Choices: []any{8, 16, 32}},
			"epochs": tuner.IntDist{Low: 10, High: 80, Step: 10}, "optimizer": tuner.CategoricalDist{Choices: []any{"adam", "sgd", "rmsprop"}},
			"beta1": tuner.FloatDist{Low: 0.8, High: 0.99}, "layers": tuner.IntDist{Low: 1, High: 3, Step: 1},
			"units_0": tuner.IntDist{Low: 4, High: 64, Step: 1, Log: true}, "activation": tuner.CategoricalDist{Choices: []any{"relu", "tanh", "elu"}},
			"initializer": tuner.CategoricalDist{Choices: []any{"he_normal", "xavier_uniform"}}, "l2": tuner.FloatDist{Low: 1e-6, High: 1e-2, Log: true},
		}
		if err := study.Enqueue(ctx, params, dists); err != nil {
			t.Fatal(err)
		}
		if err := study.Optimize(ctx, p.Objective(), tuner.Budget{Trials: 1}); err != nil {
			t.Fatal(err)
		}
		trials, err := study.Trials(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return trials[0]
	}
	plain := run(p)
	if plain.State != tuner.Complete || plain.Attrs["diagnosis"] != "" {
		t.Fatalf("without the doctor: %v %q, want Complete with no diagnosis", plain.State, plain.Attrs["diagnosis"])
	}
	p.PruneOnDiagnosis = true
	watched := run(p)
	if watched.State != tuner.Pruned || watched.Attrs["diagnosis"] == "" || watched.Attrs["diagnosis_reason"] == "" || len(watched.Intermediate) != 0 {
		t.Fatalf("with the doctor: %v, diagnosis %q (%q), %d folds reported; want Pruned in the first fold with a cause",
			watched.State, watched.Attrs["diagnosis"], watched.Attrs["diagnosis_reason"], len(watched.Intermediate))
	}
}
