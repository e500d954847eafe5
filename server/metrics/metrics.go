// Package metrics keeps the program's Prometheus metrics: request counts
// and latencies, named counters, and gauges read at scrape time. The
// exposition is github.com/prometheus/client_golang's, on a registry of
// our own (not the library's global one).
//
// Label values must not change after a series is made, and their number
// must stay bounded: the HTTP method is mapped to a fixed set, the route is
// the pattern the caller passes (never a raw path), and every string kept
// as a label is a copy (callers such as Fiber hand in strings that point
// into buffers reused by the next request).
package metrics

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/expfmt"
)

// Buckets of the request latency histogram, in seconds.
var buckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}

// OtherMethod is the method label of every method outside the fixed set.
const OtherMethod = "OTHER"

// Method maps an HTTP method to its label: one of the methods the server
// answers, or OtherMethod. The result is always a constant string.
func Method(m string) string {
	switch m {
	case http.MethodGet:
		return http.MethodGet
	case http.MethodHead:
		return http.MethodHead
	case http.MethodPost:
		return http.MethodPost
	case http.MethodPut:
		return http.MethodPut
	case http.MethodDelete:
		return http.MethodDelete
	case http.MethodPatch:
		return http.MethodPatch
	case http.MethodOptions:
		return http.MethodOptions
	}
	return OtherMethod
}

type seriesKey struct {
	method, route string
	status        int
}

type series struct {
	count   prometheus.Counter
	latency prometheus.Observer
}

// Registry collects the metrics of one running program.
type Registry struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	series   sync.Map // seriesKey (with copied strings) → *series

	deliveries *prometheus.CounterVec
	sendTime   *prometheus.HistogramVec

	mu       sync.Mutex
	counters map[string]prometheus.Counter
}

// New returns a registry with the request metrics, the uptime and the Go
// runtime and process collectors.
func New() *Registry {
	r := &Registry{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "asiointi_http_requests_total",
			Help: "HTTP requests answered, by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "asiointi_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern.",
			Buckets: buckets,
		}, []string{"route"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "asiointi_notify_deliveries_total",
			Help: "Notification delivery attempts, by channel (live, push, email, sms) and outcome (delivered, retry, dropped, given_up, interrupted).",
		}, []string{"channel", "outcome"}),
		sendTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "asiointi_notify_send_duration_seconds",
			Help:    "Time one notification delivery attempt took to send, by channel.",
			Buckets: buckets,
		}, []string{"channel"}),
		counters: map[string]prometheus.Counter{},
	}
	started := time.Now()
	r.reg.MustRegister(r.requests, r.latency, r.deliveries, r.sendTime,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "asiointi_uptime_seconds",
			Help: "Seconds since the program started.",
		}, func() float64 { return time.Since(started).Seconds() }),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return r
}

// ObserveRequest records one HTTP request. route must be a route pattern
// from a bounded set (the caller's job); method is mapped by Method.
func (r *Registry) ObserveRequest(method, route string, status int, d time.Duration) {
	k := seriesKey{Method(method), route, status}
	v, ok := r.series.Load(k)
	if !ok {
		// A new series: copy the route so that the label (and the map
		// key) never change when the caller's buffer is reused.
		k.route = strings.Clone(route)
		s := &series{
			count:   r.requests.WithLabelValues(k.method, k.route, strconv.Itoa(status)),
			latency: r.latency.WithLabelValues(k.route),
		}
		v, _ = r.series.LoadOrStore(k, s)
	}
	s := v.(*series)
	s.count.Inc()
	s.latency.Observe(d.Seconds())
}

// Help texts of the counters the program increments by name.
// Channels and outcomes of notification deliveries: the label values
// ObserveDelivery keeps (anything else is "other", so the series stay
// bounded).
var (
	deliveryChannels = []string{"live", "push", "email", "sms"}
	deliveryOutcomes = []string{"delivered", "retry", "dropped", "given_up", "interrupted"}
)

func bounded(v string, known []string) string {
	for _, k := range known {
		if v == k {
			return k
		}
	}
	return "other"
}

// ObserveDelivery counts one notification delivery attempt and its send
// time (the notify dispatcher's Observe).
func (r *Registry) ObserveDelivery(channel, outcome string, took time.Duration) {
	channel = bounded(channel, deliveryChannels)
	r.deliveries.WithLabelValues(channel, bounded(outcome, deliveryOutcomes)).Inc()
	r.sendTime.WithLabelValues(channel).Observe(took.Seconds())
}

var counterHelp = map[string]string{
	"asiointi_rate_limited_total": "Requests refused by a rate limit.",
}

// Inc adds one to a named counter, made on first use. name must be a
// valid metric name and a constant of the caller.
func (r *Registry) Inc(name string) {
	r.mu.Lock()
	c := r.counters[name]
	if c == nil {
		help := counterHelp[name]
		if help == "" {
			help = "Count of " + name + "."
		}
		name = strings.Clone(name)
		c = prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
		r.reg.MustRegister(c)
		r.counters[name] = c
	}
	r.mu.Unlock()
	c.Inc()
}

// GaugeFunc registers a gauge whose value f gives at scrape time.
func (r *Registry) GaugeFunc(name, help string, f func() float64) {
	r.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f))
}

// CounterFunc registers a counter kept elsewhere (f reads it at scrape
// time), with fixed labels; the same name may be registered once per set
// of label values.
func (r *Registry) CounterFunc(name, help string, labels map[string]string, f func() float64) {
	r.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help, ConstLabels: labels}, f))
}

// Handler serves the exposition for a Prometheus server (content
// negotiation and compression by promhttp).
func (r *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// ContentType is the type of what WriteTo writes.
const ContentType = string(expfmt.FmtText)

// WriteTo writes the exposition in the Prometheus text format.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	mfs, err := r.reg.Gather()
	if err != nil {
		return 0, err
	}
	cw := &countingWriter{w: w}
	enc := expfmt.NewEncoder(cw, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			return cw.n, err
		}
	}
	return cw.n, nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
