package export

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// writeAtomic writes path through write so that a crash never leaves a
// partial file under that name: write goes to a temporary file with a unique
// name in the same folder (two writers never share one), which is synced,
// closed and renamed over path; the folder is then synced so the rename
// survives a power loss. On error the temporary file is removed and path is
// untouched.
func writeAtomic(path string, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriter(f)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export: write %s: %w", path, err)
	}
	// CreateTemp makes the file 0600; an exported file is for sharing.
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("export: sync %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("export: close %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return syncDir(dir)
}

// syncDir fsyncs a folder so that a rename inside it is durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("export: sync folder %s: %w", dir, err)
	}
	return nil
}
