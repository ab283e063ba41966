package storagetest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

func confCreateAndReopen(t *testing.T, st tuner.Storage) {
	a, created, err := st.GetOrCreateStudy(ctx, "a", []tuner.Direction{tuner.Minimize})
	if err != nil || !created {
		t.Fatalf("first GetOrCreateStudy: id %d created %v err %v, want created", a, created, err)
	}
	again, created, err := st.GetOrCreateStudy(ctx, "a", []tuner.Direction{tuner.Minimize})
	if err != nil || created || again != a {
		t.Errorf("second GetOrCreateStudy: id %d created %v err %v, want id %d not created", again, created, err, a)
	}
	b, created, err := st.GetOrCreateStudy(ctx, "b", []tuner.Direction{tuner.Maximize})
	if err != nil || !created || b == a {
		t.Errorf("other study: id %d created %v err %v, want a new id", b, created, err)
	}
	// Through the study: a second Open of the same name sees the trials.
	cfg := tuner.Config{Name: "c", Storage: st, Parallelism: 1, Seed: 1}
	s1 := openStudy(t, cfg)
	if err := s1.Optimize(ctx, func(_ context.Context, tr *tuner.Trial) (float64, error) {
		return tr.Float("x", 0, 1), nil
	}, tuner.Budget{Trials: 3}); err != nil {
		t.Fatal(err)
	}
	first, _ := s1.Trials(ctx)
	second, err := openStudy(t, cfg).Trials(ctx)
	if err != nil || len(second) != 3 {
		t.Fatalf("reopened study has %d trials (%v), want 3", len(second), err)
	}
	for i := range first {
		if !SameRecord(first[i], second[i]) || first[i].ID != second[i].ID {
			t.Errorf("trial %d changed on reopening:\n%+v\n%+v", i, first[i], second[i])
		}
	}
}

func confDirectionMismatch(t *testing.T, st tuner.Storage) {
	for _, c := range []struct{ first, second tuner.Direction }{
		{tuner.Minimize, tuner.Maximize},
		{tuner.Maximize, tuner.Minimize},
	} {
		name := "study-" + c.first.String()
		if _, _, err := st.GetOrCreateStudy(ctx, name, []tuner.Direction{c.first}); err != nil {
			t.Fatal(err)
		}
		_, _, err := st.GetOrCreateStudy(ctx, name, []tuner.Direction{c.second})
		if !errors.Is(err, tuner.ErrConfig) || !strings.Contains(err.Error(), c.first.String()) || !strings.Contains(err.Error(), c.second.String()) {
			t.Errorf("%s reopened as %v: %v, want ErrConfig naming both directions", name, c.second, err)
		}
		if _, err := tuner.Open(ctx, tuner.Config{Name: name, Storage: st, Direction: c.second}); !errors.Is(err, tuner.ErrConfig) {
			t.Errorf("tuner.Open of %s as %v: %v, want ErrConfig", name, c.second, err)
		}
		if _, created, err := st.GetOrCreateStudy(ctx, name, []tuner.Direction{c.first}); err != nil || created {
			t.Errorf("%s as %v after the mismatch: created %v, %v", name, c.first, created, err)
		}
	}
}
