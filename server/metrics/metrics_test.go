package metrics

import (
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"asiointi/server/notify"
)

func TestMethodIsBounded(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"GET", "GET"}, {"HEAD", "HEAD"}, {"POST", "POST"}, {"PUT", "PUT"}, {"DELETE", "DELETE"},
		{"PATCH", "PATCH"}, {"OPTIONS", "OPTIONS"},
		{"get", OtherMethod}, {"TRACE", OtherMethod}, {"CONNECT", OtherMethod}, {"PUTTONS", OtherMethod},
		{"", OtherMethod}, {"BREW", OtherMethod},
	} {
		if got := Method(c.in); got != c.want {
			t.Errorf("Method(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// A label handed in as a view of a buffer that is reused later (as Fiber
// does) must keep its value: the registry keeps its own copy.
func TestLabelsSurviveBufferReuse(t *testing.T) {
	r := New()
	buf := []byte("/fi/one")
	view := unsafe.String(&buf[0], len(buf))
	method := []byte("PUT")
	r.ObserveRequest(unsafe.String(&method[0], len(method)), view, 200, time.Millisecond)
	copy(buf, "/sv/two")
	copy(method, "GET")
	r.ObserveRequest(unsafe.String(&method[0], len(method)), view, 200, time.Millisecond)
	r.ObserveRequest("GET", "/sv/two", 200, time.Millisecond)
	copy(buf, "/xx/xxx")
	copy(method, "XXX")

	var b strings.Builder
	if _, err := r.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(b.String()))
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	got := map[string]float64{}
	for _, m := range fams["asiointi_http_requests_total"].GetMetric() {
		var k []string
		for _, l := range m.Label {
			k = append(k, l.GetValue())
		}
		got[strings.Join(k, " ")] += m.GetCounter().GetValue()
	}
	want := map[string]float64{"PUT /fi/one 200": 1, "GET /sv/two 200": 2}
	if len(got) != len(want) {
		t.Fatalf("series %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v (all: %v)", k, got[k], v, got)
		}
	}
	if h := fams["asiointi_http_request_duration_seconds"]; h == nil || len(h.Metric) != 2 {
		t.Errorf("latency histogram: %v", h)
	}
}

func TestNamedCountersAndFuncs(t *testing.T) {
	r := New()
	r.Inc("asiointi_rate_limited_total")
	r.Inc("asiointi_rate_limited_total")
	r.GaugeFunc("asiointi_test_gauge", "A test gauge.", func() float64 { return 0.5 })
	r.CounterFunc("asiointi_test_failures_total", "Test failures.", map[string]string{"reason": "a"}, func() float64 { return 3 })
	r.CounterFunc("asiointi_test_failures_total", "Test failures.", map[string]string{"reason": "b"}, func() float64 { return 4 })
	var b strings.Builder
	if _, err := r.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"asiointi_rate_limited_total 2",
		"asiointi_test_gauge 0.5",
		`asiointi_test_failures_total{reason="a"} 3`,
		`asiointi_test_failures_total{reason="b"} 4`,
		"# TYPE asiointi_uptime_seconds gauge",
		"# TYPE go_goroutines gauge",
	} {
		if !strings.Contains(b.String(), line+"\n") {
			t.Errorf("exposition lacks %q", line)
		}
	}
}

// TestDeliveryLabelsBounded: every channel and outcome of notify is its
// own label value; anything else is "other".
func TestDeliveryLabelsBounded(t *testing.T) {
	r := New()
	channels := append([]string{notify.ChannelLive}, notify.OptionalChannels...)
	for _, ch := range channels {
		for _, o := range notify.Outcomes {
			r.ObserveDelivery(ch, o, 3*time.Millisecond)
		}
	}
	r.ObserveDelivery("fax", "lost", time.Second)
	r.ObserveDelivery("carrier-pigeon", "eaten", time.Second)
	var b strings.Builder
	if _, err := r.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	for _, ch := range channels {
		for _, o := range notify.Outcomes {
			if line := `asiointi_notify_deliveries_total{channel="` + ch + `",outcome="` + o + `"} 1`; !strings.Contains(b.String(), line+"\n") {
				t.Errorf("exposition lacks %q", line)
			}
		}
		if line := `asiointi_notify_send_duration_seconds_count{channel="` + ch + `"} ` + strconv.Itoa(len(notify.Outcomes)); !strings.Contains(b.String(), line+"\n") {
			t.Errorf("exposition lacks %q", line)
		}
	}
	if line := `asiointi_notify_deliveries_total{channel="other",outcome="other"} 2`; !strings.Contains(b.String(), line+"\n") {
		t.Errorf("exposition lacks %q", line)
	}
}
