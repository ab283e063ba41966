//go:build race

package longrun

// raceDetector is true in a build with -race, whose shadow memory and
// synchronization records grow the resident set with what it has watched.
const raceDetector = true
