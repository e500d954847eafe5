// Package metrics keeps a few counters and latency histograms and writes
// them in the Prometheus text exposition format.
package metrics

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"
)

var buckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}

type reqKey struct {
	method, route string
	status        int
}

type histogram struct {
	counts []uint64
	sum    float64
	n      uint64
}

// Registry collects request metrics and named gauges.
type Registry struct {
	mu       sync.Mutex
	requests map[reqKey]uint64
	latency  map[string]*histogram
	counters map[string]uint64
	gauges   map[string]func() float64
	started  time.Time
}

// New returns an empty registry.
func New() *Registry {
	return &Registry{
		requests: map[reqKey]uint64{}, latency: map[string]*histogram{},
		counters: map[string]uint64{}, gauges: map[string]func() float64{}, started: time.Now(),
	}
}

// ObserveRequest records one HTTP request.
func (r *Registry) ObserveRequest(method, route string, status int, d time.Duration) {
	k := reqKey{method, route, status}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests[k]++
	h := r.latency[route]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(buckets))}
		r.latency[route] = h
	}
	s := d.Seconds()
	for i, b := range buckets {
		if s <= b {
			h.counts[i]++
		}
	}
	h.sum += s
	h.n++
}

// Inc adds one to a named counter (name must be a valid metric name).
func (r *Registry) Inc(name string) {
	r.mu.Lock()
	r.counters[name]++
	r.mu.Unlock()
}

// Gauge registers a function read at scrape time.
func (r *Registry) Gauge(name string, f func() float64) {
	r.mu.Lock()
	r.gauges[name] = f
	r.mu.Unlock()
}

func esc(s string) string { return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) }

// WriteTo writes the exposition.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	b.WriteString("# TYPE asiointi_http_requests_total counter\n")
	keys := make([]reqKey, 0, len(r.requests))
	for k := range r.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.route != b.route {
			return a.route < b.route
		}
		if a.method != b.method {
			return a.method < b.method
		}
		return a.status < b.status
	})
	for _, k := range keys {
		fmt.Fprintf(&b, "asiointi_http_requests_total{method=%q,route=%q,status=\"%d\"} %d\n", esc(k.method), esc(k.route), k.status, r.requests[k])
	}
	b.WriteString("# TYPE asiointi_http_request_duration_seconds histogram\n")
	routes := make([]string, 0, len(r.latency))
	for k := range r.latency {
		routes = append(routes, k)
	}
	sort.Strings(routes)
	for _, rt := range routes {
		h := r.latency[rt]
		for i, bk := range buckets {
			fmt.Fprintf(&b, "asiointi_http_request_duration_seconds_bucket{route=%q,le=\"%g\"} %d\n", esc(rt), bk, h.counts[i])
		}
		fmt.Fprintf(&b, "asiointi_http_request_duration_seconds_bucket{route=%q,le=\"+Inf\"} %d\n", esc(rt), h.n)
		fmt.Fprintf(&b, "asiointi_http_request_duration_seconds_sum{route=%q} %g\n", esc(rt), h.sum)
		fmt.Fprintf(&b, "asiointi_http_request_duration_seconds_count{route=%q} %d\n", esc(rt), h.n)
	}
	names := make([]string, 0, len(r.counters))
	for k := range r.counters {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "# TYPE %s counter\n%s %d\n", n, n, r.counters[n])
	}
	gn := make([]string, 0, len(r.gauges))
	for k := range r.gauges {
		gn = append(gn, k)
	}
	sort.Strings(gn)
	for _, n := range gn {
		fmt.Fprintf(&b, "# TYPE %s gauge\n%s %g\n", n, n, r.gauges[n]())
	}
	fmt.Fprintf(&b, "# TYPE asiointi_uptime_seconds gauge\nasiointi_uptime_seconds %g\n", time.Since(r.started).Seconds())
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}
