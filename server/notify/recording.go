//go:build !asiointi_nonotify

package notify

// recording: Record writes notifications. A build with the tag
// asiointi_nonotify writes none (recording_off.go); it exists only to
// measure what the pipeline costs autosave and submit (server/loadgen,
// a before/after in the same run) and is never deployed.
const recording = true
