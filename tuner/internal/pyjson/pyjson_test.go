package pyjson

import (
	"errors"
	"math"
	"reflect"
	"testing"
)

func TestFloatLikePython(t *testing.T) {
	// Each want is Python 3's json.dumps(x).
	for _, c := range []struct {
		x    float64
		want string
	}{
		{0.5, "0.5"}, {-1, "-1.0"}, {0, "0.0"}, {1e-5, "1e-05"}, {1e16, "1e+16"},
		{123456.789, "123456.789"}, {math.Inf(1), "Infinity"}, {math.Inf(-1), "-Infinity"}, {math.NaN(), "NaN"},
	} {
		if got := Float(c.x); got != c.want {
			t.Errorf("Float(%v) = %q, want %q", c.x, got, c.want)
		}
	}
	if got := Floats([]float64{0.5, -1, math.Inf(1)}); got != "[0.5, -1.0, Infinity]" {
		t.Errorf("Floats = %q", got)
	}
	if got := Floats(nil); got != "[]" {
		t.Errorf("Floats(nil) = %q", got)
	}
}

func TestParseFloats(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []float64
	}{
		{"[0.5, -1.0, Infinity]", []float64{0.5, -1, math.Inf(1)}},
		{" [ -Infinity ,2,3e2 ] ", []float64{math.Inf(-1), 2, 300}},
		{"[]", []float64{}},
		{"null", nil},
		{"[1e400]", []float64{math.Inf(1)}},
	} {
		got, err := ParseFloats(c.in)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseFloats(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	if got, err := ParseFloats("[NaN]"); err != nil || len(got) != 1 || !math.IsNaN(got[0]) {
		t.Errorf("ParseFloats([NaN]) = %v, %v", got, err)
	}
	for _, bad := range []string{"", "1", "[", "[1,]", "[+Inf]", "[inf]", "[0x1p-2]", `["1"]`, "[1 2]", "[[1]]", "{}", "[true]"} {
		if got, err := ParseFloats(bad); !errors.Is(err, ErrSyntax) {
			t.Errorf("ParseFloats(%q) = %v, %v; want ErrSyntax", bad, got, err)
		}
	}
	// What Floats writes comes back bit for bit.
	xs := []float64{math.SmallestNonzeroFloat64, -math.MaxFloat64, 0.1, 1e-7, 2.5e20}
	got, err := ParseFloats(Floats(xs))
	if err != nil || !reflect.DeepEqual(got, xs) {
		t.Errorf("round trip: %v, %v; want %v", got, err, xs)
	}
}
