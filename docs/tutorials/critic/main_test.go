package main

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/critic"
)

// Two findings on one parameter add up: the lower upper bound of
// BadRegion and the log scale of UseLog, each computed from the space as
// it was; a dropped choice and a fixed value apply to the choices left;
// a parameter without a finding, or a finding without a distribution,
// changes nothing.
func TestFollow(t *testing.T) {
	sp := space{
		{"lr", tuner.FloatDist{Low: 1e-3, High: 1}},
		{"units", tuner.IntDist{Low: 4, High: 16, Log: true}},
		{"init", tuner.CategoricalDist{Choices: []any{"a", "b", "c"}}},
		{"eps", tuner.FloatDist{Low: 1e-8, High: 1e-6, Log: true}},
		{"batch", tuner.CategoricalDist{Choices: []any{16, 32}}},
	}
	findings := []critic.Finding{
		{Kind: critic.BadRegion, Param: "lr", Suggested: tuner.FloatDist{Low: 1e-3, High: 0.56}},
		{Kind: critic.AtBound, Param: "units", Suggested: tuner.IntDist{Low: 4, High: 50, Log: true}},
		{Kind: critic.UseLog, Param: "lr", Suggested: tuner.FloatDist{Low: 1e-3, High: 1, Log: true}},
		{Kind: critic.NeverWins, Param: "init", Suggested: tuner.CategoricalDist{Choices: []any{"a", "b"}}},
		{Kind: critic.Unimportant, Param: "init", Suggested: tuner.CategoricalDist{Choices: []any{"b"}}},
		{Kind: critic.Unimportant, Param: "eps", Suggested: tuner.FloatDist{Low: 4e-8, High: 4e-8}},
		{Kind: critic.BadRegion, Param: "batch"}, // no Suggested: nothing to apply
	}
	got, changes := follow(sp, findings)
	want := space{
		{"lr", tuner.FloatDist{Low: 1e-3, High: 0.56, Log: true}},
		{"units", tuner.IntDist{Low: 4, High: 50, Log: true}},
		{"init", tuner.CategoricalDist{Choices: []any{"b"}}},
		{"eps", tuner.FloatDist{Low: 4e-8, High: 4e-8}},
		{"batch", tuner.CategoricalDist{Choices: []any{16, 32}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("follow:\n got %v\nwant %v", got, want)
	}
	wantChanges := []string{
		"lr: float[0.001, 1] → float[0.001, 0.56] log",
		"units: int[4, 16] log → int[4, 50] log",
		"init: categorical[a b c] → categorical[b]",
		"eps: float[1e-08, 1e-06] log → float[4e-08, 4e-08]",
	}
	if !reflect.DeepEqual(changes, wantChanges) {
		t.Errorf("changes:\n got %q\nwant %q", changes, wantChanges)
	}
	if sp[0].Dist != (tuner.FloatDist{Low: 1e-3, High: 1}) {
		t.Errorf("follow changed its argument: lr is %v", sp[0].Dist)
	}
	// A suggestion of another kind replaces the distribution.
	swapped, _ := follow(space{{"n", tuner.IntDist{Low: 1, High: 3}}}, []critic.Finding{{Param: "n", Suggested: tuner.CategoricalDist{Choices: []any{2}}}})
	if !tuner.Equal(swapped[0].Dist, tuner.CategoricalDist{Choices: []any{2}}) {
		t.Errorf("int range followed by a choice: %v", swapped[0].Dist)
	}
	if again, none := follow(want, nil); !reflect.DeepEqual(again, want) || none != nil {
		t.Errorf("follow without findings: %v, %q", again, none)
	}
}

func TestHelpers(t *testing.T) {
	trials := []tuner.FrozenTrial{
		{Number: 0, State: tuner.Complete, Value: 0.8, Params: map[string]any{"lr": 0.01234, "init": "a"}},
		{Number: 1, State: tuner.Pruned, Attrs: map[string]string{"diagnosis": "diverging"}},
		{Number: 2, State: tuner.Complete, Value: 0.9, Params: map[string]any{"lr": 0.5, "init": "b"}},
		{Number: 3, State: tuner.Pruned, Attrs: map[string]string{"diagnosis": "exploding"}},
		{Number: 4, State: tuner.Complete, Value: 0.9},
		{Number: 5, State: tuner.Failed},
		{Number: 6, State: tuner.Pruned, Attrs: map[string]string{"diagnosis": "diverging"}},
	}
	b, ok := best(trials)
	sp := space{{"lr", tuner.FloatDist{Low: 1e-3, High: 1}}, {"init", tuner.CategoricalDist{Choices: []any{"a", "b"}}}}
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"best, the first of equals", [2]any{b.Number, ok}, [2]any{2, true}},
		{"census", census(trials), "7 trials: 3 complete, 3 pruned by diagnosis (diverging 2, exploding 1), 1 failed"},
		{"census, all complete", census(trials[:1]), "1 trials: 1 complete"},
		{"atLeast", atLeast(trials, 0.85), 2},
		{"describe", describe(sp, trials[0]), "lr=0.0123 init=a"},
		{"valueOr present", valueOr(map[string]any{"eps": 2e-8}, "eps", 1e-8), 2e-8},
		{"valueOr absent", valueOr(map[string]any{}, "init", "xavier_uniform"), "xavier_uniform"},
		{"firstRows", firstRows(3), []int{0, 1, 2}},
		{"findingsOf 1", findingsOf(1), "1 finding"},
		{"findingsOf 0", findingsOf(0), "0 findings"},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if _, ok := best(trials[5:6]); ok {
		t.Error("best of a failed trial")
	}
	row := sweepRow(3, []round{
		{Findings: []critic.Finding{{Kind: critic.BadRegion, Param: "lr"}, {Kind: critic.UseLog, Param: "lr"}}, Trials: trials, Test: 0.8},
		{Trials: trials[2:3], Test: 0.85},
	})
	if want := "| 3 | bad_region lr, use_log lr / — | 0.800 → 0.850 | 2 → 1 |"; row != want {
		t.Errorf("sweepRow = %q, want %q", row, want)
	}
}

// kinds lists a study's findings as "kind param".
func kinds(fs []critic.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s %s", f.Kind, f.Param))
	}
	return out
}

// The tutorial as docs/critic.md tells it. The bad space's study gets
// exactly two findings, both on the learning rate (its top decade
// diverges; its best trials sit in the decades a linear scale hardly
// draws); the space that follows them gets neither, but shows the
// initializer that never wins and the ε that does nothing; following
// those leaves one parameter to fix, then nothing. Each study beats the
// first on validation and on the held-out test digits, and more of its
// trials are useful. The first study, run again, gives the same trials.
func TestTutorial(t *testing.T) {
	if testing.Short() {
		t.Skip("runs four studies of 60 MLPs on MNIST digits (about 10 s)")
	}
	ctx := context.Background()
	var out bytes.Buffer
	o := options{Trials: 60, Rounds: 4, Seed: 1}
	rounds, err := run(ctx, &out, o)
	if err != nil {
		t.Fatal(err)
	}
	text := out.String()
	wantKinds := [][]string{
		{"bad_region lr", "use_log lr"},
		{"never_wins init", "unimportant eps"},
		{"unimportant init"},
		nil,
	}
	if len(rounds) != len(wantKinds) {
		t.Fatalf("%d studies, want %d:\n%s", len(rounds), len(wantKinds), text)
	}
	for i, r := range rounds {
		if got := kinds(r.Findings); !reflect.DeepEqual(got, wantKinds[i]) {
			t.Errorf("study %d: findings %q, want %q", i+1, got, wantKinds[i])
		}
		if len(r.Trials) != o.Trials {
			t.Errorf("study %d: %d trials, want %d", i+1, len(r.Trials), o.Trials)
		}
	}
	if t.Failed() {
		t.Fatalf("output:\n%s", text)
	}

	// Study 2's space is study 1's changed as its findings suggested.
	bad, useLog := rounds[0].Findings[0], rounds[0].Findings[1]
	lr2 := rounds[1].Space[0].Dist.(tuner.FloatDist)
	if lr2.High != bad.Suggested.(tuner.FloatDist).High || !lr2.Log || lr2.Low != badSpace[0].Dist.(tuner.FloatDist).Low ||
		useLog.Suggested != (tuner.FloatDist{Low: 1e-3, High: 1, Log: true}) {
		t.Errorf("study 2's lr %v, from %v and %v", lr2, bad.Suggested, useLog.Suggested)
	}
	if high := lr2.High; high <= 0.1 || high >= 1 {
		t.Errorf("lr's new upper bound %v, want in (0.1, 1): below the divergence, above the best", high)
	}
	// Study 1's pruned trials are its diverged ones, all above that bound.
	for _, tr := range rounds[0].Trials {
		if tr.State == tuner.Pruned && (tr.Attrs["diagnosis"] == "" || tr.Params["lr"].(float64) < 0.1) {
			t.Errorf("study 1, trial %d pruned at lr %v, diagnosis %q", tr.Number, tr.Params["lr"], tr.Attrs["diagnosis"])
		}
	}
	init2 := rounds[1].Findings[0]
	if !tuner.Equal(init2.Suggested, tuner.CategoricalDist{Choices: []any{"xavier_uniform", "he_normal"}}) {
		t.Errorf("never_wins init suggests %v, want normal dropped", init2.Suggested)
	}
	if !tuner.Equal(rounds[3].Space[1].Dist, rounds[2].Findings[0].Suggested) || !tuner.Single(rounds[3].Space[2].Dist) {
		t.Errorf("study 4's space %v: want init and eps fixed", rounds[3].Space)
	}

	first := rounds[0]
	for i, r := range rounds[1:] {
		if !(r.Best.Value > first.Best.Value) || !(r.Test > first.Test) || !(atLeast(r.Trials, 0.85) > atLeast(first.Trials, 0.85)) {
			t.Errorf("study %d: best %.3f (test %.3f), %d trials ≥ 0.85; study 1: %.3f (test %.3f), %d",
				i+2, r.Best.Value, r.Test, atLeast(r.Trials, 0.85), first.Best.Value, first.Test, atLeast(first.Trials, 0.85))
		}
	}
	for _, want := range []string{
		"== study 1\n", "space: lr   float[0.001, 1]\n", "critic: 2 findings\n", "change: lr: float[0.001, 1] → float[0.001, ",
		"critic: no finding\n", "== the best of each study, on the 1000 test digits\n",
		fmt.Sprintf("study 1: test accuracy %.3f (validation %.3f), 2 findings\n", first.Test, first.Best.Value),
		fmt.Sprintf("trials scoring ≥ 0.85: %d\n", atLeast(first.Trials, 0.85)),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}

	// Deterministic: the first study again, trial for trial.
	d, err := loadDigits(1000, 1000, 1000, o.Seed)
	if err != nil {
		t.Fatal(err)
	}
	again, findings, err := tune(ctx, d, badSpace, o.Trials, o.Seed)
	if err != nil {
		t.Fatal(err)
	}
	for i, tr := range again {
		was := first.Trials[i]
		if tr.State != was.State || tr.Value != was.Value && tr.State == tuner.Complete || !reflect.DeepEqual(tr.Params, was.Params) {
			t.Errorf("trial %d again: %v %v %v, first %v %v %v", i, tr.State, tr.Value, tr.Params, was.State, was.Value, was.Params)
		}
	}
	if !reflect.DeepEqual(kinds(findings), wantKinds[0]) || findings[0].Evidence != first.Findings[0].Evidence {
		t.Errorf("findings again %q, first %q", kinds(findings), kinds(first.Findings))
	}
}
