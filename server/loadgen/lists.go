package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"asiointi/server/apiclient"
)

// listPaths are what the lists mode reads, in turn, as one person.
var listPaths = []string{"/api/v1/cases", "/fi/cases", "/fi/my", "/api/v1/drafts", "/api/v1/notifications"}

// runLists reads the list pages of one person (-as, who should have many
// cases: -gen) with every client at once, each path in turn. The latency
// is of every page; the largest answer of each path is shown, and with
// -pid the server's resident memory before, during (the most seen) and
// after.
func runLists(cfg config) (*result, error) {
	hc := apiclient.NewHTTPClient(cfg.clients, cfg.timeout)
	defer hc.CloseIdleConnections()
	sessions := make([]*apiclient.Session, cfg.clients)
	for i := range sessions {
		s, err := apiclient.Login(hc, cfg.base, cfg.as)
		if err != nil {
			return nil, err
		}
		sessions[i] = s
	}
	var mu sync.Mutex
	biggest := map[string]int{}
	rssBefore := rss(cfg.pid)
	var rssMax int64
	stop := make(chan struct{})
	var sampler sync.WaitGroup
	if cfg.pid > 0 {
		sampler.Add(1)
		go func() {
			defer sampler.Done()
			t := time.NewTicker(100 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					if r := rss(cfg.pid); r > rssMax {
						rssMax = r
					}
				}
			}
		}()
	}
	ws, elapsed := runClients(cfg, sessions, func(ctx context.Context, i int, s *apiclient.Session, w *worker) {
		for n := i; ctx.Err() == nil; n++ {
			path := listPaths[n%len(listPaths)]
			t0 := w.begin(ctx)
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, cfg.base+path, nil)
			if err != nil {
				w.fail(path, 0, err)
				return
			}
			req.Header.Set("Cookie", s.Cookie())
			resp, err := hc.Do(req)
			if err != nil {
				if ctx.Err() == nil {
					w.fail(path, 0, err)
				}
				continue
			}
			size, err := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			d := time.Since(t0)
			if err != nil || resp.StatusCode != http.StatusOK {
				if ctx.Err() == nil {
					w.fail(path, resp.StatusCode, err)
				}
				continue
			}
			w.lat = append(w.lat, d)
			w.lat2[path] = append(w.lat2[path], d)
			w.ok++
			mu.Lock()
			biggest[path] = max(biggest[path], int(size))
			mu.Unlock()
		}
	})
	close(stop)
	sampler.Wait()
	r := merge("lists", "pages", ws, elapsed)
	var sizes []string
	for _, p := range listPaths {
		sizes = append(sizes, fmt.Sprintf("%s %.1f KB", p, float64(biggest[p])/1e3))
	}
	r.extra = append(r.extra, "largest: "+strings.Join(sizes, ", "))
	if cfg.pid > 0 {
		r.extra = append(r.extra, fmt.Sprintf("server RSS: %.0f MB before, %.0f MB most during, %.0f MB after",
			float64(rssBefore)/1e6, float64(rssMax)/1e6, float64(rss(cfg.pid))/1e6))
	}
	r.note = fmt.Sprintf("every client logged in as %s, reading %s in turn", cfg.as, strings.Join(listPaths, ", "))
	return r, nil
}

// rss is the resident memory of process pid in bytes (0 when unknown).
func rss(pid int) int64 { return procStatus(pid, "VmRSS:") }

// rssPeak is the most resident memory process pid has had (VmHWM).
func rssPeak(pid int) int64 { return procStatus(pid, "VmHWM:") }

// procStatus reads one size in kB from /proc/PID/status, in bytes.
func procStatus(pid int, key string) int64 {
	if pid <= 0 {
		return 0
	}
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, key); ok {
			var kb int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), &kb)
			return kb * 1024
		}
	}
	return 0
}
