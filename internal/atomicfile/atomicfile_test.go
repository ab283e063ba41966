package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

// entries lists a folder's names, to show that no temporary file is left.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteFileCreatesAndReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.json")
	if err := WriteFile(path, writeString("first")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != Perm {
		t.Errorf("new file mode %v, want %v", fi.Mode().Perm(), Perm)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, writeString("second")); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "second" {
		t.Errorf("content %q, want %q", got, "second")
	}
	if fi, _ := os.Stat(path); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("replaced file mode %v, want the old file's 0600", fi.Mode().Perm())
	}
	if names := entries(t, dir); len(names) != 1 || names[0] != "w.json" {
		t.Errorf("folder holds %v, want only w.json", names)
	}
}

// A failing writer leaves the old file and no temporary file, and its error
// comes back matchable.
func TestWriteFileErrorKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.json")
	if err := WriteFile(path, writeString("good")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteFile(path, func(w io.Writer) error {
		io.WriteString(w, "half")
		return boom
	})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), path) {
		t.Errorf("error = %v, want one wrapping boom and naming %s", err, path)
	}
	if got, _ := os.ReadFile(path); string(got) != "good" {
		t.Errorf("content after a failed write %q, want %q", got, "good")
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Errorf("folder holds %v, want only w.json", names)
	}
}

// A rename that fails (the target is a folder) removes the temporary file.
func TestWriteFileOverAFolder(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub")
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, writeString("x")); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("error = %v, want one saying %s is not a regular file", err, path)
	}
	if err := WriteFile(path+string(filepath.Separator), writeString("x")); err == nil || !strings.Contains(err.Error(), "names a folder") {
		t.Errorf("error = %v, want one saying the path names a folder", err)
	}
	if err := WriteFile(filepath.Join(dir, "missing", "w.json"), writeString("x")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error = %v, want one wrapping os.ErrNotExist", err)
	}
	if names := entries(t, dir); len(names) != 1 || names[0] != "sub" {
		t.Errorf("folder holds %v, want only sub", names)
	}
}

// In a folder the process may not write to, the save fails with
// os.ErrPermission and the old file stays.
func TestWriteFileReadOnlyFolder(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.json")
	if err := WriteFile(path, writeString("good")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o755)
	if f, err := os.CreateTemp(dir, "probe"); err == nil { // root, or Windows
		f.Close()
		os.Remove(f.Name())
		t.Skip("this process can write into a read-only folder")
	}
	if err := WriteFile(path, writeString("new")); !errors.Is(err, os.ErrPermission) {
		t.Errorf("error = %v, want one wrapping os.ErrPermission", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "good" {
		t.Errorf("content %q, want %q", got, "good")
	}
}

// Eight writers replacing one file 200 times each: no error, and the file
// always holds one writer's whole content.
func TestWriteFileConcurrentWriters(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.json")
	const writers, rounds = 8, 200
	body := func(i, r int) string { return strings.Repeat(fmt.Sprintf("writer %d round %d\n", i, r), 200) }
	var wg sync.WaitGroup
	errs := make(chan error, writers*rounds)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				if err := WriteFile(path, writeString(body(i, r))); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	n := 0
	for err := range errs {
		if n++; n <= 3 {
			t.Error(err)
		}
	}
	if n > 0 {
		t.Errorf("%d of %d saves failed", n, writers*rounds)
	}
	got, _ := os.ReadFile(path)
	var i int
	if _, err := fmt.Sscanf(string(got), "writer %d round", &i); err != nil || string(got) != body(i, rounds-1) {
		t.Errorf("final content is not one writer's last save: %.60q…", got)
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Errorf("folder holds %v, want only w.json", names)
	}
}
