package web

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// TestMetricsUnderMixedTraffic sends many methods and paths over reused
// keep-alive connections (Fiber reuses their buffers) and then parses
// /metrics with the Prometheus text parser: every method label must be one
// of a fixed set, every route label a registered route pattern (never a raw
// path), and no series may appear twice.
func TestMetricsUnderMixedTraffic(t *testing.T) {
	e := newEnv(t)
	kaisa := e.login("kaisa")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go e.s.App().Listener(ln)
	t.Cleanup(func() { e.s.App().Shutdown() })

	methods := []string{"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "PROPFIND", "BREW", "get"}
	paths := []string{"/fi/", "/sv/nope-%d", "/api/v1/drafts/%d", "/api/v1/nope/%d?x=%d", "/healthz", "/xyz%d/abc",
		"/en/my", "/s/v%d/css/app.css", "/auth/logout", "/fi/services/sports-shift", "/%d"}
	const workers, perWorker = 8, 60
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Error(err)
				return
			}
			defer conn.Close()
			br := bufio.NewReader(conn)
			for i := range perWorker {
				m := methods[(w+i)%len(methods)]
				p := paths[(w*7+i)%len(paths)]
				p = strings.ReplaceAll(p, "%d", strconv.Itoa(w*1000+i))
				body := ""
				if m == "POST" || m == "PUT" || m == "PATCH" {
					body = "a=b&c=" + strings.Repeat("d", i)
				}
				fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s", m, p, len(body), body)
				res, err := http.ReadResponse(br, &http.Request{Method: m})
				if err != nil {
					t.Errorf("%s %s: %v", m, p, err)
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.Close {
					t.Logf("%s %s: closed after %d", m, p, res.StatusCode)
					return
				}
			}
		}()
	}
	wg.Wait()

	res := e.do(req{path: "/metrics", cookies: []*http.Cookie{kaisa}})
	if res.StatusCode != 200 {
		t.Fatalf("metrics: %d", res.StatusCode)
	}
	families := parseExposition(t, res.body)

	routes := map[string]bool{}
	for _, r := range e.s.App().GetRoutes(false) {
		routes[r.Path] = true
	}
	allowed := map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "DELETE": true, "PATCH": true, "OPTIONS": true, "OTHER": true}
	reqs := families["asiointi_http_requests_total"]
	if reqs == nil || len(reqs.Metric) == 0 {
		t.Fatalf("no asiointi_http_requests_total in\n%s", res.body)
	}
	var total float64
	for _, name := range []string{"asiointi_http_requests_total", "asiointi_http_request_duration_seconds"} {
		for _, m := range families[name].GetMetric() {
			for _, lp := range m.Label {
				switch lp.GetName() {
				case "method":
					if !allowed[lp.GetValue()] {
						t.Errorf("%s: unknown method label %q", name, lp.GetValue())
					}
				case "route":
					if !routes[lp.GetValue()] && lp.GetValue() != "unmatched" {
						t.Errorf("%s: route label %q is not a route pattern", name, lp.GetValue())
					}
				case "status":
					if len(lp.GetValue()) != 3 {
						t.Errorf("%s: status label %q", name, lp.GetValue())
					}
				}
			}
		}
	}
	for _, m := range reqs.Metric {
		total += m.GetCounter().GetValue()
	}
	if total < workers*perWorker*8/11 {
		t.Errorf("only %v requests counted, sent %d with known methods", total, workers*perWorker*8/11)
	}
}

// parseExposition parses a text exposition strictly: the Prometheus parser
// must accept it, and no family may hold the same label set twice (which
// the parser itself lets through but a Prometheus server rejects).
func parseExposition(t *testing.T, body string) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("exposition does not parse: %v\n%s", err, body)
	}
	for name, f := range families {
		seen := map[string]bool{}
		for _, m := range f.Metric {
			var ls []string
			for _, lp := range m.Label {
				ls = append(ls, lp.GetName()+"="+lp.GetValue())
			}
			sort.Strings(ls)
			k := strings.Join(ls, ",")
			if seen[k] {
				t.Errorf("duplicate series %s{%s}", name, k)
			}
			seen[k] = true
		}
	}
	return families
}
