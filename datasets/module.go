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
// folder it reports.
func downloadModule(pathAtVersion string) (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", pathAtVersion)
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GO111MODULE=on")
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

func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}
