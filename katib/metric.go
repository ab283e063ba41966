package katib

import (
	"fmt"
	"io"
	"math"
)

// WriteMetric writes one "name=value" line to w (a trial's standard
// output), in the form Katib's StdOut collector reads with its default
// filter: the shortest decimal or exponent form that parses back to value.
// It returns an error wrapping ErrInvalid for a name the filter would not
// read as one, or for NaN or ±Inf, which the filter cannot match (Katib
// would see no value at all), and w's error otherwise.
func WriteMetric(w io.Writer, name string, value float64) error {
	if !metricName.MatchString(name) {
		return fmt.Errorf("%w: metric name %q, want letters, digits, _ or -", ErrInvalid, name)
	}
	if math.IsNaN(value) || math.IsInf(value, 0) {
		return fmt.Errorf("%w: metric %s = %v, want a finite number (Katib's filter reads no NaN or Inf)", ErrInvalid, name, value)
	}
	_, err := fmt.Fprintf(w, "%s=%s\n", name, formatFloat(value))
	return err
}
