package diagnose

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// num formats a measured value with 4 significant digits: enough to
// compare, short enough to read.
func num(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }

// pct formats a fraction as a percentage.
func pct(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) }

// list joins names, keeping the first max and counting the rest, so that a
// 1000-column report stays one line.
func list(names []string, max int) string {
	if len(names) <= max {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:max], ", "), len(names)-max)
}

// finite reports whether v is neither NaN nor ±Inf.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// median returns the median of vs (the mean of the middle two for an even
// count); vs is not modified. NaN for none.
func median(vs []float64) float64 {
	if len(vs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), vs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// lrFix is the standard advice for a rate that is too high; lr ≤ 0 means
// unknown.
func lrFix(lr float64) string {
	lower := "lower the learning rate by 10× or more"
	if lr > 0 {
		lower = fmt.Sprintf("lower the learning rate (now %s) by 10× or more (try %s)", num(lr), num(lr/10))
	}
	return lower + "; clip gradients (trainer.Config.ClipNorm, e.g. 1); or run the LR range test (package lrfinder) and start from the rate it suggests"
}
