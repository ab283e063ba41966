package datasets

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// moduleFolder returns the folder sub of module@version, from the module
// cache or, if missing there, downloaded with `go mod download`.
func moduleFolder(module, version, sub string) (string, error) {
	rel := filepath.Join(filepath.FromSlash(escapeModulePath(module))+"@"+version, filepath.FromSlash(sub))
	cache, cacheErr := moduleCache()
	if cacheErr == nil {
		if dir := filepath.Join(cache, rel); isDir(dir) {
			return dir, nil
		}
	}
	modDir, dlErr := downloadModule(module + "@" + version)
	if dlErr == nil {
		if dir := filepath.Join(modDir, filepath.FromSlash(sub)); isDir(dir) {
			return dir, nil
		}
		dlErr = fmt.Errorf("the downloaded module in %s has no %s folder", modDir, sub)
	}
	looked := "not in the module cache at " + filepath.Join(cache, rel)
	if cacheErr != nil {
		looked = "the module cache could not be located: " + cacheErr.Error()
	}
	return "", fmt.Errorf("%s; downloading %s@%s failed: %w", looked, module, version, dlErr)
}

// moduleCache returns the Go module cache folder: $GOMODCACHE, else
// `go env GOMODCACHE`, else $GOPATH/pkg/mod, else $HOME/go/pkg/mod.
func moduleCache() (string, error) {
	if c := os.Getenv("GOMODCACHE"); c != "" {
		return c, nil
	}
	if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
		if c := strings.TrimSpace(string(out)); c != "" {
			return c, nil
		}
	}
	if gp := filepath.SplitList(os.Getenv("GOPATH")); len(gp) > 0 && gp[0] != "" {
		return filepath.Join(gp[0], "pkg", "mod"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, "go", "pkg", "mod"), nil
}

// downloadModule runs `go mod download -json pathAtVersion` and returns the
// folder it reports. It runs in a new temporary folder holding a go.mod of
// its own, so that no go.mod or go.work around it (a go.mod left in $TMPDIR,
// say) changes what is downloaded, with GOWORK=off and -mod=mod replacing
// any -mod in GOFLAGS (-mod=vendor would refuse to download).
func downloadModule(pathAtVersion string) (string, error) {
	tmp, err := os.MkdirTemp("", "gradtune-datasets-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	if err := os.WriteFile(filepath.Join(tmp, "go.mod"), []byte("module gradtune.invalid/datasets-download\n"), 0o644); err != nil {
		return "", err
	}
	cmd := exec.Command("go", "mod", "download", "-json", pathAtVersion)
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "GO111MODULE=on", "GOWORK=off", "GOFLAGS="+goflagsModMod(os.Getenv("GOFLAGS")))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var info struct{ Dir, Error string }
	jsonErr := json.Unmarshal(stdout.Bytes(), &info)
	switch {
	case jsonErr == nil && info.Error != "":
		return "", errors.New(info.Error)
	case runErr != nil:
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return "", fmt.Errorf("%w: %s", runErr, msg)
		}
		return "", runErr
	case jsonErr != nil:
		return "", fmt.Errorf("parsing the output of go mod download: %w", jsonErr)
	case info.Dir == "":
		return "", errors.New("go mod download reported no Dir")
	}
	return info.Dir, nil
}

// goflagsModMod returns the GOFLAGS value flags with any -mod flag replaced
// by -mod=mod; the other flags (-modcacherw, …) are kept.
func goflagsModMod(flags string) string {
	var kept []string
	for _, f := range strings.Fields(flags) {
		if !strings.HasPrefix(strings.TrimLeft(f, "-"), "mod=") {
			kept = append(kept, f)
		}
	}
	return strings.Join(append(kept, "-mod=mod"), " ")
}

// fileInside returns the path of the regular file name (slash-separated)
// inside root. A name that leaves root, lexically ("../x", "/x") or through a
// symbolic link, is refused, as is one that is no regular file; the error
// wraps ErrNotFound and names both.
func fileInside(root, name string) (string, error) {
	local, err := filepath.Localize(name)
	if err != nil {
		return "", fmt.Errorf("%w: %q is not a path inside %s: %w", ErrNotFound, name, root, err)
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return "", fmt.Errorf("%w: %s: %w", ErrNotFound, name, err)
	}
	defer r.Close()
	st, err := r.Stat(local) // follows links only while they stay inside root
	if err != nil {
		return "", fmt.Errorf("%w: no %s in %s: %w", ErrNotFound, name, root, err)
	}
	if !st.Mode().IsRegular() {
		return "", fmt.Errorf("%w: %s in %s is not a regular file", ErrNotFound, name, root)
	}
	return filepath.Join(root, local), nil
}

// escapeModulePath escapes a module path for the module cache as the go
// command does (golang.org/x/mod/module.EscapePath): each ASCII upper-case
// letter becomes '!' and its lower case. Module paths are ASCII.
func escapeModulePath(path string) string {
	var b strings.Builder
	for _, r := range path {
		if 'A' <= r && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}
