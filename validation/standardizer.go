package validation

import (
	"fmt"
	"github.com/gradtune/gradtune/internal/dense"
	"math"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
)

// Standardizer centers and scales each feature column of X to zero mean and
// unit variance with statistics of the rows it was fit on, as
// sklearn.preprocessing.StandardScaler (with_mean, with_std). Fit it on the
// training rows only and transform every part with it: statistics that saw
// validation or test rows leak them into the model.
type Standardizer struct {
	// Mean[j] is the mean of feature j over the N rows fit on.
	Mean []float64
	// Var[j] is the population variance (ddof = 0) of feature j.
	Var []float64
	// Scale[j] is √Var[j], or 1 for a constant feature.
	Scale []float64
	// N is the number of rows fit on.
	N int
}

// Fit computes the per-feature statistics of d's X (n, features), in float64
// whatever d's dtype, with scikit-learn 1.2's formulas
// (utils.extmath._incremental_mean_and_var, preprocessing._data):
//
//	Mean = Σx / n
//	Var  = (Σ(x − Mean)² − (Σ(x − Mean))² / n) / n   (the corrected two-pass algorithm, Chan, Golub & LeVeque 1983)
//	Scale = 1 if Var ≤ n·ε·Var + (n·Mean·ε)² (ε = 2⁻⁵², a constant feature), else √Var
//
// with the sums taken row by row, as NumPy does along axis 0, so the results
// equal StandardScaler's mean_, var_ and scale_ to the last bit or so. Y is
// ignored.
//
// Errors: a nil or empty d wraps ErrData.
func Fit(d *data.Dataset) (*Standardizer, error) {
	n, w := d.Len(), d.Features()
	if n == 0 {
		return nil, fmt.Errorf("%w: Fit on an empty Dataset", ErrData)
	}
	xs := dense.ReadOnly64(d.X)
	if len(xs) != n*w || d.X.DataSize() != n*w {
		return nil, fmt.Errorf("%w: X is %v with %d values, want float32 or float64 with %d×%d",
			ErrData, d.X.Dtype(), len(xs), n, w)
	}
	s := &Standardizer{Mean: make([]float64, w), Var: make([]float64, w), Scale: make([]float64, w), N: n}
	fn := float64(n)
	for j := range w {
		sum := 0.0
		for i := range n {
			sum += xs[i*w+j]
		}
		mean := sum / fn
		correction, squares := 0.0, 0.0
		for i := range n {
			t := xs[i*w+j] - mean
			correction += t
			squares += t * t
		}
		v := (squares - correction*correction/fn) / fn
		s.Mean[j], s.Var[j] = mean, v
		const eps = 0x1p-52
		if bound := fn*eps*v + (fn*mean*eps)*(fn*mean*eps); v <= bound {
			s.Scale[j] = 1 // dividing by a rounding error would blow the column up
		} else {
			s.Scale[j] = math.Sqrt(v)
		}
	}
	return s, nil
}

// Transform returns a new Dataset of d's dtype whose X is (x − Mean) / Scale
// per feature column (rounded as StandardScaler.transform: for float32,
// x − Mean is rounded to float32 before the division) and whose Y is a copy
// of d's, untouched.
//
// Errors: a nil or unfitted Standardizer, or one whose Mean and Scale differ
// in length or hold a non-finite mean or a scale ≤ 0, wraps ErrConfig; a nil
// or empty d, a feature count other than len(Mean), or a result that
// overflows float32, wraps ErrData.
func (s *Standardizer) Transform(d *data.Dataset) (*data.Dataset, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	n, w := d.Len(), d.Features()
	if n == 0 {
		return nil, fmt.Errorf("%w: Transform of an empty Dataset", ErrData)
	}
	if w != len(s.Mean) {
		return nil, fmt.Errorf("%w: the Dataset has %d features, the Standardizer was fit on %d",
			ErrData, w, len(s.Mean))
	}
	if d.X.DataSize() != n*w || d.Y.DataSize() != n*d.Targets() {
		return nil, fmt.Errorf("%w: X or Y is not a contiguous row-major matrix (build the Dataset with data.New)", ErrData)
	}
	var x, y *tensor.Dense
	switch src := d.X.Data().(type) {
	case []float64:
		out := make([]float64, len(src))
		for k, v := range src {
			out[k] = (v - s.Mean[k%w]) / s.Scale[k%w]
		}
		x = tensor.New(tensor.WithShape(n, w), tensor.WithBacking(out))
	case []float32:
		out := make([]float32, len(src))
		for k, v := range src {
			centered := float32(float64(v) - s.Mean[k%w]) // NumPy's in-place X -= mean_ on float32 X
			out[k] = float32(float64(centered) / s.Scale[k%w])
		}
		x = tensor.New(tensor.WithShape(n, w), tensor.WithBacking(out))
	default:
		return nil, fmt.Errorf("%w: X is %v, want float32 or float64", ErrData, d.X.Dtype())
	}
	switch src := d.Y.Data().(type) {
	case []float64:
		y = tensor.New(tensor.WithShape(d.Y.Shape()...), tensor.WithBacking(append([]float64(nil), src...)))
	case []float32:
		y = tensor.New(tensor.WithShape(d.Y.Shape()...), tensor.WithBacking(append([]float32(nil), src...)))
	default:
		return nil, fmt.Errorf("%w: Y is %v, want float32 or float64", ErrData, d.Y.Dtype())
	}
	out, err := data.New(x, y)
	if err != nil {
		return nil, fmt.Errorf("%w: standardized features: %w", ErrData, err)
	}
	return out, nil
}

// check reports a Standardizer that Transform cannot use.
func (s *Standardizer) check() error {
	if s == nil || len(s.Mean) == 0 {
		return fmt.Errorf("%w: Transform with an unfitted Standardizer (use Fit)", ErrConfig)
	}
	if len(s.Scale) != len(s.Mean) {
		return fmt.Errorf("%w: Standardizer has %d means but %d scales", ErrConfig, len(s.Mean), len(s.Scale))
	}
	for j := range s.Mean {
		if m := s.Mean[j]; m-m != 0 {
			return fmt.Errorf("%w: Standardizer Mean[%d] = %v, want finite", ErrConfig, j, m)
		}
		if sc := s.Scale[j]; !(sc > 0) || math.IsInf(sc, 1) {
			return fmt.Errorf("%w: Standardizer Scale[%d] = %v, want 0 < scale < +Inf", ErrConfig, j, sc)
		}
	}
	return nil
}
