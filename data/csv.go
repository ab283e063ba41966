package data

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
	"gorgonia.org/tensor"
)

// CSVConfig says how LoadCSV reads a table. Its zero value reads a
// comma-separated table without header whose last column is the target, into
// float64 tensors.
type CSVConfig struct {
	// Comma is the field delimiter; 0 means ','.
	Comma rune
	// Header: the first row holds column names and is skipped (errors name
	// the column by its header too).
	Header bool
	// TargetColumns are the 0-based columns that make up Y, in that order;
	// negative indexes count from the end (-1 is the last column). Nil or
	// empty means the last column. Every other column is a feature of X, in
	// file order.
	TargetColumns []int
	// Dtype of X and Y: tensor.Float32 or tensor.Float64; the zero value
	// means tensor.Float64.
	Dtype tensor.Dtype
	// MaxRows caps the data rows (the header not counted); 0 means
	// DefaultCSVMaxRows. Negative is an error wrapping ErrLimit.
	MaxRows int
	// MaxColumns caps the columns of a row; 0 means DefaultCSVMaxColumns.
	// Negative is an error wrapping ErrLimit.
	MaxColumns int
}

// The caps CSVConfig's zero value applies. Memory is proportional to the
// cells read so far (about 16 bytes per cell at most while reading, 8 or 4
// after), never to a size the input declares; the caps keep a table that
// is not what it should be (one endless row, a log file read by mistake)
// from taking gigabytes first.
const (
	DefaultCSVMaxRows    = 10_000_000
	DefaultCSVMaxColumns = 100_000
)

// LoadCSV reads a numeric table from r into a Dataset: X (rows, columns not
// in TargetColumns) and Y (rows, len(TargetColumns)). Cells may have spaces
// around the number; blank lines are skipped. A byte-order mark at the start
// is honoured and dropped, as pandas and Python's "utf-8-sig" do: UTF-8
// (Excel's "CSV UTF-8") and UTF-16 LE/BE (Excel's "Unicode Text"); without
// one the bytes are read as they are.
//
// Errors (lines and columns are 1-based): a cell that is not a number, or
// malformed CSV, wraps ErrParse and names the line, column and text; NaN or
// Inf cells wrap ErrNonFinite and name the line and column; a row whose
// length differs from the first row's wraps ErrShape and names the line; a
// target column out of range, a repeated one, or targets leaving no feature
// wrap ErrShape and name it; no data rows wraps ErrEmpty; an unsupported
// Dtype wraps ErrDtype; more rows or columns than MaxRows or MaxColumns, or
// a negative cap, wraps ErrLimit and names the line; a nil r wraps ErrParse.
// Errors from r are returned wrapped.
func LoadCSV(r io.Reader, cfg CSVConfig) (*Dataset, error) {
	ds, _, err := loadCSV(r, cfg, false)
	return ds, err
}

// LoadCSVClasses is LoadCSV for a classification table whose single target
// column holds class names ("Iris-setosa", "republican", …): each name
// becomes its index in classes, the sorted list of the distinct names. More
// than one target column is an error wrapping ErrShape.
func LoadCSVClasses(r io.Reader, cfg CSVConfig) (ds *Dataset, classes []string, err error) {
	return loadCSV(r, cfg, true)
}

// loadCSV implements LoadCSV and, with named, LoadCSVClasses.
func loadCSV(r io.Reader, cfg CSVConfig, named bool) (*Dataset, []string, error) {
	if r == nil {
		return nil, nil, fmt.Errorf("%w: nil io.Reader, want one reading CSV text", ErrParse)
	}
	dt, err := dtypeOr(cfg.Dtype, tensor.Float64)
	if err != nil {
		return nil, nil, err
	}
	maxRows, maxCols, err := csvCaps(cfg)
	if err != nil {
		return nil, nil, err
	}
	cr := csv.NewReader(withoutBOM(r))
	if cfg.Comma != 0 {
		cr.Comma = cfg.Comma
	}
	cr.FieldsPerRecord = -1 // checked below, with a message naming the line
	cr.ReuseRecord = true

	var (
		names   []string // header names, if any
		isY     []bool   // by column
		yCols   []int    // target columns, in Y order
		width   int      // columns per row; 0 until the first row
		xs, ys  []float64
		labels  []string // class names by row, when named
		rows    int
		yOfCell []int // by column: position in Y, or -1 for a feature
	)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, nil, fmt.Errorf("%w: %w", ErrParse, err)
			}
			return nil, nil, fmt.Errorf("data: reading CSV: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) > maxCols {
			return nil, nil, fmt.Errorf("%w: line %d has %d columns, over the cap of %d (CSVConfig.MaxColumns)",
				ErrLimit, line, len(rec), maxCols)
		}
		if rows == maxRows {
			return nil, nil, fmt.Errorf("%w: line %d: more than %d data rows, the cap (CSVConfig.MaxRows)",
				ErrLimit, line, maxRows)
		}
		if width == 0 {
			width = len(rec)
			if yCols, err = targetColumns(cfg.TargetColumns, width); err != nil {
				return nil, nil, err
			}
			if named && len(yCols) != 1 {
				return nil, nil, fmt.Errorf("%w: %d target columns, want 1 column of class names", ErrShape, len(yCols))
			}
			isY = make([]bool, width)
			yOfCell = make([]int, width)
			for j := range yOfCell {
				yOfCell[j] = -1
			}
			for k, j := range yCols {
				isY[j] = true
				yOfCell[j] = k
			}
			if cfg.Header {
				names = make([]string, width)
				for j, s := range rec {
					names[j] = strings.TrimSpace(s)
				}
				continue
			}
		}
		if len(rec) != width {
			return nil, nil, fmt.Errorf("%w: line %d has %d columns, want %d (the width of the first row)",
				ErrShape, line, len(rec), width)
		}
		yRow := make([]float64, len(yCols))
		for j, s := range rec {
			if named && isY[j] {
				labels = append(labels, strings.TrimSpace(s))
				continue
			}
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				l, _ := cr.FieldPos(j)
				what := "is not a number"
				if errors.Is(err, strconv.ErrRange) {
					what = "is out of the float64 range"
				}
				return nil, nil, fmt.Errorf("%w: line %d, column %d%s: %q %s",
					ErrParse, l, j+1, columnName(names, j), s, what)
			}
			if v-v != 0 {
				l, _ := cr.FieldPos(j)
				return nil, nil, fmt.Errorf("%w: line %d, column %d%s is %q",
					ErrNonFinite, l, j+1, columnName(names, j), s)
			}
			if dt == tensor.Float32 && math.Abs(v) > math.MaxFloat32 {
				l, _ := cr.FieldPos(j)
				return nil, nil, fmt.Errorf("%w: line %d, column %d%s: %q overflows float32 (max ±%g); load as Float64",
					ErrNonFinite, l, j+1, columnName(names, j), s, math.MaxFloat32)
			}
			if isY[j] {
				yRow[yOfCell[j]] = v
			} else {
				xs = append(xs, v)
			}
		}
		ys = append(ys, yRow...)
		rows++
	}
	if rows == 0 {
		return nil, nil, fmt.Errorf("%w: the CSV table has no data rows", ErrEmpty)
	}
	var classes []string
	if named {
		ys, classes = encodeClasses(labels)
	}
	ds, err := New(matrix(xs, rows, width-len(yCols), dt), matrix(ys, rows, len(yCols), dt))
	return ds, classes, err
}

// csvCaps returns cfg's MaxRows and MaxColumns, or the defaults for 0.
func csvCaps(cfg CSVConfig) (rows, cols int, err error) {
	if cfg.MaxRows < 0 || cfg.MaxColumns < 0 {
		return 0, 0, fmt.Errorf("%w: CSVConfig.MaxRows %d, MaxColumns %d: want 0 (the default) or more",
			ErrLimit, cfg.MaxRows, cfg.MaxColumns)
	}
	rows, cols = cfg.MaxRows, cfg.MaxColumns
	if rows == 0 {
		rows = DefaultCSVMaxRows
	}
	if cols == 0 {
		cols = DefaultCSVMaxColumns
	}
	return rows, cols, nil
}

// withoutBOM returns r decoded by the byte-order mark it starts with, the
// mark dropped; text without a mark passes through unchanged (no UTF-8
// validation, so a class name in another encoding keeps its bytes). Without
// this, a UTF-8 mark glues onto the first cell: a phantom class or a parse
// error on line 1.
func withoutBOM(r io.Reader) io.Reader {
	return transform.NewReader(r, unicode.BOMOverride(transform.Nop))
}

// encodeClasses maps names to their index among the sorted distinct names.
func encodeClasses(names []string) (ys []float64, classes []string) {
	index := map[string]int{}
	for _, n := range names {
		index[n] = 0
	}
	for n := range index {
		classes = append(classes, n)
	}
	sort.Strings(classes)
	for i, c := range classes {
		index[c] = i
	}
	ys = make([]float64, len(names))
	for i, n := range names {
		ys[i] = float64(index[n])
	}
	return ys, classes
}

// LoadCSVFile opens path and reads it with [LoadCSV]; errors are prefixed
// with path, and an open failure wraps the *fs.PathError (errors.Is(err,
// fs.ErrNotExist) works).
func LoadCSVFile(path string, cfg CSVConfig) (*Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	d, err := LoadCSV(f, cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

// targetColumns resolves cols (nil or empty: the last column; negative: from
// the end) against a table of width columns. Out-of-range or repeated
// columns, or targets that leave no feature column, wrap ErrShape.
func targetColumns(cols []int, width int) ([]int, error) {
	if len(cols) == 0 {
		cols = []int{-1}
	}
	out := make([]int, len(cols))
	seen := make(map[int]int, len(cols))
	for k, c := range cols {
		j := c
		if j < 0 {
			j += width
		}
		if j < 0 || j >= width {
			return nil, fmt.Errorf("%w: target column %d is out of range for a table of %d columns",
				ErrShape, c, width)
		}
		if prev, ok := seen[j]; ok {
			return nil, fmt.Errorf("%w: target columns %d and %d are both column %d",
				ErrShape, cols[prev], c, j)
		}
		seen[j] = k
		out[k] = j
	}
	if len(out) >= width {
		return nil, fmt.Errorf("%w: all %d columns are targets, leaving no feature", ErrShape, width)
	}
	return out, nil
}

// columnName returns ` ("name")` for column j when there is a header.
func columnName(names []string, j int) string {
	if names == nil {
		return ""
	}
	return fmt.Sprintf(" (%q)", names[j])
}
