// Package atomicfile replaces a file so that a reader, a crash or a second
// writer never sees it half written: the content goes to a temporary file
// with a unique name in the same folder, is flushed to disk, and is renamed
// over the target; the folder is then flushed so that the rename itself
// survives a power loss (the sequence of renameio and of SQLite's journal).
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
)

// Perm is the permission of a file WriteFile creates; a file it replaces
// keeps its own. (os.CreateTemp makes 0600 files, too strict for weights
// that other tools read.)
const Perm os.FileMode = 0o644

// TempPattern is the os.CreateTemp pattern of the temporary files, after
// the target's name: "last.json" is written as ".last.json.tmp-123456789".
// A process killed mid-write leaves such a file behind; it can be deleted.
const TempPattern = ".tmp-*"

// WriteFile calls write with a temporary file in path's folder and, if it
// and the flush succeed, renames that file over path and flushes the folder.
// On any error the temporary file is removed, path is left as it was, and
// the error (write's, wrapped, or the file system's) is returned. Concurrent
// calls for the same path never collide: each has its own temporary file,
// and the last rename wins.
func WriteFile(path string, write func(w io.Writer) error) (err error) {
	dir, name := filepath.Split(path)
	if name == "" {
		return fmt.Errorf("atomicfile: %q names a folder, want a file", path)
	}
	if dir == "" {
		dir = "."
	}
	perm := Perm
	if fi, err := os.Stat(path); err == nil {
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("atomicfile: %s exists and is not a regular file (%v)", path, fi.Mode().Type())
		}
		perm = fi.Mode().Perm()
	}
	f, err := os.CreateTemp(dir, "."+name+TempPattern)
	if err != nil {
		return fmt.Errorf("atomicfile: writing %s: %w", path, err)
	}
	tmp, renamed := f.Name(), false
	defer func() {
		if err != nil && !renamed {
			f.Close() // a second Close only reports os.ErrClosed
			os.Remove(tmp)
		}
	}()
	if err := write(f); err != nil {
		return fmt.Errorf("atomicfile: writing %s: %w", path, err)
	}
	if err := f.Chmod(perm); err != nil {
		return fmt.Errorf("atomicfile: writing %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("atomicfile: flushing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("atomicfile: writing %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("atomicfile: replacing %s: %w", path, err)
	}
	renamed = true
	if err := syncDir(dir); err != nil {
		// The new content is in place; only its durability is in doubt.
		return fmt.Errorf("atomicfile: flushing folder of %s: %w", path, err)
	}
	return nil
}

// syncDir flushes a folder's entries. Windows cannot open a folder for
// that (and makes renames durable itself); some file systems refuse it
// with EINVAL: neither is an error.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, errors.ErrUnsupported) {
		return nil
	}
	return err
}
