package longrun

// Growth is how a curve grew after its warm-up.
type Growth struct {
	// Slope is the least-squares slope of the value against At over the
	// points past the warm-up, in the value's units per step (or trial).
	Slope float64
	// Total is Slope times the span of At it was fitted over: what the
	// fitted line grew by from the first point past the warm-up to the last.
	Total float64
	// From and To are the span of At the line was fitted over.
	From, To int
}

// WarmupFraction of a curve's points is left out of Trend: graphs are
// built, buffers and pools reach their size, the GC finds its pace.
const WarmupFraction = 0.25

// Trend fits a line (ordinary least squares) through value(p) against p.At
// for the points of ps past the first WarmupFraction of them. A slope is
// used rather than last point minus first so that one noisy sample cannot
// make or hide growth on its own. Fewer than two points past the warm-up
// (or all at one At) give a zero Growth.
func Trend(ps []Point, value func(Point) float64) Growth {
	ps = ps[int(float64(len(ps))*WarmupFraction):]
	if len(ps) < 2 {
		return Growth{}
	}
	n := float64(len(ps))
	var mx, my float64
	for _, p := range ps {
		mx += float64(p.At)
		my += value(p)
	}
	mx, my = mx/n, my/n
	var sxy, sxx float64
	for _, p := range ps {
		dx := float64(p.At) - mx
		sxy += dx * (value(p) - my)
		sxx += dx * dx
	}
	g := Growth{From: ps[0].At, To: ps[len(ps)-1].At}
	if sxx == 0 {
		return g
	}
	g.Slope = sxy / sxx
	g.Total = g.Slope * float64(g.To-g.From)
	return g
}

// HeapOf and RSSOf are the values Trend fits most often.
func HeapOf(p Point) float64 { return float64(p.Heap) }

// RSSOf is p's resident set in bytes.
func RSSOf(p Point) float64 { return float64(p.RSS) }
