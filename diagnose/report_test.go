package diagnose

import (
	"errors"
	"io"
	"strings"
	"testing"
)

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, io.ErrShortWrite }

func TestReport(t *testing.T) {
	d := func(k Kind, s Severity, where string) Diagnosis {
		return Diagnosis{Kind: k, Severity: s, Where: where, Evidence: "ev " + where, Cause: "c", Fix: "f"}
	}
	in := []Diagnosis{
		d(Overfitting, Warning, "epochs 6–10"),
		d(Leakage, Info, "rows 1"),
		d(DeadReLU, Warning, "activations dense0/relu"),
		d(Exploding, Error, "step 2"),
		d(BadLR, Warning, "layers dense0/W"),
	}
	orig := append([]Diagnosis(nil), in...)
	cases := []struct {
		name string
		ds   []Diagnosis
		want string
	}{
		{"empty", nil, "diagnose: no problems found\n"},
		{"one", in[3:4], "diagnose: 1 problem (1 error)\n\n" +
			"[error] exploding_gradients at step 2\n  evidence: ev step 2\n  cause:    c\n  fix:      f\n"},
		{"sorted", in, "diagnose: 5 problems (1 error, 3 warnings, 1 info)\n" +
			"\n[error] exploding_gradients at step 2\n  evidence: ev step 2\n  cause:    c\n  fix:      f\n" +
			"\n[warning] bad_learning_rate at layers dense0/W\n  evidence: ev layers dense0/W\n  cause:    c\n  fix:      f\n" +
			"\n[warning] dead_relu at activations dense0/relu\n  evidence: ev activations dense0/relu\n  cause:    c\n  fix:      f\n" +
			"\n[warning] overfitting at epochs 6–10\n  evidence: ev epochs 6–10\n  cause:    c\n  fix:      f\n" +
			"\n[info] data_leakage at rows 1\n  evidence: ev rows 1\n  cause:    c\n  fix:      f\n"},
	}
	for _, c := range cases {
		var b strings.Builder
		if err := Report(&b, c.ds); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if b.String() != c.want {
			t.Errorf("%s: report\n%s\nwant\n%s", c.name, b.String(), c.want)
		}
	}
	for i := range in {
		if in[i].Where != orig[i].Where {
			t.Fatalf("Report reordered its input: %v", in)
		}
	}
	if err := Report(failingWriter{}, in); !errors.Is(err, io.ErrShortWrite) {
		t.Errorf("failing writer: %v, want io.ErrShortWrite", err)
	}
	if err := Report(nil, in); !errors.Is(err, ErrConfig) {
		t.Errorf("nil writer: %v, want ErrConfig", err)
	}
}
