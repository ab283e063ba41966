package data

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

const irisLike = `sepal_len,sepal_wid,petal_len,class
5.1, 3.5, 1.4, 0
7.0,3.2,4.7,1

6.3,3.3,6.0,2
`

func TestLoadCSV(t *testing.T) {
	tests := []struct {
		name         string
		text         string
		cfg          CSVConfig
		wantX, wantY any
		features     int
		targets      int
	}{
		{
			name: "header, last column by default",
			text: irisLike, cfg: CSVConfig{Header: true},
			wantX:    []float64{5.1, 3.5, 1.4, 7.0, 3.2, 4.7, 6.3, 3.3, 6.0},
			wantY:    []float64{0, 1, 2},
			features: 3, targets: 1,
		},
		{
			name: "first column, float32",
			text: irisLike, cfg: CSVConfig{Header: true, TargetColumns: []int{0}, Dtype: tensor.Float32},
			wantX:    []float32{3.5, 1.4, 0, 3.2, 4.7, 1, 3.3, 6.0, 2},
			wantY:    []float32{5.1, 7.0, 6.3},
			features: 3, targets: 1,
		},
		{
			name: "negative and in Y order",
			text: irisLike, cfg: CSVConfig{Header: true, TargetColumns: []int{-1, 1}},
			wantX:    []float64{5.1, 1.4, 7.0, 4.7, 6.3, 6.0},
			wantY:    []float64{0, 3.5, 1, 3.2, 2, 3.3},
			features: 2, targets: 2,
		},
		{
			name: "-4 is column 0",
			text: irisLike, cfg: CSVConfig{Header: true, TargetColumns: []int{-4}},
			wantX:    []float64{3.5, 1.4, 0, 3.2, 4.7, 1, 3.3, 6.0, 2},
			wantY:    []float64{5.1, 7.0, 6.3},
			features: 3, targets: 1,
		},
		{
			name: "semicolons, no header, quoted cells",
			text: "1;\"2e3\";-3\n4;5;6\n", cfg: CSVConfig{Comma: ';'},
			wantX:    []float64{1, 2000, 4, 5},
			wantY:    []float64{-3, 6},
			features: 2, targets: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := LoadCSV(strings.NewReader(tt.text), tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if d.Features() != tt.features || d.Targets() != tt.targets {
				t.Errorf("features, targets = %d, %d; want %d, %d", d.Features(), d.Targets(), tt.features, tt.targets)
			}
			if !reflect.DeepEqual(d.X.Data(), tt.wantX) {
				t.Errorf("X = %v, want %v", d.X.Data(), tt.wantX)
			}
			if !reflect.DeepEqual(d.Y.Data(), tt.wantY) {
				t.Errorf("Y = %v, want %v", d.Y.Data(), tt.wantY)
			}
		})
	}
}

func TestLoadCSVErrors(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		cfg   CSVConfig
		want  error
		parts []string
	}{
		{"not a number", "a,b,c\n1,2,3\n4,x5,6\n", CSVConfig{Header: true},
			ErrParse, []string{"line 3, column 2", `("b")`, `"x5" is not a number`}},
		{"no header name", "1,2\n\n3,oops\n", CSVConfig{},
			ErrParse, []string{"line 3, column 2", `"oops" is not a number`}},
		{"empty cell", "1,2\n,3\n", CSVConfig{}, ErrParse, []string{"line 2, column 1", `"" is not a number`}},
		{"out of range", "1,1e999\n", CSVConfig{}, ErrParse, []string{"line 1, column 2", "out of the float64 range"}},
		{"NaN cell", "1,2\n3,NaN\n", CSVConfig{}, ErrNonFinite, []string{"line 2, column 2", `"NaN"`}},
		{"Inf cell", "h1,h2\n-Inf,2\n", CSVConfig{Header: true}, ErrNonFinite, []string{"line 2, column 1", `("h1")`}},
		{"ragged", "1,2,3\n4,5,6\n7,8\n", CSVConfig{}, ErrShape, []string{"line 3 has 2 columns, want 3"}},
		{"ragged after header", "a,b\n1,2,3\n", CSVConfig{Header: true}, ErrShape, []string{"line 2 has 3 columns, want 2"}},
		{"target too big", "1,2,3\n", CSVConfig{TargetColumns: []int{3}}, ErrShape, []string{"target column 3", "3 columns"}},
		{"target too negative", "1,2,3\n", CSVConfig{TargetColumns: []int{-4}}, ErrShape, []string{"target column -4"}},
		{"repeated target", "1,2,3\n", CSVConfig{TargetColumns: []int{2, -1}}, ErrShape, []string{"2 and -1", "column 2"}},
		{"all targets", "1,2\n", CSVConfig{TargetColumns: []int{0, 1}}, ErrShape, []string{"no feature"}},
		{"one column", "1\n2\n", CSVConfig{}, ErrShape, []string{"no feature"}},
		{"header only", "a,b\n", CSVConfig{Header: true}, ErrEmpty, nil},
		{"nothing", "", CSVConfig{}, ErrEmpty, nil},
		{"bare quote", "1,2\n3,4\"5\n", CSVConfig{}, ErrParse, []string{"line 2"}},
		{"dtype", "1,2\n", CSVConfig{Dtype: tensor.Int}, ErrDtype, []string{"int"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := LoadCSV(strings.NewReader(tt.text), tt.cfg)
			if d != nil {
				t.Errorf("got a dataset with the error")
			}
			wantErr(t, err, tt.want, tt.parts...)
		})
	}
}

func TestLoadCSVFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iris.csv")
	if err := os.WriteFile(path, []byte(irisLike), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := LoadCSVFile(path, CSVConfig{Header: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := d.Y.Data(), []float64{0, 1, 2}; !reflect.DeepEqual(got, want) {
		t.Errorf("Y = %v, want %v", got, want)
	}

	bad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(bad, []byte("1,2\n3,z\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = LoadCSVFile(bad, CSVConfig{})
	wantErr(t, err, ErrParse, bad, "line 2, column 2")

	_, err = LoadCSVFile(filepath.Join(t.TempDir(), "missing.csv"), CSVConfig{})
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "missing.csv") {
		t.Errorf("error %v, want fs.ErrNotExist naming missing.csv", err)
	}
}

func TestLoadCSVClasses(t *testing.T) {
	ds, classes, err := LoadCSVClasses(strings.NewReader("a,b,species\n1,2,virginica\n3,4,setosa\n5,6,virginica\n"), CSVConfig{Header: true})
	if err != nil {
		t.Fatal(err)
	}
	labels, _ := ds.Labels()
	if !reflect.DeepEqual(classes, []string{"setosa", "virginica"}) || !reflect.DeepEqual(labels, []int{1, 0, 1}) || ds.Features() != 2 {
		t.Errorf("classes %v labels %v features %d", classes, labels, ds.Features())
	}
	_, _, err = LoadCSVClasses(strings.NewReader("1,2,3\n"), CSVConfig{TargetColumns: []int{1, 2}})
	wantErr(t, err, ErrShape, "want 1 column of class names")
}

// A byte-order mark must not become part of the first cell: with class
// names in column 0 it made "\ufeffrepublican" a class of its own, and in a
// numeric first cell a parse error on line 1.
func TestLoadCSVByteOrderMark(t *testing.T) {
	const votes = "republican,1,0\ndemocrat,0,1\nrepublican,1,1\n"
	utf16le := func(s string) string {
		b := []byte{0xff, 0xfe}
		for _, r := range s { // ASCII only
			b = append(b, byte(r), 0)
		}
		return string(b)
	}
	for name, text := range map[string]string{
		"utf-8 mark":    "\ufeff" + votes,
		"utf-16le mark": utf16le(votes),
	} {
		t.Run(name, func(t *testing.T) {
			d, classes, err := LoadCSVClasses(strings.NewReader(text), CSVConfig{TargetColumns: []int{0}})
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{"democrat", "republican"}; !reflect.DeepEqual(classes, want) {
				t.Errorf("classes = %q, want %q", classes, want)
			}
			if got, want := d.Y.Data(), []float64{1, 0, 1}; !reflect.DeepEqual(got, want) {
				t.Errorf("labels = %v, want %v", got, want)
			}
		})
	}
	d, err := LoadCSV(strings.NewReader("\ufeff5.1,3.5,0\n7.0,3.2,1\n"), CSVConfig{})
	if err != nil {
		t.Fatalf("numeric table with a UTF-8 mark: %v", err)
	}
	if got, want := d.X.Data(), []float64{5.1, 3.5, 7.0, 3.2}; !reflect.DeepEqual(got, want) {
		t.Errorf("X = %v, want %v", got, want)
	}
	// Without a mark, bytes that are not UTF-8 pass through unchanged, so two
	// Latin-1 names stay two classes.
	_, classes, err := LoadCSVClasses(strings.NewReader("caf\xe9,1\ncaf\xe8,2\n"), CSVConfig{TargetColumns: []int{0}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"caf\xe8", "caf\xe9"}; !reflect.DeepEqual(classes, want) {
		t.Errorf("Latin-1 classes = %q, want %q", classes, want)
	}
}
