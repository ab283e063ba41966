package noise

import (
	"fmt"
	"io"
	"strings"

	"github.com/gradtune/gradtune/tuner"
)

// String is the report as text: one line per configuration (trial, mean ±
// std over the seeds, the study's value, the parameters) and the verdict.
func (r Report) String() string {
	var b strings.Builder
	_ = r.WriteText(&b)
	return b.String()
}

// WriteText writes String's text to w and returns w's error; a nil w
// gives an error wrapping tuner.ErrConfig.
func (r Report) WriteText(w io.Writer) error {
	if w == nil {
		return fmt.Errorf("%w: noise.Report.WriteText: nil writer", tuner.ErrConfig)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "re-evaluation of the top %d over %d seeds %v (%s):\n", len(r.Configs), len(r.Seeds), r.Seeds, r.Direction)
	for i, c := range r.Configs {
		fmt.Fprintf(&b, "  %d. trial %d: %.6g ± %.2g (study: %.6g) %v\n", i+1, c.Number, c.Mean, c.Std, c.StudyValue, c.Params)
	}
	if len(r.Configs) >= 2 {
		verdict := "not distinguishable from"
		if r.Distinguishable {
			verdict = "better than"
		}
		fmt.Fprintf(&b, "best (trial %d) is %s the runner-up (trial %d): Wilcoxon signed-rank p = %.3g, α = %g\n",
			r.Configs[0].Number, verdict, r.Configs[1].Number, r.P, r.Alpha)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
