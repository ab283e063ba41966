package diagnose

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// Report writes ds as plain text to w: a summary line, then each diagnosis
// (Diagnosis.String) separated by a blank line, errors first, then
// warnings, then infos, and by kind within a severity (ties keep their
// order). No diagnoses give "diagnose: no problems found". ds is not
// modified. It returns the first write error.
func Report(w io.Writer, ds []Diagnosis) error {
	if w == nil {
		return fmt.Errorf("%w: nil writer", ErrConfig)
	}
	if len(ds) == 0 {
		_, err := io.WriteString(w, "diagnose: no problems found\n")
		return err
	}
	sorted := slices.Clone(ds)
	slices.SortStableFunc(sorted, func(a, b Diagnosis) int {
		if a.Severity != b.Severity {
			return int(b.Severity) - int(a.Severity)
		}
		return strings.Compare(string(a.Kind), string(b.Kind))
	})
	var parts []string
	for i := 0; i < len(sorted); {
		j := i
		for j < len(sorted) && sorted[j].Severity == sorted[i].Severity {
			j++
		}
		parts = append(parts, plural(j-i, sorted[i].Severity.String()))
		i = j
	}
	var b strings.Builder
	fmt.Fprintf(&b, "diagnose: %s (%s)\n", plural(len(ds), "problem"), strings.Join(parts, ", "))
	for _, d := range sorted {
		fmt.Fprintf(&b, "\n%s\n", d)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
