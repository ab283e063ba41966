package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// summarize prints the medians of a job's rates and of the per-round ratios
// of ours to each peer (raw or py may be empty: not measured).
func summarize(w io.Writer, job, unit string, ours, raw, py []sample) {
	rates := func(s []sample) []float64 {
		out := make([]float64, len(s))
		for i, x := range s {
			out[i] = x.rate
		}
		return out
	}
	ratios := func(peer []sample) []float64 {
		out := make([]float64, len(peer))
		for i := range peer {
			out[i] = ours[i].rate / peer[i].rate
		}
		return out
	}
	fmt.Fprintf(w, "%s, median of %d rounds: ours %.0f %s", job, len(ours), median(rates(ours)), unit)
	if len(raw) > 0 {
		fmt.Fprintf(w, ", raw Gorgonia+gonum %.0f (ours/raw %.2f×)", median(rates(raw)), median(ratios(raw)))
	}
	if len(py) > 0 {
		fmt.Fprintf(w, ", PyTorch 1 thread %.0f (ours/PyTorch %.2f×)", median(rates(py)), median(ratios(py)))
	}
	allocs, bytes := make([]float64, len(ours)), make([]float64, len(ours))
	for i, o := range ours {
		allocs[i], bytes[i] = o.allocsPerStep, o.bytesPerStep
	}
	fmt.Fprintf(w, "; ours per step: %.0f allocations, %.3f MB\n\n", median(allocs), median(bytes)/1e6)
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// peakRSS reads the process's peak resident set (VmHWM) on Linux.
func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
