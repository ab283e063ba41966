package report

import (
	"fmt"
	"strings"

	"github.com/gradtune/gradtune/plots"
)

// chartData prints a chart's axes, series and marks compactly: long series
// (over 12 points) by their lengths only.
type chartData plots.Chart

func dataOf(c plots.Chart) chartData { return chartData(c) }

func (c chartData) String() string {
	parts := []string{fmt.Sprintf("logx=%v logy=%v", c.LogX, c.LogY)}
	for _, s := range c.Series {
		if len(s.Y) > 12 {
			parts = append(parts, fmt.Sprintf("%s %d→%d", s.Name, len(s.X), len(s.Y)))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %v→%v", s.Name, s.X, s.Y))
	}
	parts = append(parts, fmt.Sprintf("marks %v", c.Marks))
	return strings.Join(parts, "; ")
}
