//go:build !amd64 || purego

package vec

// hasAVX is false: the loops exist for amd64 only, and the purego build
// tag leaves them out. The scalar loops do all the work.
const hasAVX = false

func adamAVX[T Float](w, g, m, v []T, h AdamConsts[T]) int { return 0 }
func finiteAVX[T Float](x []T) (done int, ok bool)         { return 0, true }
func reluBackwardAVX[T Float](dst, x, g []T) int           { return 0 }

func adamSnapAVX[T Float](w, g, m, v, prev []T, h AdamConsts[T]) (int, bool) { return 0, true }
func addAVX[T Float](dst, x []T) int                                         { return 0 }
