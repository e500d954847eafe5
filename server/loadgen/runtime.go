package main

import (
	"bufio"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// runtimeCounts are the Go runtime's cumulative counters as the server's
// metrics listener shows them (collectors.NewGoCollector).
type runtimeCounts struct {
	ok      bool
	bytes   float64 // go_memstats_alloc_bytes_total
	objects float64 // go_memstats_mallocs_total
	gcs     float64 // go_gc_duration_seconds_count
	pause   float64 // go_gc_duration_seconds_sum (stop-the-world time)
}

// since is the difference c − before; ok when both were read.
func (c runtimeCounts) since(before runtimeCounts) (runtimeCounts, bool) {
	if !c.ok || !before.ok {
		return runtimeCounts{}, false
	}
	return runtimeCounts{ok: true, bytes: c.bytes - before.bytes, objects: c.objects - before.objects,
		gcs: c.gcs - before.gcs, pause: c.pause - before.pause}, true
}

// readRuntime reads the counters from base's /metrics (the zero value
// when base is "" or the read fails).
func readRuntime(base string) runtimeCounts {
	if base == "" {
		return runtimeCounts{}
	}
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(base + "/metrics")
	if err != nil {
		return runtimeCounts{}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return runtimeCounts{}
	}
	return parseRuntime(bufio.NewScanner(resp.Body))
}

func parseRuntime(sc *bufio.Scanner) runtimeCounts {
	var c runtimeCounts
	seen := 0
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		var dst *float64
		switch name {
		case "go_memstats_alloc_bytes_total":
			dst = &c.bytes
		case "go_memstats_mallocs_total":
			dst = &c.objects
		case "go_gc_duration_seconds_count":
			dst = &c.gcs
		case "go_gc_duration_seconds_sum":
			dst = &c.pause
		default:
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			return runtimeCounts{}
		}
		*dst = v
		seen++
	}
	c.ok = seen == 4 && sc.Err() == nil
	return c
}
