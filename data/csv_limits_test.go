package data

import (
	"strings"
	"testing"
)

// One line of 200,000 columns (400 KB) was read whole into a table: the
// default cap on columns refuses it.
func TestLoadCSVColumnCap(t *testing.T) {
	wide := strings.Repeat("0,", 200_000) + "1\n"
	_, err := LoadCSV(strings.NewReader(wide), CSVConfig{})
	wantErr(t, err, ErrLimit, "line 1 has 200001 columns, over the cap of 100000")

	_, err = LoadCSV(strings.NewReader("1,2,3\n4,5,6\n"), CSVConfig{MaxColumns: 2})
	wantErr(t, err, ErrLimit, "line 1 has 3 columns, over the cap of 2")
	ds, err := LoadCSV(strings.NewReader("1,2,3\n4,5,6\n"), CSVConfig{MaxColumns: 3})
	if err != nil || ds.Len() != 2 || ds.Features() != 2 {
		t.Errorf("3 columns under a cap of 3: %v", err)
	}
}

func TestLoadCSVRowCap(t *testing.T) {
	table := "a,b\n1,2\n3,4\n5,6\n"
	_, err := LoadCSV(strings.NewReader(table), CSVConfig{Header: true, MaxRows: 2})
	wantErr(t, err, ErrLimit, "line 4: more than 2 data rows")
	ds, err := LoadCSV(strings.NewReader(table), CSVConfig{Header: true, MaxRows: 3})
	if err != nil || ds.Len() != 3 {
		t.Fatalf("3 rows under a cap of 3: %v", err)
	}
	if got := ds.Y.Data().([]float64); got[0] != 2 || got[1] != 4 || got[2] != 6 {
		t.Errorf("Y = %v, want [2 4 6]", got)
	}
	_, _, err = LoadCSVClasses(strings.NewReader(table), CSVConfig{MaxRows: -1})
	wantErr(t, err, ErrLimit, "MaxRows -1")
}
