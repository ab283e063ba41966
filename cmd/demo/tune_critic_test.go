package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

// With no finding the critic line says what the critic's docs say of it:
// nothing was shown, which is not a sign the search space is right (its
// tests miss real flaws in small studies).
func TestCriticWithoutFindingClaimsNothing(t *testing.T) {
	var out bytes.Buffer
	if err := printCritic(&out, nil, []tuner.Direction{tuner.Maximize}); err != nil {
		t.Fatal(err)
	}
	line := out.String()
	if strings.Contains(line, "looks right") || !strings.Contains(line, `"not shown", not as "fine"`) || !strings.HasPrefix(line, "tune: critic: no finding in 0 trials") {
		t.Errorf("critic line %q: want no finding in 0 trials, read as \"not shown\", not as \"fine\"", line)
	}
}
