package apiaudit

import (
	"slices"
	"testing"
)

// TestRegistryComplete compares the registry with the exported functions and
// methods the audited packages declare, so that a new one is audited too.
func TestRegistryComplete(t *testing.T) {
	have := map[string]bool{}
	for _, f := range registry {
		name := funcName(f)
		if have[name] {
			t.Errorf("registry lists %s twice", name)
		}
		have[name] = true
	}
	var want []string
	for _, dir := range auditedPackages {
		want = append(want, exportedFuncs(t, dir)...)
	}
	for _, name := range want {
		if !have[name] {
			t.Errorf("%s is exported but not in registry (registry_test.go): add it", name)
		}
		delete(have, name)
	}
	for name := range have {
		t.Errorf("registry lists %s, which is not an exported function or method of an exported type in auditedPackages", name)
	}
	if len(want) < 300 || !slices.Contains(want, modulePath+"/trainer.(*Trainer).Fit") {
		t.Fatalf("found only %d exported functions: is the source parsed?", len(want))
	}
}
