package apiaudit

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const modulePath = "github.com/gradtune/gradtune"

// auditedPackages are the directories, relative to the module root, whose
// exported functions and methods the registry must list.
var auditedPackages = []string{
	"trainer", "trainer/progress", "model", "losses", "metrics", "optimizers",
	"schedulers", "regularizers", "validation", "lrfinder", "diagnose",
	"report", "plots", "export", "rowmajor", "goal", "panics", "fastblas",
}

// exportedFuncs parses the non-test files of dir that the current build
// would compile and returns the exported functions and the exported methods
// of exported types, named as runtime.FuncForPC names them:
// "module/pkg.Func", "module/pkg.Type.Method", "module/pkg.(*Type).Method".
func exportedFuncs(t *testing.T, dir string) []string {
	t.Helper()
	root := filepath.Join("..", "..")
	entries, err := os.ReadDir(filepath.Join(root, dir))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var names []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		if ok, err := build.Default.MatchFile(filepath.Join(root, dir), name); err != nil || !ok {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(root, dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || !fd.Name.IsExported() {
				continue
			}
			prefix := modulePath + "/" + dir + "."
			if fd.Recv == nil {
				names = append(names, prefix+fd.Name.Name)
				continue
			}
			typ := fd.Recv.List[0].Type
			star := false
			if s, ok := typ.(*ast.StarExpr); ok {
				star, typ = true, s.X
			}
			id, ok := typ.(*ast.Ident)
			if !ok || !id.IsExported() {
				continue // a method of an unexported type is reached through an interface
			}
			if star {
				names = append(names, prefix+"(*"+id.Name+")."+fd.Name.Name)
			} else {
				names = append(names, prefix+id.Name+"."+fd.Name.Name)
			}
		}
	}
	sort.Strings(names)
	return names
}
