package datasets

import (
	"archive/zip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeGolearn puts golearn's module folder, with examples/datasets/iris.csv,
// in a new module cache set as GOMODCACHE, and a secret file beside the
// cache. It returns the datasets folder and the secret's path.
func fakeGolearn(t *testing.T) (datasetsDir, secret string) {
	t.Helper()
	root := t.TempDir()
	cache := filepath.Join(root, "cache")
	modRoot := filepath.Join(cache, filepath.FromSlash(escapeModulePath(golearnModule))+"@"+golearnVersion)
	datasetsDir = filepath.Join(modRoot, "examples", "datasets")
	secret = filepath.Join(root, "secret.csv")
	for path, text := range map[string]string{
		filepath.Join(datasetsDir, "iris.csv"): "5.1,3.5,1.4,0.2,Iris-setosa\n",
		filepath.Join(modRoot, "go.mod"):       "module " + golearnModule + "\n",
		secret:                                 "not golearn's\n",
	} {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("GOMODCACHE", cache)
	t.Setenv("GOPROXY", "off")
	t.Setenv("GOTOOLCHAIN", "local")
	return datasetsDir, secret
}

// GolearnFile returned files outside the module for names such as
// "../../go.mod" or a link pointing outside.
func TestGolearnFileStaysInside(t *testing.T) {
	dir, secret := fakeGolearn(t)
	if err := os.Symlink(secret, filepath.Join(dir, "link.csv")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("iris.csv", filepath.Join(dir, "inner.csv")); err != nil {
		t.Fatal(err)
	}
	got, err := GolearnFile("iris.csv")
	if want := filepath.Join(dir, "iris.csv"); err != nil || got != want {
		t.Fatalf("GolearnFile(iris.csv) = %q, %v; want %q", got, err, want)
	}
	if got, err := GolearnFile("inner.csv"); err != nil || got != filepath.Join(dir, "inner.csv") {
		t.Errorf("a link staying inside: %q, %v; want it accepted", got, err)
	}
	for _, name := range []string{"../../go.mod", "../../../../secret.csv", secret, "link.csv", "a/../../datasets/iris.csv", ".", ""} {
		got, err := GolearnFile(name)
		if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), name) {
			t.Errorf("GolearnFile(%q) = %q, %v; want an error wrapping ErrNotFound naming it", name, got, err)
		}
	}
}

// writeFileProxy writes a GOPROXY=file:// folder serving the module
// example.com/tiny@v1.0.0, whose d/ folder holds x.csv, and returns its URL.
func writeFileProxy(t *testing.T) string {
	t.Helper()
	proxy := t.TempDir()
	v := filepath.Join(proxy, "example.com", "tiny", "@v")
	if err := os.MkdirAll(v, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"v1.0.0.info": `{"Version":"v1.0.0","Time":"2024-01-01T00:00:00Z"}`,
		"v1.0.0.mod":  "module example.com/tiny\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(v, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Create(filepath.Join(v, "v1.0.0.zip"))
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, text := range map[string]string{"go.mod": "module example.com/tiny\n", "d/x.csv": "1,2\n"} {
		w, err := zw.Create("example.com/tiny@v1.0.0/" + name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(text))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return "file://" + filepath.ToSlash(proxy)
}

// The download ran in $TMPDIR, where a go.mod in a folder above it (here a
// broken one; the go command ignores one in $TMPDIR itself) made `go mod
// download` fail, or follow its replace and toolchain lines.
func TestDownloadIgnoresGoModAboveTempDir(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	above := t.TempDir()
	if err := os.WriteFile(filepath.Join(above, "go.mod"), []byte("this is not a go.mod\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(above, "tmp")
	if err := os.Mkdir(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Setenv("GOMODCACHE", cache)
	t.Setenv("GOPROXY", writeFileProxy(t))
	t.Setenv("GOSUMDB", "off")
	t.Setenv("GOFLAGS", "-modcacherw -mod=vendor") // -modcacherw: so that t.TempDir can remove the cache
	t.Setenv("GOTOOLCHAIN", "local")
	dir, err := moduleFolder("example.com/tiny", "v1.0.0", "d")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(cache, "example.com", "tiny@v1.0.0", "d"); dir != want {
		t.Errorf("moduleFolder = %q, want %q", dir, want)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "x.csv")); err != nil || string(b) != "1,2\n" {
		t.Errorf("x.csv: %q, %v; want 1,2", b, err)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "gradtune-datasets-*")); len(left) != 0 {
		t.Errorf("temporary folders left behind: %v", left)
	}
}

func TestGoflagsModMod(t *testing.T) {
	for in, want := range map[string]string{
		"":                            "-mod=mod",
		"-modcacherw":                 "-modcacherw -mod=mod",
		"-mod=vendor  -modcacherw":    "-modcacherw -mod=mod",
		"--mod=readonly -tags=x":      "-tags=x -mod=mod",
		"-modfile=other.mod -mod=mod": "-modfile=other.mod -mod=mod",
	} {
		if got := goflagsModMod(in); got != want {
			t.Errorf("goflagsModMod(%q) = %q, want %q", in, got, want)
		}
	}
}
