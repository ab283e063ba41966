package apiaudit

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"testing"
)

// finding is one failure of the audit: key names the function and, for a
// panic, the function that panicked (stable across edits); text is the call
// and what happened.
type finding struct{ key, text string }

// openFindingsFile lists, one key a line, the findings not fixed yet. It may
// only shrink: a finding whose key is not in it fails the test, and so does a
// key that no longer occurs (delete its line once fixed). APIAUDIT_UPDATE=1
// rewrites it.
const openFindingsFile = "testdata/open_findings.txt"

func checkFindings(t *testing.T, findings []finding) {
	t.Helper()
	var keys []string
	for _, f := range findings {
		keys = append(keys, f.key)
	}
	open := map[string]bool{}
	f, err := os.Open(openFindingsFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var others []string // open findings outside APIAUDIT_ONLY, kept as they are
	for sc := bufio.NewScanner(f); sc.Scan(); {
		line := strings.TrimSpace(sc.Text())
		_, name, _ := strings.Cut(line, " ")
		switch {
		case line == "":
		case !audited(name):
			others = append(others, line)
		default:
			open[line] = true
		}
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	if os.Getenv("APIAUDIT_UPDATE") != "" {
		all := slices.Sorted(slices.Values(append(others, keys...)))
		if err := os.WriteFile(openFindingsFile, []byte(strings.Join(all, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		open = map[string]bool{}
		for _, k := range keys {
			open[k] = true
		}
	}
	t.Logf("%d findings (%d distinct), %d listed as open in %s", len(findings), len(keys), len(open), openFindingsFile)
	seen := map[string]bool{}
	for _, f := range findings {
		seen[f.key] = true
		if !open[f.key] {
			t.Error(f.text)
		} else if os.Getenv("APIAUDIT_VERBOSE") != "" {
			t.Log("open: " + f.text)
		}
	}
	for k := range open {
		if !seen[k] {
			t.Errorf("%s: %q no longer occurs: delete its line", openFindingsFile, k)
		}
	}
}

// siteFunc keeps the function of a panic site, without file and line.
func siteFunc(where string) string {
	fn, _, _ := strings.Cut(where, " ")
	return fn
}

// audited reports whether the function name (as call.name gives it, without
// the module path) is in the part of the API under audit: all of it, or only
// the packages listed in APIAUDIT_ONLY, comma-separated ("model,trainer/"),
// each matched as a prefix of the name.
func audited(name string) bool {
	only := os.Getenv("APIAUDIT_ONLY")
	if only == "" {
		return true
	}
	for _, p := range strings.Split(only, ",") {
		if p = strings.TrimSpace(p); p != "" && strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}
