package golden

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// Num is a float64 in a golden file: a JSON number, or a string for what
// JSON cannot hold ("NaN", "Inf", "-Inf", "inf", "-inf": strconv.ParseFloat's
// spellings).
type Num float64

// UnmarshalJSON implements json.Unmarshaler.
func (n *Num) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("golden: number %q: %w", s, err)
		}
		*n = Num(f)
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*n = Num(f)
	return nil
}
