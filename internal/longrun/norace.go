//go:build !race

package longrun

const raceDetector = false
