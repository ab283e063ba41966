package trainer

import (
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/metrics"
	"github.com/gradtune/gradtune/model"
)

// csvRun fits a fresh trainer fits times (2 epochs each) with log among its
// callbacks and returns the histories of its Fits.
func csvRun(t *testing.T, log *CSVLogger, fits int, withVal bool) []*History {
	t.Helper()
	m, err := model.New(model.MLP{Hidden: []int{8}, Out: 3}, model.Config{Inputs: 4, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := New(m, Config{Loss: losses.CrossEntropy{}, Epochs: 2, BatchSize: 20, Quiet: true,
		Metrics: []metrics.Metric{metrics.Accuracy{}}, Callbacks: []Callback{log}})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	val := blobs(t, 30, 2)
	if !withVal {
		val = nil
	}
	var hs []*History
	for range fits {
		h, err := tr.Fit(ctx, blobs(t, 60, 1), val)
		if err != nil {
			t.Fatal(err)
		}
		hs = append(hs, h)
	}
	return hs
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// With Append, two Fits of one trainer and a Fit of a second trainer log
// one table: one header, epochs 1..6 in order, each row the loss its
// History recorded.
func TestCSVLoggerAppendContinues(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.csv")
	log := &CSVLogger{Path: path, Append: true}
	hs := csvRun(t, log, 2, true)
	hs = append(hs, csvRun(t, log, 1, true)...)
	rows := readCSV(t, path)
	if len(rows) != 7 || strings.Join(rows[0], ",") != "epoch,loss,val_loss,val_accuracy,lr,seconds" {
		t.Fatalf("log rows %v, want one header and 6 epochs", rows)
	}
	var losses []string
	for _, h := range hs {
		for _, e := range h.Epochs {
			losses = append(losses, strconv.FormatFloat(e.TrainLoss, 'g', -1, 64))
		}
	}
	for i, r := range rows[1:] {
		if r[0] != strconv.Itoa(i+1) || r[1] != losses[i] {
			t.Errorf("row %d: epoch %s loss %s, want epoch %d loss %s", i+1, r[0], r[1], i+1, losses[i])
		}
	}
}

// Appending to a file whose last line lacks its newline ends that line
// first; the epochs go on from the file's last one.
func TestCSVLoggerAppendAfterUnterminatedLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.csv")
	csvRun(t, &CSVLogger{Path: path}, 1, false)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(strings.TrimSuffix(string(b), "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	csvRun(t, &CSVLogger{Path: path, Append: true}, 1, false)
	rows := readCSV(t, path)
	var epochs []string
	for _, r := range rows[1:] {
		epochs = append(epochs, r[0])
	}
	if len(rows) != 5 || strings.Join(epochs, ",") != "1,2,3,4" {
		t.Errorf("rows %v, want a header and epochs 1..4", rows)
	}
}

// Without Append every Fit starts the file again, numbered as the trainer
// counts.
func TestCSVLoggerTruncates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.csv")
	csvRun(t, &CSVLogger{Path: path}, 2, true)
	rows := readCSV(t, path)
	if len(rows) != 3 || rows[1][0] != "3" || rows[2][0] != "4" {
		t.Errorf("rows %v, want a header and epochs 3, 4 (the second Fit)", rows)
	}
}

// Appending rows with other columns than the file's header is refused:
// the file is left as it was.
func TestCSVLoggerAppendRefusesOtherColumns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.csv")
	csvRun(t, &CSVLogger{Path: path}, 1, false) // no validation: no val_accuracy column
	before, _ := os.ReadFile(path)
	m, _ := model.New(model.MLP{Hidden: []int{8}, Out: 3}, model.Config{Inputs: 4, Seed: 2})
	tr, err := New(m, Config{Loss: losses.CrossEntropy{}, Epochs: 2, BatchSize: 20, Quiet: true,
		Metrics: []metrics.Metric{metrics.Accuracy{}}, Callbacks: []Callback{&CSVLogger{Path: path, Append: true}}})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	_, err = tr.Fit(ctx, blobs(t, 60, 1), blobs(t, 30, 2))
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "epoch,loss,val_loss,lr,seconds") ||
		!strings.Contains(err.Error(), "epoch,loss,val_loss,val_accuracy,lr,seconds") {
		t.Errorf("Fit = %v, want ErrConfig naming both headers", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Errorf("the log changed:\n%s\nwant\n%s", after, before)
	}
}

func TestCSVLoggerAppendRefusesAForeignFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.csv")
	if err := os.WriteFile(path, []byte("name,score\nalice,3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, _ := model.New(model.Linear{Out: 1}, model.Config{Inputs: 4})
	tr, _ := New(m, Config{Loss: losses.MSE{}, Epochs: 1, BatchSize: 20, Quiet: true, Callbacks: []Callback{&CSVLogger{Path: path, Append: true}}})
	defer tr.Close()
	if _, err := tr.Fit(ctx, blobs(t, 60, 1), nil); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), `"alice"`) {
		t.Errorf("Fit = %v, want ErrConfig naming the last row's first field", err)
	}
}
