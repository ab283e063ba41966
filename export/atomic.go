package export

import (
	"bufio"
	"fmt"
	"io"

	"github.com/gradtune/gradtune/internal/atomicfile"
)

// writeAtomic writes path through write, buffered, with
// internal/atomicfile: a crash never leaves a partial file under that name,
// and two writers never share a temporary file.
func writeAtomic(path string, write func(io.Writer) error) error {
	err := atomicfile.WriteFile(path, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		if err := write(bw); err != nil {
			return err
		}
		return bw.Flush()
	})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}
