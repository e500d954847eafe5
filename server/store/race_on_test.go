//go:build race

package store

// raceDetector: the race detector is on, and sync.Pool drops what it is
// given at random (allocation counts of pooled code do not hold).
const raceDetector = true
