package web

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"asiointi/server/config"
	"asiointi/server/forms"
)

// TestBodyLimits: who may send how much, and what happens to the rest.
func TestBodyLimits(t *testing.T) {
	e := newEnv(t, noRateLimits)
	e.overHTTP()
	maria := e.client("030392-974H")
	_, out := maria.call("POST", "/api/v1/drafts", map[string]any{"service": "sports-shift"})
	draft := out["id"].(string)
	page := e.resident("030392-974H")
	step := page.start("fi", "building-notification") // a multipart step is step 3
	step3 := strings.TrimSuffix(step, "/1") + "/3"
	multipartBody := func(n int) (string, string) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		w.WriteField("_csrf", page.token)
		fw, _ := w.CreateFormFile("sitePlan", "x.pdf")
		fw.Write(pdfOfSize(n))
		w.Close()
		return buf.String(), w.FormDataContentType()
	}
	bigStep, bigType := multipartBody(int(uploadBodyLimit)) // with the headers of its parts: over the limit
	json := func(n int) string { return `{"version":1,"data":{"notes":"` + strings.Repeat("x", n) + `"}}` }
	for _, tc := range []struct {
		name    string
		r       req
		status  int
		message string
	}{
		{"anonymous, over 64 KiB", req{method: "POST", path: "/auth/test-login", body: "user=x&pad=" + strings.Repeat("x", anonBodyLimit)},
			413, "too large"},
		{"anonymous, under 64 KiB", req{method: "POST", path: "/auth/test-login", body: "user=nobody&pad=" + strings.Repeat("x", anonBodyLimit-100)},
			303, ""},
		{"anonymous upload", req{method: "POST", path: "/api/v1/drafts/" + draft + "/attachments?field=attachment", body: bigStep[:anonBodyLimit+1], ctype: bigType},
			413, "too large"},
		{"logged in, over 2 MiB", req{method: "PUT", path: "/api/v1/drafts/" + draft, body: json(sessionBodyLimit), cookies: []*http.Cookie{maria.cookie},
			headers: map[string]string{"X-CSRF-Token": maria.token}}, 413, "too large"},
		{"logged in, under 2 MiB", req{method: "PUT", path: "/api/v1/drafts/" + draft, body: json(9000), cookies: []*http.Cookie{maria.cookie},
			headers: map[string]string{"X-CSRF-Token": maria.token}}, 200, ""},
		{"compressed body", req{method: "PUT", path: "/api/v1/drafts/" + draft, body: json(10), cookies: []*http.Cookie{maria.cookie},
			headers: map[string]string{"X-CSRF-Token": maria.token, "Content-Encoding": "gzip"}}, 415, ""},
		{"a step's files over what one post may carry", req{method: "POST", path: step3, body: bigStep, ctype: bigType, cookies: []*http.Cookie{page.cookie}},
			413, "enintään 42\u00a0MB kerrallaan"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.r.headers == nil {
				tc.r.headers = map[string]string{}
			}
			tc.r.headers["Accept-Language"] = "en"
			r := e.do(tc.r)
			if r.StatusCode != tc.status || !strings.Contains(r.body, tc.message) {
				t.Errorf("%d %.300s; want %d with %q", r.StatusCode, r.body, tc.status, tc.message)
			}
		})
	}
	// The page refusing a post too large to read is still a logged-in page.
	r := e.do(req{method: "POST", path: step3, body: bigStep, ctype: bigType, cookies: []*http.Cookie{page.cookie}})
	must(t, r, 413, `action="/auth/logout`)
}

// TestDeployBodyLimits: the proxy examples let through exactly the
// largest body the server takes (and so every file a form may ask for).
func TestDeployBodyLimits(t *testing.T) {
	want := uploadBodyLimit >> 20
	if want<<20 != uploadBodyLimit {
		t.Fatalf("uploadBodyLimit %d is not whole MiB", uploadBodyLimit)
	}
	if forms.MaxFileBytes > forms.MaxStepFileBytes || forms.MaxStepFileBytes >= uploadBodyLimit {
		t.Fatalf("limits out of order: file %d, step %d, body %d", forms.MaxFileBytes, forms.MaxStepFileBytes, uploadBodyLimit)
	}
	for _, f := range []struct{ file, re string }{
		{"nginx.conf", `(?m)^\s*client_max_body_size\s+(\d+)m;`},
		{"Caddyfile", `(?m)^\s*max_size\s+(\d+)MiB\s*$`},
	} {
		b, err := os.ReadFile(filepath.Join("..", "..", "deploy", f.file))
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(f.re).FindAllSubmatch(b, -1)
		if len(m) != 1 {
			t.Errorf("%s: %d body size settings, want 1", f.file, len(m))
			continue
		}
		if n, _ := strconv.ParseInt(string(m[0][1]), 10, 64); n != want {
			t.Errorf("%s allows %d MiB, the server %d MiB (forms.MaxStepFileBytes + sessionBodyLimit)", f.file, n, want)
		}
		if !strings.Contains(string(b), strconv.FormatInt(want, 10)+" MiB") {
			t.Errorf("%s does not explain where %d MiB comes from", f.file, want)
		}
	}
}

// overHTTP runs the server on a loopback port (serve) and from then on
// sends e.do's requests over real connections: large bodies go much faster
// than through app.Test, which copies them several times (it matters with
// -race).
func (e *env) overHTTP() string {
	e.addr = e.serve()
	return e.addr
}

// noRedirects is a client that shows redirects instead of following them.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// doHTTP sends a request built for app.Test over a connection to e.addr.
func (e *env) doHTTP(hr *http.Request) resp {
	e.t.Helper()
	r, err := http.NewRequest(hr.Method, "http://"+e.addr+hr.URL.RequestURI(), hr.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	r.Header = hr.Header
	r.Host = hr.Host
	r.ContentLength = hr.ContentLength
	res, err := noRedirects.Do(r)
	if err != nil {
		e.t.Fatalf("%s %s: %v", hr.Method, hr.URL, err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return resp{res, string(b)}
}

// rawRequest sends head (request line and headers) and then body, not
// waiting for the body to be taken, and returns the status line of the
// answer ("" if the connection closed without one).
func rawRequest(t *testing.T, addr, head string, body []byte) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Error(err)
		return ""
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.WriteString(c, head); err != nil {
		return ""
	}
	go c.Write(body) // fails once the server has closed: fine
	line, _ := bufio.NewReader(c).ReadString('\n')
	return strings.TrimSpace(line)
}

// TestMemoryBeforeLogin: 40 parallel 11 MiB posts without a login (and
// to a logged-in route that takes no files) are refused without reading
// them: the heap does not grow by their size (issue 7 item 4: 26 MB →
// 603 MB).
func TestMemoryBeforeLogin(t *testing.T) {
	e := newEnv(t, noRateLimits)
	addr := e.serve()
	maria := e.client("030392-974H")
	_, out := maria.call("POST", "/api/v1/drafts", map[string]any{"service": "sports-shift"})
	body := bytes.Repeat([]byte("a"), 11<<20)
	var upload bytes.Buffer // over the field's 10 MiB: read to disk, refused
	w := multipart.NewWriter(&upload)
	fw, _ := w.CreateFormFile("file", "iso.pdf")
	fw.Write(pdfOfSize(11 << 20))
	w.Close()
	const n = 40
	attacks := []struct {
		name, head string
		body       []byte
	}{ // 40 of each; of the uploads that go to disk, fewer
		{"anonymous login post", "POST /auth/test-login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
			strconv.Itoa(len(body)) + "\r\n\r\n", body},
		{"anonymous chunked post", "POST /auth/test-login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n",
			append([]byte(fmt.Sprintf("%x\r\n", len(body))), append(body, "\r\n0\r\n\r\n"...)...)},
		{"anonymous upload", "POST /api/v1/drafts/x/attachments?field=f HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: " +
			strconv.Itoa(len(body)) + "\r\n\r\n", body},
		{"logged-in autosave", "PUT /api/v1/drafts/x HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nCookie: " + cookieSession + "=" + maria.cookie.Value +
			"\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n", body},
		{"logged-in upload over the field's limit", "POST /api/v1/drafts/" + out["id"].(string) + "/attachments?field=attachment HTTP/1.1\r\nHost: localhost\r\nContent-Type: " +
			w.FormDataContentType() + "\r\nCookie: " + cookieSession + "=" + maria.cookie.Value + "\r\nX-CSRF-Token: " + maria.token +
			"\r\nContent-Length: " + strconv.Itoa(upload.Len()) + "\r\n\r\n", upload.Bytes()},
	}
	for _, a := range attacks {
		t.Run(a.name, func(t *testing.T) {
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			peak := make(chan uint64)
			stop := make(chan struct{})
			go func() { // the heap in use, sampled while the attack runs
				var top uint64
				for {
					var m runtime.MemStats
					runtime.ReadMemStats(&m)
					top = max(top, m.HeapInuse)
					select {
					case <-stop:
						peak <- top
						return
					case <-time.After(20 * time.Millisecond):
					}
				}
			}()
			n := n
			if strings.Contains(a.name, "logged-in upload") {
				n = 12
			}
			statuses := make([]string, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					statuses[i] = rawRequest(t, addr, a.head, a.body)
				}()
			}
			wg.Wait()
			close(stop)
			top := <-peak
			runtime.ReadMemStats(&after)
			for _, s := range statuses {
				if s != "" && !strings.Contains(s, " 413 ") {
					t.Errorf("answered %q, want 413 or a closed connection", s)
				}
			}
			// What the server allocated while refusing 440 MiB.
			grown := after.TotalAlloc - before.TotalAlloc
			t.Logf("allocated %d MiB; heap in use %d MiB before, at most %d MiB during", grown>>20, before.HeapInuse>>20, top>>20)
			if grown > 32<<20 || top > before.HeapInuse+32<<20 {
				t.Errorf("allocated %d MiB, heap grew from %d to %d MiB while refusing %d bodies of 11 MiB", grown>>20, before.HeapInuse>>20, top>>20, n)
			}
		})
	}
}

// TestSlowClients: with short timeouts, an upload that takes longer than
// the header timeout but keeps coming is stored (issue 7 item 5: 3 MiB at
// 90 KB/s got 408 at 30 s); headers that never end, a body that stops and
// a body that trickles are cut off.
func TestSlowClients(t *testing.T) {
	e := newEnv(t, noRateLimits, func(c *config.Config) {
		c.HeaderTimeout, c.BodyIdle, c.MinBodyRate = time.Second, time.Second, 50<<10
	})
	addr := e.serve()
	maria := e.client("030392-974H")
	_, out := maria.call("POST", "/api/v1/drafts", map[string]any{"service": "sports-shift"})
	draft := out["id"].(string)

	t.Run("slow upload", func(t *testing.T) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		fw, _ := w.CreateFormFile("file", "hidas.pdf")
		fw.Write(pdfOfSize(300 << 10))
		w.Close()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "POST /api/v1/drafts/%s/attachments?field=attachment HTTP/1.1\r\nHost: localhost\r\nContent-Type: %s\r\nContent-Length: %d\r\nCookie: %s=%s\r\nX-CSRF-Token: %s\r\n\r\n",
			draft, w.FormDataContentType(), buf.Len(), cookieSession, maria.cookie.Value, maria.token)
		start := time.Now()
		for b := buf.Bytes(); len(b) > 0; { // 16 KiB every 80 ms: 200 KiB/s, 1.5 s in all
			k := min(16<<10, len(b))
			if _, err := c.Write(b[:k]); err != nil {
				t.Fatalf("after %v: %v", time.Since(start), err)
			}
			b = b[k:]
			time.Sleep(80 * time.Millisecond)
		}
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != 201 {
			t.Errorf("slow upload (%v): %d %s", time.Since(start), res.StatusCode, body)
		}
		if time.Since(start) < 1200*time.Millisecond {
			t.Errorf("the upload took %v, not longer than the header timeout: it proves nothing", time.Since(start))
		}
	})

	// Each of these would hold the connection for minutes; each is closed
	// within a few seconds, with no answer or a 408.
	for _, tc := range []struct {
		name  string
		send  string
		drip  string // then sent one byte every 300 ms
		maxOK time.Duration
	}{
		{"headers that never end", "POST /auth/test-login HTTP/1.1\r\nHost: localhost\r\n", "", 5 * time.Second},
		{"headers that trickle", "POST /auth/test-login HTTP/1.1\r\n", strings.Repeat("X-A: b\r\n", 100), 5 * time.Second},
		{"a body that stops", "POST /auth/test-login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nuser=", "", 5 * time.Second},
		{"a body that trickles", "POST /auth/test-login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n",
			strings.Repeat("a", 1000), 5 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			start := time.Now()
			io.WriteString(c, tc.send)
			go func() {
				for i := range len(tc.drip) {
					time.Sleep(300 * time.Millisecond)
					if _, err := io.WriteString(c, tc.drip[i:i+1]); err != nil {
						return
					}
				}
			}()
			c.SetReadDeadline(start.Add(tc.maxOK))
			got, err := io.ReadAll(c)
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatalf("still open after %v", tc.maxOK)
			}
			if len(got) > 0 && !bytes.HasPrefix(got, []byte("HTTP/1.1 408")) {
				t.Errorf("answered %.100q", got)
			}
		})
	}
}

// TestConnectionsPerAddress: one address holds at most MaxConnsPerIP
// connections; a place freed is usable again; trusted proxies are not
// capped.
func TestConnectionsPerAddress(t *testing.T) {
	for _, tc := range []struct {
		name    string
		trusted []string
		open    int // connections that stay usable
	}{
		{"capped", nil, 3},
		{"trusted proxy", []string{"127.0.0.0/8"}, 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *config.Config) { c.MaxConnsPerIP = 3; c.TrustedProxies = tc.trusted })
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			go e.s.Serve(ln) // not e.serve: the capped listener of production
			t.Cleanup(func() { e.s.Shutdown(5 * time.Second) })
			addr := ln.Addr().String()
			var conns []net.Conn
			defer func() {
				for _, c := range conns {
					c.Close()
				}
			}()
			healthy := func(c net.Conn) bool {
				c.SetDeadline(time.Now().Add(5 * time.Second))
				if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"); err != nil {
					return false
				}
				line, _ := bufio.NewReader(c).ReadString('\n')
				return strings.Contains(line, " 200 ")
			}
			for i := range 6 {
				c, err := net.Dial("tcp", addr)
				if err != nil {
					t.Fatal(err)
				}
				conns = append(conns, c)
				if ok := healthy(c); ok != (i < tc.open) {
					t.Errorf("connection %d usable: %v", i+1, ok)
				}
			}
			if tc.trusted != nil {
				return
			}
			conns[0].Close()
			time.Sleep(200 * time.Millisecond) // the server notices the close
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			conns = append(conns, c)
			if !healthy(c) {
				t.Error("a freed place is not usable again")
			}
		})
	}
}

// TestUploadQuotaAnswers: the quota's refusal on the API and on the page,
// in the person's language, with the quota.
func TestUploadQuotaAnswers(t *testing.T) {
	e := newEnv(t, noRateLimits)
	e.cases.UploadQuota = 1 << 20
	maria := e.client("030392-974H")
	_, out := maria.call("POST", "/api/v1/drafts", map[string]any{"service": "sports-shift"})
	id := out["id"].(string)
	if r := maria.upload(id, "attachment", "a.pdf", pdfOfSize(900<<10)); r.StatusCode != 201 {
		t.Fatalf("first: %d %s", r.StatusCode, r.body)
	}
	r := maria.upload(id, "attachment", "b.pdf", pdfOfSize(200<<10))
	if r.StatusCode != 413 || !strings.Contains(r.body, `"quota-exceeded"`) || !strings.Contains(r.body, "1\u00a0MB") {
		t.Errorf("API over the quota: %d %s", r.StatusCode, r.body)
	}
	page := e.resident("030392-974H")
	step1 := page.start("sv", "sports-shift")
	stepURL := strings.TrimSuffix(step1, "/1") + "/3"
	p := page.get(stepURL)
	vals := form("version", pageVersion(t, p.body), "action", "later", "notes", "Vi tar med egna bollar")
	p = page.postFile(stepURL, vals, "attachment", "c.pdf", pdfOfSize(200<<10))
	must(t, p, 413, `id="attachment-error"`, "sammanlagt 1\u00a0MB", "Vi tar med egna bollar")
}

// TestUploadLeavesNoFiles: an upload's temporary files are gone when the
// request is, stored or refused.
func TestUploadLeavesNoFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	e := newEnv(t, noRateLimits)
	e.overHTTP()
	maria := e.client("030392-974H")
	_, out := maria.call("POST", "/api/v1/drafts", map[string]any{"service": "sports-shift"})
	id := out["id"].(string)
	for _, n := range []int{1 << 20, 10<<20 + 1} {
		maria.upload(id, "attachment", "a.pdf", pdfOfSize(n))
	}
	left, _ := filepath.Glob(filepath.Join(tmp, "*"))
	var files []string
	for _, f := range left {
		if st, err := os.Stat(f); err == nil && !st.IsDir() {
			files = append(files, f)
		}
	}
	if len(files) > 0 {
		t.Errorf("left behind: %v", files)
	}
}
