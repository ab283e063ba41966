//go:build race

package racedetect

// On is true in a build with -race.
const On = true
