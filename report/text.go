package report

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/gradtune/gradtune/lrfinder"
	"github.com/gradtune/gradtune/trainer"
)

// tableHead and tableTail bound the epoch table: a longer run shows its
// first tableHead and last tableTail epochs.
const tableHead, tableTail = 5, 15

// text renders report.txt: the diagnoses, then the range test and the
// epoch table when in has them.
func text(in Input) string {
	var b strings.Builder
	b.WriteString("gradtune training report\n")
	section(&b, "Diagnoses")
	b.WriteString(diagnoses(in))
	if r := in.LRRange; r != nil {
		section(&b, "Learning-rate range test")
		b.WriteString(lrRangeText(r))
	}
	if h := in.History; h != nil && len(h.Epochs) > 0 {
		section(&b, "Epochs")
		b.WriteString(epochTable(h))
	}
	return b.String()
}

func section(b *strings.Builder, title string) {
	fmt.Fprintf(b, "\n%s\n%s\n", title, strings.Repeat("=", len(title)))
}

// diagnoses is DiagnosesText when set, else one block per diagnosis
// (Diagnosis.String) separated by blank lines, or "no problems found".
func diagnoses(in Input) string {
	if t := strings.TrimSpace(in.DiagnosesText); t != "" {
		return t + "\n"
	}
	if len(in.Diagnoses) == 0 {
		return "no problems found\n"
	}
	blocks := make([]string, len(in.Diagnoses))
	for i, d := range in.Diagnoses {
		blocks[i] = d.String()
	}
	return strings.Join(blocks, "\n\n") + "\n"
}

// lrRangeText gives the suggestion (or its absence), the reason and how the
// sweep ended.
func lrRangeText(r *lrfinder.Result) string {
	var b strings.Builder
	if r.Trustworthy {
		fmt.Fprintf(&b, "suggested lr: %.3g\n", r.Suggested)
	} else {
		b.WriteString("suggested lr: none (the curve is not trustworthy)\n")
	}
	fmt.Fprintf(&b, "reason: %s\n", r.Reason)
	if n := len(r.LRs); n > 0 {
		fmt.Fprintf(&b, "swept: %d steps, lr %.3g to %.3g", n, r.LRs[0], r.LRs[n-1])
		if r.Diverged {
			fmt.Fprintf(&b, "; diverged at lr %.3g", r.DivergedAt)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// epochTable lists epoch, loss, val_loss and each val_<metric> (when any
// epoch was validated), lr and seconds, as trainer.CSVLogger's columns.
func epochTable(h *trainer.History) string {
	es := h.Epochs
	var metrics []string
	validated := false
	seen := map[string]bool{}
	for _, e := range es {
		if e.ValMetrics != nil {
			validated = true
		}
		for k := range e.ValMetrics {
			if !seen[k] {
				seen[k] = true
				metrics = append(metrics, k)
			}
		}
	}
	sort.Strings(metrics)
	cols := []string{"epoch", "loss"}
	if validated {
		cols = append(cols, "val_loss")
		for _, k := range metrics {
			cols = append(cols, "val_"+k)
		}
	}
	cols = append(cols, "lr", "seconds")
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, strings.Join(cols, "\t")+"\t")
	row := func(e trainer.EpochStats) {
		cells := []string{fmt.Sprint(e.Epoch)}
		for _, c := range cols[1 : len(cols)-1] {
			v, ok := e.Value(c)
			if !ok || math.IsNaN(v) {
				cells = append(cells, "-")
				continue
			}
			cells = append(cells, fmt.Sprintf("%.4g", v))
		}
		cells = append(cells, fmt.Sprintf("%.2f", e.Seconds))
		fmt.Fprintln(w, strings.Join(cells, "\t")+"\t")
	}
	if len(es) <= tableHead+tableTail {
		for _, e := range es {
			row(e)
		}
	} else {
		for _, e := range es[:tableHead] {
			row(e)
		}
		fmt.Fprintf(w, "…\t(%d epochs omitted)\t\n", len(es)-tableHead-tableTail)
		for _, e := range es[len(es)-tableTail:] {
			row(e)
		}
	}
	w.Flush()
	if h.StoppedBy != "" {
		fmt.Fprintf(&b, "stopped early by %s\n", h.StoppedBy)
	}
	return b.String()
}
