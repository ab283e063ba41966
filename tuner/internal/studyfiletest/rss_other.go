//go:build !linux

package studyfiletest

// peakRSS is unknown here (Getrusage's unit differs by system): 0.
func peakRSS() int64 { return 0 }
