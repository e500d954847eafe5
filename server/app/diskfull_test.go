package app

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"asiointi/i18n"
	"asiointi/server/config"
	"asiointi/server/store"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// client is a browser-like HTTP client of one running server.
type client struct {
	t    *testing.T
	base string
	hc   *http.Client
	csrf string
}

type answer struct {
	status int
	body   string
	json   map[string]any
}

func (c *client) do(method, path, ctype, body string, header map[string]string) answer {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.csrf != "" && method != "GET" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	a := answer{status: res.StatusCode, body: string(b)}
	json.Unmarshal(b, &a.json)
	return a
}

// TestDiskFullEndToEnd runs the server with a store whose commits fail
// with ENOSPC on demand (Options.CommitFault) and checks what everyone
// outside sees: the autosave API answers 507 with the localized "kept in
// this browser" message, a no-JS page a localized 507 error page, the log
// says "disk full", the metrics count it and show the store unwritable,
// /readyz answers 503 — and all of it recovers by itself once writes work
// again. What was saved before stays readable throughout.
func TestDiskFullEndToEnd(t *testing.T) {
	dir := t.TempDir()
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"ASIOINTI_DATA": dir, "ASIOINTI_ADDR": "127.0.0.1:0", "ASIOINTI_METRICS_ADDR": "127.0.0.1:0"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	var full atomic.Bool
	logs := &lockedBuffer{}
	var clk atomic.Int64 // minutes to add to the real time
	now := func() time.Time { return time.Now().Add(time.Duration(clk.Load()) * time.Minute) }
	m := &Main{Config: cfg, Log: slog.New(slog.NewJSONHandler(logs, nil)), Now: now, StoreOptions: store.Options{
		ProbeEvery: 10 * time.Millisecond,
		MinFree:    1, // whatever the test machine has free
		CommitFault: func() error {
			if full.Load() {
				return &os.PathError{Op: "write", Path: "asiointi.db", Err: syscall.ENOSPC}
			}
			return nil
		},
	}}
	if err := m.Open(); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(); err != nil {
		m.Close()
		t.Fatal(err)
	}
	defer m.Close()
	msgs, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}

	jar, _ := cookiejar.New(nil)
	c := &client{t: t, base: "http://" + m.Addr(), hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if a := c.do("POST", "/auth/test-login", "application/x-www-form-urlencoded", "user=030392-974H", nil); a.status != http.StatusSeeOther {
		t.Fatalf("login: %d %s", a.status, a.body)
	}
	c.csrf, _ = c.do("GET", "/api/v1/session", "", "", nil).json["csrfToken"].(string)
	a := c.do("POST", "/api/v1/drafts", "application/json", `{"service":"sports-shift"}`, nil)
	id, _ := a.json["id"].(string)
	if a.status != http.StatusCreated || id == "" {
		t.Fatalf("create draft: %d %s", a.status, a.body)
	}
	if a := c.do("PUT", "/api/v1/drafts/"+id, "application/json", `{"version":1,"data":{"groupName":"Kerho"}}`, nil); a.status != 200 {
		t.Fatalf("first save: %d %s", a.status, a.body)
	}
	if a := c.do("GET", "/readyz", "", "", nil); a.status != 200 {
		t.Fatalf("readyz before: %d %s", a.status, a.body)
	}

	full.Store(true)
	// The autosave API (what changed, and the whole answers), in each language.
	for _, lang := range i18n.Languages {
		for _, save := range []struct{ method, body string }{
			{"PATCH", `{"version":2,"changes":{"groupName":"Kerho 2"}}`},
			{"PUT", `{"version":2,"data":{"groupName":"Kerho 2"}}`},
		} {
			a := c.do(save.method, "/api/v1/drafts/"+id+"?lang="+lang, "application/json", save.body, nil)
			e, _ := a.json["error"].(map[string]any)
			if a.status != http.StatusInsufficientStorage || e["code"] != "storage-full" || e["message"] != msgs.T(lang, "autosave.full") {
				t.Errorf("autosave %s (%s) on a full disk: %d %s", save.method, lang, a.status, a.body)
			}
		}
	}
	// On a kiosk nothing is kept in the browser, and the message does not
	// say so; other API writes say that nothing was changed.
	a = c.do("PUT", "/api/v1/drafts/"+id+"?lang=en", "application/json", `{"version":2,"data":{"groupName":"Kerho 2"}}`, map[string]string{"Cookie": "asiointi_device=kiosk"})
	if e, _ := a.json["error"].(map[string]any); a.status != 507 || e["message"] != msgs.T("en", "error.storageFull") {
		t.Errorf("kiosk autosave on a full disk: %d %s", a.status, a.body)
	}
	a = c.do("POST", "/api/v1/drafts?lang=sv", "application/json", `{"service":"sports-shift"}`, nil)
	if e, _ := a.json["error"].(map[string]any); a.status != 507 || e["message"] != msgs.T("sv", "error.storageFull") {
		t.Errorf("create draft on a full disk: %d %s", a.status, a.body)
	}
	// The page without JavaScript.
	form := url.Values{"_csrf": {c.csrf}, "version": {"2"}, "action": {"later"}, "groupName": {"Kerho 3"}}
	for _, lang := range i18n.Languages {
		a := c.do("POST", "/"+lang+"/drafts/"+id+"/step/2", "application/x-www-form-urlencoded", form.Encode(), nil)
		want := template(msgs.T(lang, "error.storageFull"))
		if a.status != http.StatusInsufficientStorage || !strings.Contains(a.body, want) || !strings.Contains(a.body, `<html lang="`+lang+`"`) {
			t.Errorf("step page (%s) on a full disk: %d, want 507 with %q; %.400s", lang, a.status, want, a.body)
		}
	}
	// Readiness, logs, metrics; the earlier data stays readable.
	if a := c.do("GET", "/readyz", "", "", nil); a.status != http.StatusServiceUnavailable {
		t.Errorf("readyz on a full disk: %d %s", a.status, a.body)
	}
	// Also when the session's activity is due to be recorded (a write
	// that fails): a full disk must not lock anyone out of reading.
	clk.Store(2)
	if a := c.do("GET", "/api/v1/drafts/"+id, "", "", nil); a.status != 200 || !strings.Contains(a.body, `"groupName":"Kerho"`) {
		t.Errorf("reading the draft on a full disk: %d %s", a.status, a.body)
	}
	if a := c.do("GET", "/fi/my", "", "", nil); a.status != 200 || !strings.Contains(a.body, "Maria Nieminen") {
		t.Errorf("my page on a full disk: %d %.300s", a.status, a.body)
	}
	if !strings.Contains(logs.String(), `"msg":"disk full: could not save"`) || !strings.Contains(logs.String(), `"msg":"disk full: the database cannot write`) {
		t.Errorf("no disk-full log lines:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), "030392-974H") || strings.Contains(logs.String(), "Kerho") {
		t.Error("the log holds a henkilötunnus or form content")
	}
	vals := scrape(t, "http://"+m.MetricsAddr()+"/metrics")
	if v := vals[`asiointi_store_write_failures_total{reason="disk_full"}`]; v < 8 {
		t.Errorf("disk-full failures counted: %v, want at least 8", v)
	}
	if v, ok := vals[`asiointi_store_write_failures_total{reason="io_error"}`]; !ok || v != 0 {
		t.Errorf("io_error failures: %v (present %v)", v, ok)
	}
	if v, ok := vals["asiointi_store_writable"]; !ok || v != 0 {
		t.Errorf("asiointi_store_writable %v (present %v), want 0", v, ok)
	}
	if v := vals[`asiointi_http_requests_total{method="PUT",route="/api/v1/drafts/:id",status="507"}`]; v != 4 {
		t.Errorf("507 answers of the autosave counted: %v, want 4", v)
	}
	if v := vals[`asiointi_http_requests_total{method="PATCH",route="/api/v1/drafts/:id",status="507"}`]; v != 3 {
		t.Errorf("507 answers of the autosave of changes counted: %v, want 3", v)
	}

	// Space is freed: everything recovers without anyone writing.
	full.Store(false)
	deadline := time.Now().Add(10 * time.Second)
	for c.do("GET", "/readyz", "", "", nil).status != 200 {
		if time.Now().After(deadline) {
			t.Fatal("readyz did not recover")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if v := scrape(t, "http://"+m.MetricsAddr()+"/metrics")["asiointi_store_writable"]; v != 1 {
		t.Errorf("asiointi_store_writable %v after recovery", v)
	}
	if a := c.do("PUT", "/api/v1/drafts/"+id, "application/json", `{"version":2,"data":{"groupName":"Kerho 4"}}`, nil); a.status != 200 {
		t.Errorf("save after recovery: %d %s", a.status, a.body)
	}
}

// template is msg as html/template escapes it in a page.
func template(msg string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(msg)
}

// scrape reads a text exposition into "name{labels}" → value, checking
// that the Prometheus parser accepts it.
func scrape(t *testing.T, u string) map[string]float64 {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("metrics do not parse: %v", err)
	}
	out := map[string]float64{}
	for name, f := range fams {
		for _, m := range f.Metric {
			var ls []string
			for _, l := range m.Label {
				ls = append(ls, l.GetName()+`="`+l.GetValue()+`"`)
			}
			k := name
			if len(ls) > 0 {
				k += "{" + strings.Join(ls, ",") + "}"
			}
			switch {
			case m.Counter != nil:
				out[k] = m.Counter.GetValue()
			case m.Gauge != nil:
				out[k] = m.Gauge.GetValue()
			case m.Untyped != nil:
				out[k] = m.Untyped.GetValue()
			}
		}
	}
	return out
}
