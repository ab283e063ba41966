// Package pyjson writes and reads floats and lists of floats as Python's
// json module does (json.dumps, json.loads), which is how Optuna stores
// them: repr's shortest digits, "Infinity", "-Infinity" and "NaN" for the
// values JSON has no number for. It is shared by the tuner (a trial's
// constraints, kept as Optuna's system attribute "constraints") and
// tuner/rdb (distributions, attributes); it imports nothing of gradtune.
package pyjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ErrSyntax is wrapped by ParseFloats's errors.
var ErrSyntax = errors.New("pyjson: not a JSON list of numbers")

// Float formats f as Python's json.dumps does (repr): shortest digits, ".0"
// on integral values, exponent form below 1e-4 and from 1e16.
func Float(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	if a := math.Abs(f); a != 0 && (a < 1e-4 || a >= 1e16) {
		return strconv.FormatFloat(f, 'e', -1, 64)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// Floats formats xs as json.dumps formats a list (or tuple) of floats:
// "[0.5, -1.0]"; nil and empty give "[]".
func Floats(xs []float64) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, x := range xs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(Float(x))
	}
	b.WriteByte(']')
	return b.String()
}

// ParseFloats reads what json.loads reads as a list of numbers: a JSON
// array of numbers, Infinity, -Infinity or NaN, with any JSON whitespace;
// "null" (Optuna's None) gives nil, "[]" an empty, non-nil slice. Anything
// else, Go's own spellings ("+Inf", "0x1p-2") included, is an error
// wrapping ErrSyntax: what is accepted here, Python reads back the same.
func ParseFloats(s string) ([]float64, error) {
	s = strings.TrimSpace(s)
	if s == "null" {
		return nil, nil
	}
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil, fmt.Errorf("%w: %q", ErrSyntax, s)
	}
	body := strings.TrimSpace(s[1 : len(s)-1])
	out := []float64{}
	if body == "" {
		return out, nil
	}
	for _, tok := range strings.Split(body, ",") {
		x, err := parseNumber(strings.TrimSpace(tok))
		if err != nil {
			return nil, fmt.Errorf("%w: %q: %w", ErrSyntax, s, err)
		}
		out = append(out, x)
	}
	return out, nil
}

// parseNumber reads one JSON number or one of Python's three extra tokens.
func parseNumber(tok string) (float64, error) {
	switch tok {
	case "NaN":
		return math.NaN(), nil
	case "Infinity":
		return math.Inf(1), nil
	case "-Infinity":
		return math.Inf(-1), nil
	}
	// A JSON number starts with a digit or '-'; json.Valid checks the rest.
	if tok == "" || tok[0] != '-' && (tok[0] < '0' || tok[0] > '9') || !json.Valid([]byte(tok)) {
		return 0, fmt.Errorf("element %q is not a number", tok)
	}
	x, err := strconv.ParseFloat(tok, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, err
	}
	return x, nil // a number out of range is ±Inf or 0, as in Python
}
