//go:build !openblas || !cgo

package fastblas

// openblas is nil in builds without the openblas tag (or without cgo).
var openblas gemmer
