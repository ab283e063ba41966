// Package srccheck holds checks over the module's own source tree.
package srccheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// A file whose name ends in _test.go is compiled only into tests, so an
// exported function or type declared there (in the package itself, not in an
// external _test package) is API that users cannot call: this is how
// validation.TrainValTestSplit, in train_val_test.go, went missing.
func TestNoAPIInTestFiles(t *testing.T) {
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		if strings.HasSuffix(f.Name.Name, "_test") {
			return nil // an external test package exports nothing to users
		}
		for _, decl := range f.Decls {
			for _, name := range exportedNames(decl) {
				if !isTestEntryPoint(name) {
					t.Errorf("%s: exported %s is declared in a test file, so only tests can use it: move it to a file not ending in _test.go, or unexport it",
						fset.Position(decl.Pos()), name)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// exportedNames lists the exported top-level functions and types of decl
// (methods are skipped: they are reachable only through a type).
func exportedNames(decl ast.Decl) []string {
	var names []string
	switch d := decl.(type) {
	case *ast.FuncDecl:
		if d.Recv == nil && d.Name.IsExported() {
			names = append(names, d.Name.Name)
		}
	case *ast.GenDecl:
		for _, s := range d.Specs {
			if ts, ok := s.(*ast.TypeSpec); ok && ts.Name.IsExported() {
				names = append(names, ts.Name.Name)
			}
		}
	}
	return names
}

// isTestEntryPoint reports names that go test itself calls.
func isTestEntryPoint(name string) bool {
	for _, p := range []string{"Test", "Benchmark", "Example", "Fuzz"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}
