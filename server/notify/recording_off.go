//go:build asiointi_nonotify

package notify

// recording is off in a build for measuring (recording.go): Record
// writes nothing.
const recording = false
