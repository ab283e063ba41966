package trainer

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"sort"
	"strconv"
)

// CSVLogger writes one row per epoch to Path: epoch, loss, val_loss, each
// val_<metric> (sorted), lr, seconds — as Keras's CSVLogger. The file is
// created at FitStart (appended to with Append).
type CSVLogger struct {
	Path   string
	Append bool

	f      *os.File
	w      *csv.Writer
	header []string
}

// OnEvent implements Callback.
func (c *CSVLogger) OnEvent(_ context.Context, _ *Trainer, e *Event) error {
	switch e.Kind {
	case FitStart:
		flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
		if c.Append {
			flags = os.O_CREATE | os.O_WRONLY | os.O_APPEND
		}
		f, err := os.OpenFile(c.Path, flags, 0o644)
		if err != nil {
			return fmt.Errorf("CSVLogger: %w", err)
		}
		c.f, c.w, c.header = f, csv.NewWriter(f), nil
	case EpochEnd:
		s := e.Stats
		if c.header == nil {
			c.header = []string{"epoch", "loss", "val_loss"}
			var ms []string
			for k := range s.ValMetrics {
				ms = append(ms, "val_"+k)
			}
			sort.Strings(ms)
			c.header = append(append(c.header, ms...), "lr", "seconds")
			if err := c.w.Write(c.header); err != nil {
				return err
			}
		}
		row := []string{strconv.Itoa(s.Epoch)}
		for _, name := range c.header[1 : len(c.header)-1] {
			v, ok := s.Value(name)
			if !ok {
				row = append(row, "")
				continue
			}
			row = append(row, strconv.FormatFloat(v, 'g', -1, 64))
		}
		row = append(row, strconv.FormatFloat(s.Seconds, 'f', 3, 64))
		if err := c.w.Write(row); err != nil {
			return err
		}
		c.w.Flush()
		return c.w.Error()
	case FitEnd:
		if c.f != nil {
			c.w.Flush()
			err := c.f.Close()
			c.f = nil
			return err
		}
	}
	return nil
}
