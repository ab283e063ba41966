package critic

import (
	"fmt"
	"strconv"
)

// num formats a measured value with 4 significant digits: enough to
// compare, short enough to read.
func num(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }

// pct formats a fraction as a percentage.
func pct(f float64) string { return fmt.Sprintf("%.0f%%", 100*f) }

// trialsOf says "1 trial" or "n trials".
func trialsOf(n int) string {
	if n == 1 {
		return "1 trial"
	}
	return fmt.Sprintf("%d trials", n)
}

// choice formats a categorical choice as the code that names it: strings
// quoted.
func choice(c any) string {
	if s, ok := c.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(c)
}

// external formats internal value x of a parameter drawn from d: a
// number or the choice.
func external(d interface{ FromInternal(float64) any }, x float64) string {
	switch v := d.FromInternal(x).(type) {
	case float64:
		return num(v)
	case string:
		return strconv.Quote(v)
	default:
		return fmt.Sprint(v)
	}
}
