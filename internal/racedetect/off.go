//go:build !race

// Package racedetect says whether the race detector is built in, for tests
// whose measure it changes: under -race, allocation counts (sync.Pool drops
// items at random, instrumentation allocates) are not the program's own.
package racedetect

// On is true in a build with -race.
const On = false
