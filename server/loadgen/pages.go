package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/apiclient"
	"asiointi/server/internal/cputime"
)

// staticPage is the baseline: a 12 KB page served from memory by
// a minimal Fiber handler (the same as TestBenchStepFields's baseline).
var staticPage = []byte("<!doctype html>" + strings.Repeat("x", 12<<10-15))

// serveStatic serves the baseline at addr (loopback only) until killed:
// GET / is the page, GET /cpu this process's user+system CPU time in
// nanoseconds, which -mode pages reads to tell the baseline's CPU per
// request without its process id.
func serveStatic(addr string) error {
	if _, err := loopbackBase(addr); err != nil {
		return err
	}
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/", func(c *fiber.Ctx) error {
		c.Set("Content-Type", "text/html; charset=utf-8")
		return c.Send(staticPage)
	})
	app.Get("/cpu", func(c *fiber.Ctx) error {
		return c.SendString(strconv.FormatInt(int64(cputime.Process()), 10))
	})
	fmt.Printf("loadgen: the static 12 KB page at http://%s/ (pid %d)\n", addr, syscall.Getpid())
	return app.Listen(addr)
}

// runPages reads rendered pages over real connections, each page for
// -duration with -clients connections: the anonymous front page (/fi/)
// and a logged-in form step page (step 1 of a saved sports-shift draft,
// each client its own session and draft), and with -static the baseline
// served by -serve-static, for ratios of the same run. It prints req/s,
// latency and, with -pid (and for the baseline always), the server's CPU
// per request.
func runPages(cfg config, static string) error {
	hc, sessions, err := setup(cfg)
	if err != nil {
		return err
	}
	defer hc.CloseIdleConnections()
	steps := make([]string, len(sessions))
	for i, s := range sessions {
		d, err := s.CreateDraft(service)
		if err != nil {
			return err
		}
		if _, err := s.Save(d.ID, d.Version, answers(rand.New(rand.NewPCG(uint64(i), 9)), i)); err != nil {
			return err
		}
		steps[i] = "/fi/drafts/" + d.ID + "/step/1"
	}
	var base *result
	if static != "" {
		sb, err := loopbackBase(static)
		if err != nil {
			return err
		}
		cpu := func() time.Duration { return staticCPU(sb, cfg.timeout) }
		if cpu() <= 0 {
			return fmt.Errorf("-static %s: no CPU time at /cpu (start it with -serve-static)", static)
		}
		base = readPages(cfg, "static page (baseline)", sb, make([]*apiclient.Session, cfg.clients), nil, "/", cpu)
		base.print()
	}
	cpu := func() time.Duration { return cpuTime(cfg.pid) }
	front := readPages(cfg, "front page (anonymous)", cfg.base, make([]*apiclient.Session, cfg.clients), nil, "/fi/", cpu)
	front.print()
	step := readPages(cfg, "step page (logged in)", cfg.base, sessions, steps, "", cpu)
	step.print()
	if base != nil && base.rate() > 0 {
		fmt.Printf("\nof the static page's rate: front page %.2f, step page %.2f (%.0f, %.0f / %.0f req/s)\n",
			front.rate()/base.rate(), step.rate()/base.rate(), front.rate(), step.rate(), base.rate())
	}
	return nil
}

// readPages reads path (or each client's own paths[i]) on base as fast
// as the connections allow, client i with session sessions[i] (nil:
// anonymous), and reports the CPU cpu() tells per request.
func readPages(cfg config, name, base string, sessions []*apiclient.Session, paths []string, path string, cpu func() time.Duration) *result {
	cpu0 := cpu()
	sizes := make([]int, len(sessions))
	ws, elapsed := runClients(cfg, sessions, func(ctx context.Context, i int, s *apiclient.Session, w *worker) {
		rc, err := newRawPageConn(base, s, cfg.timeout)
		if err != nil {
			w.fail("connect", 0, err)
			return
		}
		defer rc.close()
		p := path
		if paths != nil {
			p = paths[i]
		}
		for ctx.Err() == nil {
			t0 := time.Now()
			code, body, err := rc.do("GET", p, nil)
			if err != nil || code != 200 {
				if ctx.Err() == nil {
					w.fail("GET", code, err)
				}
				continue
			}
			w.lat = append(w.lat, time.Since(t0))
			w.ok++
			sizes[i] = len(body)
		}
	})
	used := cpu() - cpu0
	r := merge(name, "req", ws, elapsed)
	r.extra = append(r.extra, fmt.Sprintf("%.1f KB of HTML", float64(max(sizes[0], sizes[len(sizes)-1]))/1e3))
	if cpu0 > 0 && used > 0 && r.ok > 0 {
		r.extra = append(r.extra, fmt.Sprintf("server CPU: %.0f µs per request (%.2f cores)",
			float64(used.Microseconds())/float64(r.ok), used.Seconds()/elapsed.Seconds()))
	}
	if paths != nil {
		path = paths[0] + " (each client its own draft)"
	}
	r.note = fmt.Sprintf("GET %s%s, %d keep-alive connections", base, path, len(sessions))
	return r
}

// newRawPageConn is a raw connection that reads pages as a browser
// would (Accept: text/html), with the session's cookie (s nil: none).
func newRawPageConn(base string, s *apiclient.Session, timeout time.Duration) (*rawConn, error) {
	host := strings.TrimPrefix(base, "http://")
	rc := &rawConn{addr: host, host: host, timeout: timeout}
	rc.fixed = []byte("Host: " + host + "\r\nAccept: text/html\r\nAccept-Language: fi\r\n")
	if s != nil {
		rc.fixed = append(rc.fixed, "Cookie: "+s.Cookie()+"\r\n"...)
	}
	return rc, rc.dial()
}

// staticCPU asks the -serve-static process for its CPU time (0 when it
// cannot be read).
func staticCPU(base string, timeout time.Duration) time.Duration {
	rc, err := newRawPageConn(base, nil, timeout)
	if err != nil {
		return 0
	}
	defer rc.close()
	code, body, err := rc.do("GET", "/cpu", nil)
	if err != nil || code != 200 {
		return 0
	}
	n, err := strconv.ParseInt(string(body), 10, 64)
	if err != nil {
		return 0
	}
	return time.Duration(n)
}
