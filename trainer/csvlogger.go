package trainer

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// CSVLogger writes one row per epoch to Path: epoch, loss, val_loss, each
// val_<metric> (sorted), lr, seconds — as Keras's CSVLogger. The file is
// created, or truncated, at FitStart.
//
// With Append, rows go after those already in the file, so that successive
// Fits — of one Trainer or of new ones — log one table: the header is
// written only when the file is new or empty, and epoch numbers continue
// from the file's last row. A file whose header differs from this run's
// columns (another set of metrics, or a run without validation, which has
// no val_<metric> columns) makes Fit fail with ErrConfig at FitStart, before
// any training step and without writing to the file, rather than receive
// misaligned rows.
type CSVLogger struct {
	Path   string
	Append bool

	f      *os.File
	w      *csv.Writer
	header []string // the file's columns: read from it, or written at the first epoch
	offset int      // added to the trainer's epoch numbers, to continue the file's
}

// OnEvent implements Callback. Besides the errors above, it returns
// CheckEvent's for a nil ctx or e, and an error wrapping ErrConfig on a nil
// c, for an EpochEnd before FitStart or one without Stats.
func (c *CSVLogger) OnEvent(ctx context.Context, t *Trainer, e *Event) error {
	if err := checkOnEvent(ctx, "CSVLogger", c == nil, e); err != nil {
		return err
	}
	switch e.Kind {
	case FitStart:
		var validated []string // the metrics each epoch will have val_ values of
		if e.Validation {
			validated = t.MetricNames()
		}
		return c.open(e.Epoch, csvColumns(validated))
	case EpochEnd:
		return c.write(e.Stats)
	case FitEnd:
		if c.f != nil {
			c.w.Flush()
			err := errors.Join(c.w.Error(), c.f.Close())
			c.f = nil
			return err
		}
	}
	return nil
}

// open creates or truncates Path, or with Append reads what it holds,
// checks its header against columns (this run's) and opens it for
// appending. done is the number of epochs the trainer has completed before
// this Fit.
func (c *CSVLogger) open(done int, columns []string) error {
	if c.Path == "" {
		return fmt.Errorf("%w: CSVLogger Path is empty", ErrConfig)
	}
	c.header, c.offset = nil, 0
	flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	var unterminated bool
	if c.Append {
		flags = os.O_CREATE | os.O_WRONLY | os.O_APPEND
		prev, err := readCSVLog(c.Path)
		if err != nil {
			return err
		}
		if prev.header != nil && !slices.Equal(prev.header, columns) {
			return c.mismatch(prev.header, columns)
		}
		c.header, unterminated = prev.header, prev.unterminated
		if prev.lastEpoch > 0 {
			c.offset = prev.lastEpoch - done
		}
	}
	f, err := os.OpenFile(c.Path, flags, 0o644)
	if err != nil {
		return fmt.Errorf("CSVLogger: %w", err)
	}
	if unterminated { // a last line without its newline: end it, or the first row joins it
		if _, err := f.WriteString("\n"); err != nil {
			return errors.Join(fmt.Errorf("CSVLogger: %w", err), f.Close())
		}
	}
	c.f, c.w = f, csv.NewWriter(f)
	return nil
}

// write appends the epoch's row, writing or checking the header first.
func (c *CSVLogger) write(s *EpochStats) error {
	switch {
	case c.w == nil:
		return errBeforeFitStart("CSVLogger")
	case s == nil:
		return errNoStats("CSVLogger")
	}
	validated := make([]string, 0, len(s.ValMetrics))
	for k := range s.ValMetrics {
		validated = append(validated, k)
	}
	header := csvColumns(validated)
	switch {
	case c.header == nil:
		if err := c.w.Write(header); err != nil {
			return err
		}
		c.header = header
	case !slices.Equal(c.header, header): // checked at FitStart; here if the epoch's stats disagree with that
		return c.mismatch(c.header, header)
	}
	row := []string{strconv.Itoa(s.Epoch + c.offset)}
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
}

// mismatch is the error for a file whose header differs from the run's.
func (c *CSVLogger) mismatch(file, run []string) error {
	return fmt.Errorf("%w: CSVLogger: %s has the columns %s, this run logs %s: log to another Path, or set Append to false to replace the file",
		ErrConfig, c.Path, strings.Join(file, ","), strings.Join(run, ","))
}

// csvColumns is the header of a run whose epochs have validation values of
// the metrics named validated (none without validation): epoch, loss,
// val_loss, the val_<metric> sorted, lr, seconds.
func csvColumns(validated []string) []string {
	ms := make([]string, 0, len(validated))
	for _, k := range validated {
		ms = append(ms, "val_"+k)
	}
	sort.Strings(ms)
	return slices.Concat([]string{"epoch", "loss", "val_loss"}, ms, []string{"lr", "seconds"})
}

// csvLog is what an existing log holds.
type csvLog struct {
	header       []string // nil for a missing or empty file
	lastEpoch    int      // the last row's epoch; 0 without rows
	unterminated bool     // the file does not end with a newline
}

// readCSVLog reads the header and the last epoch number of the log at path.
func readCSVLog(path string) (csvLog, error) {
	var l csvLog
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) || err == nil && len(b) == 0 {
		return l, nil
	}
	if err != nil {
		return l, fmt.Errorf("CSVLogger: %w", err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		return l, fmt.Errorf("%w: CSVLogger: appending to %s, which is not a well-formed CSV file: %w", ErrConfig, path, err)
	}
	if len(rows) == 0 { // blank lines only
		return l, nil
	}
	l.header, l.unterminated = rows[0], b[len(b)-1] != '\n'
	if len(rows) > 1 {
		last := rows[len(rows)-1][0]
		if l.lastEpoch, err = strconv.Atoi(last); err != nil || l.lastEpoch < 1 {
			return l, fmt.Errorf("%w: CSVLogger: appending to %s, whose last row starts with %q, not an epoch number ≥ 1", ErrConfig, path, last)
		}
	}
	return l, nil
}
