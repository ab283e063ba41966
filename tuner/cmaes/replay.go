package cmaes

import (
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/internal/searchspace"
)

// The trial attributes the sampler keeps (see the package documentation).
const (
	attrGeneration = "cma:generation" // with IPOP: cma:restart_<r>:generation
	attrRestarts   = "cma:n_restarts"
	attrSpace      = "cma:space"
	attrTold       = "cma:told"
)

// generationKey is the attribute holding a trial's generation, Optuna's
// key: one per restart with IPOP.
func generationKey(ipop bool, restart int) string {
	if !ipop {
		return attrGeneration
	}
	return "cma:restart_" + strconv.Itoa(restart) + ":generation"
}

// tag names a generation: which restart (0 without IPOP), which generation.
type tag struct{ restart, generation int }

// result is a finished trial as a solution: its point in the transformed
// space and its value to minimize.
type result struct {
	number int
	tag    tag
	sol    solution
}

// history is what the replay reads from the study's other trials.
type history struct {
	byTag map[tag][]result // the usable solutions of each generation, by number
	told  map[tag][]int    // each generation's solutions, as the trial that told them noted
	space string           // the search space's signature on the first trial CMA-ES drew
}

// plan is the optimizer as the study's trials rebuild it when a trial
// starts.
type plan struct {
	space     searchspace.Transform
	signature string
	opt       *cma // nil unless the state was asked for
	at        tag  // the generation the starting trial joins
	// told lists the trials told to reach at, by number, when the starting
	// trial's start is what completed the previous generation (from);
	// nil when no trial noted it yet.
	told []int
	from tag
}

// plan replays the study's generations for the trial starting in c, with
// the optimizer's state when withState (the bookkeeping alone needs none;
// with IPOP the state is always computed, as its restarts decide which
// generation comes next); nil when the Independent sampler draws: fewer
// than StartupTrials finished trials, a search space of fewer than two
// numerical parameters, or one that changed since CMA-ES started (as
// Optuna, which then samples independently for good).
func (s Sampler) plan(c *tuner.SampleContext, withState bool) (*plan, error) {
	if c == nil || c.Trial == nil {
		return nil, fmt.Errorf("%w: cmaes.Sampler needs a sample context with its trial", tuner.ErrConfig)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	finished := 0
	for i := range c.Trials {
		if _, ok := s.usable(&c.Trials[i], c.Direction); ok {
			finished++
		}
	}
	if finished < s.startupTrials() {
		return nil, nil
	}
	// Optuna's relative search space: the intersection over complete
	// trials, less categorical (New leaves them out) and single-valued
	// parameters.
	dists := searchspace.Intersection(c.Trials, false)
	for name, d := range dists {
		if tuner.Single(d) {
			delete(dists, name)
		}
	}
	space, err := searchspace.New(dists)
	if err != nil {
		return nil, fmt.Errorf("cmaes.Sampler: %w", err)
	}
	n := len(space.Names)
	if n < 2 {
		return nil, nil // CMA-ES needs two dimensions; Optuna samples independently too
	}
	if n > MaxDim {
		return nil, fmt.Errorf("%w: cmaes.Sampler: a search space of %d numerical parameters, at most MaxDim = %d", tuner.ErrConfig, n, MaxDim)
	}
	p := &plan{space: space, signature: signature(space)}
	h := s.read(c, space)
	if h.space != "" && h.space != p.signature {
		return nil, nil
	}
	k, err := newConstants(n, s.Popsize)
	if err != nil {
		return nil, err
	}
	popsize := k.popsize
	if s.IPOP { // told as the walk goes
		if p.opt, err = s.initial(space, 0, popsize); err != nil {
			return nil, err
		}
	}
	var steps [][]solution // the generations to tell, without IPOP (through the cache)
	for {
		sols, recorded := h.recorded(p.at, popsize)
		if !recorded {
			if len(h.byTag[p.at]) < popsize {
				break
			}
			sols = h.byTag[p.at][:popsize]
		}
		p.told, p.from = nil, p.at
		if !recorded {
			p.told = make([]int, len(sols))
			for i, r := range sols {
				p.told[i] = r.number
			}
		}
		told := make([]solution, len(sols))
		for i, r := range sols {
			told[i] = r.sol
		}
		next := tag{p.at.restart, p.at.generation + 1}
		if s.IPOP {
			restarted, err := s.tellIPOP(p, space, told)
			if err != nil {
				return nil, err
			}
			if restarted {
				next, popsize = tag{p.at.restart + 1, 0}, p.opt.popsize
			}
		} else {
			steps = append(steps, told)
		}
		p.at = next
	}
	if withState && !s.IPOP {
		if p.opt, err = s.replay(space, popsize, steps); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// tellIPOP tells p's optimizer one generation and restarts it, with
// IncPopsize times the population, if it should stop.
func (s Sampler) tellIPOP(p *plan, space searchspace.Transform, sols []solution) (restarted bool, err error) {
	if err := p.opt.tell(sols); err != nil {
		return false, err
	}
	stop, err := p.opt.shouldStop()
	if err != nil || !stop {
		return false, err
	}
	p.opt, err = s.initial(space, p.at.restart+1, p.opt.popsize*s.incPopsize())
	return true, err
}

// replay returns the optimizer after telling it steps, from the initial
// one: from the latest of them a cached state holds.
func (s Sampler) replay(space searchspace.Transform, popsize int, steps [][]solution) (*cma, error) {
	opt, err := s.initial(space, 0, popsize)
	if err != nil || len(steps) == 0 {
		return opt, err
	}
	if !cacheStates {
		for _, sols := range steps {
			if err := opt.tell(sols); err != nil {
				return nil, err
			}
		}
		return opt, nil
	}
	keys := make([]uint64, len(steps))
	k := states.keyer()
	k.start(opt)
	for i, sols := range steps {
		keys[i] = k.step(sols)
	}
	from := 0
	for i := len(steps) - 1; i >= 0; i-- {
		if cached, ok := states.get(keys[i]); ok {
			opt, from = cached, i+1
			break
		}
	}
	for _, sols := range steps[from:] {
		if err := opt.tell(sols); err != nil {
			return nil, err
		}
	}
	if from < len(steps) {
		states.put(keys[len(keys)-1], opt)
	}
	return opt, nil
}

// usable returns the value to minimize of a complete trial, or of a pruned
// one (its last reported value) with ConsiderPrunedTrials; ok is false for
// other trials and NaN values.
func (s Sampler) usable(t *tuner.FrozenTrial, dir tuner.Direction) (float64, bool) {
	v := t.Value
	switch {
	case t.State == tuner.Complete:
	case t.State == tuner.Pruned && s.ConsiderPrunedTrials:
		var ok bool
		if _, v, ok = t.LastStep(); !ok {
			return 0, false
		}
	default:
		return 0, false
	}
	if math.IsNaN(v) {
		return 0, false
	}
	if dir == tuner.Maximize {
		v = -v
	}
	return v, true
}

// read gathers the trials CMA-ES drew: their generations, the solutions
// they make and what they noted.
func (s Sampler) read(c *tuner.SampleContext, space searchspace.Transform) history {
	h := history{byTag: map[tag][]result{}, told: map[tag][]int{}}
	for i := range c.Trials {
		t := &c.Trials[i]
		tg, ok := readTag(t.Attrs, s.IPOP)
		if !ok {
			continue
		}
		if h.space == "" {
			h.space = t.Attrs[attrSpace]
		}
		if from, numbers, ok := readTold(t.Attrs[attrTold]); ok {
			if _, seen := h.told[from]; !seen {
				h.told[from] = numbers // the first trial to note it is the one that told it
			}
		}
		v, ok := s.usable(t, c.Direction)
		if !ok {
			continue
		}
		x, ok := space.ToSpace(t.Internal)
		if !ok {
			continue // a pruned trial stopped before suggesting them all
		}
		r := result{number: t.Number, tag: tg, sol: solution{x: x, value: v}}
		h.byTag[tg] = append(h.byTag[tg], r)
	}
	return h
}

// recorded returns the solutions a trial noted for generation at, if it
// noted popsize of them and each is a usable trial of that generation.
func (h history) recorded(at tag, popsize int) ([]result, bool) {
	numbers, ok := h.told[at]
	if !ok || len(numbers) != popsize {
		return nil, false
	}
	out := make([]result, len(numbers))
	for i, num := range numbers {
		j := slices.IndexFunc(h.byTag[at], func(r result) bool { return r.number == num })
		if j < 0 {
			return nil, false
		}
		out[i] = h.byTag[at][j]
	}
	return out, true
}

// note writes the trial's generation, restart and search space to attrs,
// and what it told, if it completed a generation.
func (p *plan) note(attrs map[string]string, ipop bool) {
	attrs[generationKey(ipop, p.at.restart)] = strconv.Itoa(p.at.generation)
	attrs[attrRestarts] = strconv.Itoa(p.at.restart)
	attrs[attrSpace] = p.signature
	if p.told != nil {
		nums := make([]string, len(p.told))
		for i, n := range p.told {
			nums[i] = strconv.Itoa(n)
		}
		attrs[attrTold] = fmt.Sprintf("%d:%d:%s", p.from.restart, p.from.generation, strings.Join(nums, ","))
	}
}

// readTag reads a trial's generation; ok is false for a trial CMA-ES did
// not draw.
func readTag(attrs map[string]string, ipop bool) (tag, bool) {
	r := 0
	if v, ok := attrs[attrRestarts]; ok {
		var err error
		if r, err = strconv.Atoi(v); err != nil || r < 0 {
			return tag{}, false
		}
	}
	g, err := strconv.Atoi(attrs[generationKey(ipop, r)])
	if err != nil || g < 0 || !ipop && r != 0 {
		return tag{}, false
	}
	return tag{r, g}, true
}

// readTold parses attrTold's "restart:generation:n1,n2,…".
func readTold(s string) (from tag, numbers []int, ok bool) {
	if s == "" {
		return tag{}, nil, false
	}
	parts := strings.SplitN(s, ":", 3)
	if len(parts) != 3 {
		return tag{}, nil, false
	}
	r, err1 := strconv.Atoi(parts[0])
	g, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return tag{}, nil, false
	}
	for _, f := range strings.Split(parts[2], ",") {
		n, err := strconv.Atoi(f)
		if err != nil {
			return tag{}, nil, false
		}
		numbers = append(numbers, n)
	}
	return tag{r, g}, numbers, true
}

// signature identifies a search space: FNV-1a of its names and
// distributions.
func signature(space searchspace.Transform) string {
	h := fnv.New64a()
	for i, name := range space.Names {
		d, _ := tuner.MarshalDistribution(space.Dists[i])
		fmt.Fprintf(h, "%q=%s;", name, d)
	}
	return fmt.Sprintf("%016x", h.Sum64())
}
