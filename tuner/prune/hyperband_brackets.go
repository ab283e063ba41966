package prune

import (
	"hash/crc32"
	"math"
	"math/big"
	"strconv"

	"github.com/gradtune/gradtune/internal/crmath"
)

// hyperbandBrackets is Optuna's number of brackets,
// ⌊log(max/min)/log(η)⌋ + 1, in float64 as Python's math.log(x, base)
// computes it with glibc's correctly rounded log (so 243/1 with η = 3 gives
// ⌊4.999…⌋ + 1 = 5, as in Optuna). It is ≤ 0 when max < min.
func hyperbandBrackets(minResource, maxResource, eta int) int {
	x := float64(maxResource) / float64(minResource)
	return int(math.Floor(crmath.Log(x)/crmath.Log(float64(eta)))) + 1
}

// hyperbandBudgets is Optuna's _calculate_trial_allocation_budget for
// each bracket b: ⌈n·η^s / (s+1)⌉, s = n−1−b, the division rounded to
// float64 as Python's int / int.
func hyperbandBudgets(n, eta int) []int {
	out := make([]int, n)
	for b := range out {
		s := n - 1 - b
		num := new(big.Int).Exp(big.NewInt(int64(eta)), big.NewInt(int64(s)), nil)
		num.Mul(num, big.NewInt(int64(n)))
		q, _ := new(big.Rat).SetFrac(num, big.NewInt(int64(s+1))).Float64()
		out[b] = int(math.Ceil(q))
	}
	return out
}

// hyperbandBracket is Optuna's _get_bracket_id: crc32 (IEEE, as
// Python's binascii.crc32) of "<study name>_<trial number>" modulo the total
// budget, located among the brackets' budgets.
func hyperbandBracket(study string, number int, budgets []int) int {
	total := 0
	for _, b := range budgets {
		total += b
	}
	if total <= 0 {
		return 0
	}
	n := int(uint64(crc32.ChecksumIEEE([]byte(study+"_"+strconv.Itoa(number)))) % uint64(total))
	for b, budget := range budgets {
		n -= budget
		if n < 0 {
			return b
		}
	}
	return len(budgets) - 1 // unreachable: n < total
}
