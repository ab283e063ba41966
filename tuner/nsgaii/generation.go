package nsgaii

import (
	"fmt"
	"slices"
	"sync"

	"github.com/gradtune/gradtune/goal"
)

// Member is a complete trial with the generation NSGA-II gave it when it
// started.
type Member struct {
	Individual
	Generation int
}

// Generations finds the population that parents the next child, as Optuna
// 3.1's NSGAIISampler._collect_parent_population does, and remembers each
// generation's selection so that the next call, with the same members,
// repeats no selection (Optuna caches it in a study attribute). The zero
// value is ready to use; it is safe for concurrent use.
type Generations struct {
	mu   sync.Mutex
	memo map[int]selection
}

// selection is one generation's elite: the individuals it was selected
// from, and the indices of the elite among them.
type selection struct {
	from  []Individual
	elite []int
}

// Parents returns the last full generation and its elite, the parent
// population: generation 0's elite is the best size of its members,
// generation g's the best size of its members and generation g − 1's
// elite (SelectElite), as long as generation g has at least size members
// (in a parallel study it may have more). The members of a generation
// count in the order of their numbers. Before generation 0 is full it
// returns −1 and no population. Errors: SelectElite's, and size < 1.
func (g *Generations) Parents(members []Member, size int, dirs []goal.Direction) (int, []Individual, error) {
	if size < 1 {
		return -1, nil, fmt.Errorf("%w: population size %d, want ≥ 1", ErrInput, size)
	}
	members = slices.Clone(members)
	slices.SortStableFunc(members, func(a, b Member) int { return a.Number - b.Number })
	byGen := map[int][]Individual{}
	for _, m := range members {
		byGen[m.Generation] = append(byGen[m.Generation], m.Individual)
	}
	parentGen, parents := -1, []Individual(nil)
	for {
		gen := parentGen + 1
		pop := byGen[gen]
		if len(pop) < size {
			return parentGen, parents, nil
		}
		pop = append(slices.Clip(pop), parents...)
		elite, err := g.select1(gen, pop, size, dirs)
		if err != nil {
			return -1, nil, fmt.Errorf("generation %d: %w", gen, err)
		}
		parentGen, parents = gen, elite
	}
}

// select1 is SelectElite of generation gen's pop, from memory when the
// same pop was selected before.
func (g *Generations) select1(gen int, pop []Individual, size int, dirs []goal.Direction) ([]Individual, error) {
	g.mu.Lock()
	m, ok := g.memo[gen]
	g.mu.Unlock()
	if ok && len(m.elite) == min(size, len(pop)) && slices.EqualFunc(m.from, pop, sameIndividual) {
		out := make([]Individual, len(m.elite))
		for i, j := range m.elite {
			out[i] = pop[j]
		}
		return out, nil
	}
	elite, err := SelectElite(pop, size, dirs)
	if err != nil {
		return nil, err
	}
	at := make(map[int]int, len(pop)) // number → index
	for i, ind := range pop {
		at[ind.Number] = i
	}
	idx := make([]int, len(elite))
	for i, ind := range elite {
		idx[i] = at[ind.Number]
	}
	g.mu.Lock()
	if g.memo == nil {
		g.memo = map[int]selection{}
	}
	g.memo[gen] = selection{from: pop, elite: idx}
	g.mu.Unlock()
	return elite, nil
}

// sameIndividual compares what selection looks at: number, values and
// constraints.
func sameIndividual(a, b Individual) bool {
	return a.Number == b.Number && slices.Equal(a.Values, b.Values) && slices.Equal(a.Constraints, b.Constraints) &&
		(a.Constraints == nil) == (b.Constraints == nil)
}
