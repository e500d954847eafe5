package web

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"asiointi/server/cases"
	"asiointi/server/forms/definitions"
	"asiointi/server/internal/cputime"
)

// TestBenchStepFields measures the form step page of a step with 10 and
// with 200 text fields, filled in, rendered and checked as on "check my
// answers" (GET …/step/1?check=1: the answers validated as submit would,
// then the page), next to the baseline in the same run: a minimal
// Fiber handler serving a 12 KB page from memory through the same
// app.Test path — and the anonymous front page (ASIOINTI_BENCH=step; no
// timing assertions). Next to each rate it logs the process's CPU time
// per request, which load elsewhere on a shared machine moves less.
func TestBenchStepFields(t *testing.T) {
	if os.Getenv("ASIOINTI_BENCH") != "step" {
		t.Skip("set ASIOINTI_BENCH=step")
	}
	e := newEnv(t)
	static := fiber.New()
	page := []byte("<!doctype html>" + strings.Repeat("x", 12<<10-15))
	static.Get("/", func(c *fiber.Ctx) error {
		c.Set("Content-Type", "text/html; charset=utf-8")
		return c.Send(page)
	})
	base, baseCPU := measure(func(b *testing.B) {
		res, err := static.Test(httptest.NewRequest("GET", "/", nil), -1)
		if err != nil || res.StatusCode != http.StatusOK {
			b.Fatal(err)
		}
		res.Body.Close()
	})
	t.Logf("baseline (static 12 KB page): %v/op, %v CPU/op, %d allocs/op", time.Duration(base.NsPerOp()), baseCPU, base.AllocsPerOp())
	// ASIOINTI_BENCH_ONLY=front, 10 or 200 measures that page alone (for
	// a CPU or memory profile of one page: -cpuprofile, -memprofile).
	only := os.Getenv("ASIOINTI_BENCH_ONLY")
	if only == "" || only == "front" {
		front, cpu := measure(func(b *testing.B) {
			if r := e.do(req{path: "/fi/"}); r.StatusCode != http.StatusOK {
				b.Fatalf("front page: %d", r.StatusCode)
			}
		})
		t.Logf("front page (anonymous): %v/op (%.2f of the baseline's rate), %v CPU/op (%.2f of the baseline's), %d allocs/op",
			time.Duration(front.NsPerOp()), float64(base.NsPerOp())/float64(front.NsPerOp()), cpu, float64(baseCPU)/float64(cpu), front.AllocsPerOp())
	}
	aino := e.resident(hetuAino)
	for version, n := range []int{10, 200} {
		m := map[string]any{}
		raw, err := fs.ReadFile(definitions.FS, "sports-shift.json")
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		m["version"] = float64(version + 2)
		step := m["steps"].([]any)[0].(map[string]any)
		fields := step["fields"].([]any)
		answers := url.Values{}
		for i := range n - len(fields) {
			id := "extra" + strconv.Itoa(i)
			fields = append(fields, map[string]any{
				"id": id, "type": "text", "required": true, "maxLength": 100.0,
				"label":   map[string]any{"fi": "Lisäkenttä " + id, "sv": "Extra fält " + id, "en": "Extra field " + id},
				"help":    map[string]any{"fi": "Ohje", "sv": "Hjälp", "en": "Help"},
				"concept": "bench." + id, "legalBasis": "390/2015 5 §", "retention": "P2Y",
				"purpose": map[string]any{"fi": "Mittaus.", "sv": "Mätning.", "en": "Measuring."},
			})
			answers.Set(id, "Vastaus "+id)
		}
		step["fields"] = fields
		raw, _ = json.Marshal(m)
		if _, err := cases.Import(e.st, e.s.catalog, e.cases.Forms, raw); err != nil {
			t.Fatal(err)
		}
		stepURL := aino.start("fi", "sports-shift")
		answers.Set("contactFirstName", "Aino")
		answers.Set("contactLastName", "Virtanen")
		answers.Set("contactEmail", "aino@example.fi")
		answers.Set("contactPhone", "040 123 4567")
		answers.Set("version", pageVersion(t, aino.get(stepURL).body))
		answers.Set("action", "save")
		if r := aino.post(stepURL, answers); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d %.500s", r.StatusCode, r.body)
		}
		if only != "" && only != strconv.Itoa(n) {
			continue
		}
		size := 0
		res, cpu := measure(func(b *testing.B) {
			r := aino.get(stepURL + "?check=1")
			if r.StatusCode != http.StatusOK || strings.Contains(r.body, `class="error-summary`) {
				b.Fatalf("step: %d %.300s", r.StatusCode, r.body)
			}
			size = len(r.body)
		})
		t.Logf("step with %d fields: %v/op (%.2f of the baseline's rate), %v CPU/op (%.2f of the baseline's), %d allocs/op, %d bytes of HTML",
			n, time.Duration(res.NsPerOp()), float64(base.NsPerOp())/float64(res.NsPerOp()), cpu, float64(baseCPU)/float64(cpu), res.AllocsPerOp(), size)
		// The server's part alone: the app's handler on a request context
		// of its own, without app.Test's connection, the client's request
		// and response parsing and its copies of a 140 KB page, which are
		// most of the CPU and the bytes above.
		var hr fasthttp.Request
		hr.SetRequestURI(stepURL + "?check=1")
		hr.Header.SetHost("localhost:8080")
		hr.Header.SetCookie(aino.cookie.Name, aino.cookie.Value)
		handler := e.s.App().Handler()
		var rc fasthttp.RequestCtx
		res, cpu = measure(func(b *testing.B) {
			rc.Response.Reset()
			rc.Init(&hr, nil, nil)
			handler(&rc)
			if rc.Response.StatusCode() != http.StatusOK || len(rc.Response.Body()) != size {
				b.Fatalf("step (handler): %d %.300s", rc.Response.StatusCode(), rc.Response.Body())
			}
		})
		t.Logf("step with %d fields, handler only: %v/op, %v CPU/op, %d allocs/op, %d B/op",
			n, time.Duration(res.NsPerOp()), cpu, res.AllocsPerOp(), res.AllocedBytesPerOp())
	}
}

// measure benchmarks op and also tells the process's CPU time per op over
// every round the benchmark ran (GC included): on a shared machine a
// steadier figure than the wall clock.
func measure(op func(b *testing.B)) (testing.BenchmarkResult, time.Duration) {
	ops := 0
	cpu0 := cputime.Process()
	res := testing.Benchmark(func(b *testing.B) {
		for range b.N {
			op(b)
		}
		ops += b.N
	})
	if ops == 0 {
		return res, 0
	}
	return res, (cputime.Process() - cpu0) / time.Duration(ops)
}
