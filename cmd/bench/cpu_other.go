//go:build !unix

package main

import "math"

// processCPUSeconds is unknown here: the OS's share reads NaN.
func processCPUSeconds() float64 { return math.NaN() }
