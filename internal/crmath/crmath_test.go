package crmath

import (
	"encoding/json"
	"math"
	"os"
	"strconv"
	"testing"
)

// loadCases reads a section of libm.json: per case the argument, glibc's
// result and, for exp, the correctly rounded one.
func loadCases(t *testing.T, section string) [][]float64 {
	t.Helper()
	b, err := os.ReadFile("../../testdata/libm/libm.json")
	if err != nil {
		t.Fatal(err)
	}
	var g map[string]json.RawMessage
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	var raw [][]string
	if err := json.Unmarshal(g[section], &raw); err != nil {
		t.Fatal(err)
	}
	if len(raw) < 3000 {
		t.Fatalf("%s: only %d cases", section, len(raw))
	}
	cases := make([][]float64, len(raw))
	for i, c := range raw {
		cases[i] = make([]float64, len(c))
		for j := range c {
			if cases[i][j], err = strconv.ParseFloat(c[j], 64); err != nil {
				t.Fatalf("%s case %d: %v", section, i, err)
			}
		}
	}
	return cases
}

// Log and Exp are correctly rounded: Log equals glibc's (Python's) log bit
// for bit, Exp mpmath's exp rounded to float64 — where Go's math.Log and
// math.Exp are one ulp off too (and glibc's exp, rarely).
func TestCorrectlyRounded(t *testing.T) {
	for _, f := range []struct {
		name      string
		ours, gos func(float64) float64
		want      int // the column of the correctly rounded value
	}{
		{"log", Log, math.Log, 1},
		{"exp", Exp, math.Exp, 2},
	} {
		cases := loadCases(t, f.name)
		goOff, glibcOff := 0, 0
		for _, c := range cases {
			if got := f.ours(c[0]); got != c[f.want] {
				t.Errorf("%s(%v) = %v, correctly rounded %v", f.name, c[0], got, c[f.want])
			}
			if f.gos(c[0]) != c[f.want] {
				goOff++
			}
			if c[1] != c[f.want] {
				glibcOff++
			}
		}
		t.Logf("%s: %d cases; Go's math.%s is off on %d, glibc's on %d", f.name, len(cases), f.name, goOff, glibcOff)
		if goOff == 0 {
			t.Errorf("%s: the cases never catch Go's math function off: add some where it is", f.name)
		}
	}
}

// Outside their domain, and where Exp's result is not normal, they are Go's.
func TestEdges(t *testing.T) {
	for _, x := range []float64{0, -1, math.Inf(1), math.Inf(-1), math.NaN()} {
		if got, want := Log(x), math.Log(x); got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("Log(%v) = %v, want %v", x, got, want)
		}
	}
	for _, x := range []float64{-745.2, -740, 710, 1000, math.Inf(1), math.Inf(-1), math.NaN()} {
		if got, want := Exp(x), math.Exp(x); got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("Exp(%v) = %v, want %v", x, got, want)
		}
	}
}
