package studyreport_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/studyreport"
)

// A context cancelled before Write (a Ctrl-C during a long analysis, in
// cmd/study-report) writes nothing: no folder, no table over an earlier
// report's.
func TestWriteCancelledBeforeWritesNothing(t *testing.T) {
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	dir := filepath.Join(t.TempDir(), "report")
	files, err := studyreport.Write(cctx, dir, studyreport.Input{Trials: crafted(), Directions: minimize})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if len(files) != 0 {
		t.Errorf("files %q written after the context was cancelled", names(files))
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the folder was created (stat: %v)", err)
	}
}

// A report written over an earlier one in the same folder leaves no chart
// of the earlier one that report.txt now calls skipped.
func TestWriteRemovesTheChartsItSkips(t *testing.T) {
	dir := t.TempDir()
	if _, err := studyreport.Write(ctx, dir, studyreport.Input{Trials: crafted(), Directions: minimize}); err != nil {
		t.Fatal(err)
	}
	for _, f := range chartFiles("intermediate") {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatalf("the first report has no %s: %v", f, err)
		}
	}
	// The same study without intermediate values: its intermediate chart is skipped.
	trials := crafted()
	for i := range trials {
		trials[i].Intermediate = nil
	}
	files, err := studyreport.Write(ctx, dir, studyreport.Input{Trials: trials, Directions: minimize})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "report.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "intermediate: skipped: ") {
		t.Fatalf("report.txt does not skip the intermediate chart:\n%s", b)
	}
	for _, f := range chartFiles("intermediate") {
		if _, err := os.Stat(filepath.Join(dir, f)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s of the earlier report is still there (stat: %v), while report.txt says it was skipped", f, err)
		}
	}
	for _, f := range names(files) {
		if strings.HasPrefix(f, "intermediate") {
			t.Errorf("Write returned %s, which it skipped", f)
		}
	}
}

// The best trials of a study with constraints are its feasible ones, and
// report.txt says how many Complete trials the constraints left out.
func TestWriteSaysHowManyViolateAConstraint(t *testing.T) {
	trials := crafted()
	complete, infeasible := 0, 0
	for i := range trials {
		if trials[i].State != tuner.Complete {
			continue
		}
		complete++
		trials[i].Constraints = []float64{-1}
		if complete%3 == 0 { // every third Complete trial is infeasible, the best among them
			trials[i].Constraints = []float64{0.5}
			trials[i].Value, trials[i].Values = -1, []float64{-1}
			infeasible++
		}
	}
	dir := t.TempDir()
	if _, err := studyreport.Write(ctx, dir, studyreport.Input{Trials: trials, Directions: minimize}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "report.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := "best of the 10 feasible Complete trials (5 of the 15 violate a constraint):\n"
	if complete != 15 || infeasible != 5 {
		t.Fatalf("crafted study: %d Complete, %d made infeasible; want 15 and 5", complete, infeasible)
	}
	if !strings.Contains(string(b), want) {
		t.Errorf("report.txt does not say %q:\n%s", want, b)
	}
	if strings.Contains(string(b), "value -1\n") {
		t.Errorf("report.txt lists an infeasible trial (value -1) as the best:\n%s", b)
	}
}

// A diagnosis code is an attribute any writer of the study may set (a
// user, Optuna): in the doctor's causes a long one on several lines is
// folded onto one line and cut, as reasons are.
func TestWriteFoldsALongDiagnosisCode(t *testing.T) {
	trials := crafted()
	code := "weird\ncode " + strings.Repeat("z", 300)
	for i := range trials {
		if trials[i].Attrs["diagnosis"] != "" {
			trials[i].Attrs["diagnosis"] = code
		}
	}
	dir := t.TempDir()
	if _, err := studyreport.Write(ctx, dir, studyreport.Input{Trials: trials, Directions: minimize}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "report.txt"))
	if err != nil {
		t.Fatal(err)
	}
	_, txt, _ := strings.Cut(string(b), "Doctor's causes\n")
	if strings.Contains(txt, "\ncode ") {
		t.Errorf("the doctor's causes print the code on two lines:\n%s", txt)
	}
	want := "  weird code " + strings.Repeat("z", 200-len("weird code ")) + "…: "
	if !strings.Contains(txt, want) {
		t.Errorf("report.txt does not say %q:\n%s", want, txt)
	}
}
