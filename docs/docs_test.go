// Package docs holds gradtune's tutorials. Its test keeps them honest: every
// code block marked with <!-- from: FILE --> in README.md or docs/*.md must
// appear verbatim in FILE, a Go file that is compiled and run by the tests.
package docs

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var marked = regexp.MustCompile("(?s)<!-- from: (\\S+) -->\\s*```go\\n(.*?)```")

func TestCodeBlocksAreRealCode(t *testing.T) {
	pages, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	pages = append(pages, filepath.Join("..", "README.md"))
	checked := 0
	for _, page := range pages {
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range marked.FindAllStringSubmatch(string(b), -1) {
			src, err := os.ReadFile(filepath.Join("..", m[1]))
			if err != nil {
				t.Errorf("%s: block from %s: %v", page, m[1], err)
				continue
			}
			if !strings.Contains(string(src), m[2]) {
				t.Errorf("%s: the block marked from %s is not in that file verbatim; copy it again", page, m[1])
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no marked code blocks found: the README quickstart must be one")
	}
}
