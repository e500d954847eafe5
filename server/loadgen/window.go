package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"asiointi/server/apiclient"
)

// windowConfig is the application-window scenario (-mode window): an
// application window opens and residents arrive.
type windowConfig struct {
	residents int           // how many arrive
	ramp      time.Duration // within this time (evenly)
	every     time.Duration // each autosaves this often
	edit      time.Duration // for this long, then submits
	conns     int           // connections to the server at most
}

// runWindow: -window-residents residents log in within -window-ramp, each
// opens the service page, starts a draft, autosaves every -window-every
// for -window-edit and submits. Meanwhile one reader reads the list pages
// of -as (give them many cases with -gen) in turn. It reports p50/p99 of
// each step, the errors, and with -pid the server's CPU time and memory.
func runWindow(cfg config, w windowConfig) (*result, error) {
	hc := apiclient.NewHTTPClient(w.conns, cfg.timeout)
	hc.Transport.(*http.Transport).MaxConnsPerHost = w.conns
	defer hc.CloseIdleConnections()
	cpu0, start := cpuTime(cfg.pid), time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	steps := map[string][]time.Duration{}
	errs := map[string]int{}
	record := func(step string, d time.Duration, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			code := apiclient.Status(err)
			errs[fmt.Sprintf("%s %d", step, code)]++
			return
		}
		steps[step] = append(steps[step], d)
	}
	timed := func(step string, fn func() error) error {
		t0 := time.Now()
		err := fn()
		record(step, time.Since(t0), err)
		return err
	}
	var rssMax int64
	sample := func() {
		if r := rss(cfg.pid); r > rssMax {
			rssMax = r
		}
	}
	// The list reader, until the residents are done.
	var readers sync.WaitGroup
	readers.Add(1)
	go func() {
		defer readers.Done()
		s, err := apiclient.Login(hc, cfg.base, cfg.as)
		if err != nil {
			record("lists login", 0, err)
			return
		}
		for n := 0; ctx.Err() == nil; n++ {
			path := listPaths[n%len(listPaths)]
			timed("list "+path, func() error { return get(hc, cfg.base+path, s.Cookie()) })
			sample()
			time.Sleep(50 * time.Millisecond)
		}
	}()
	sets := answerSets(64, 11)
	var wg sync.WaitGroup
	for i := range w.residents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(float64(w.ramp) * float64(i) / float64(w.residents)))
			var s *apiclient.Session
			if timed("login", func() (err error) {
				s, err = apiclient.Login(hc, cfg.base, residents[i%len(residents)])
				return err
			}) != nil {
				return
			}
			if timed("service page", func() error { return get(hc, cfg.base+"/fi/services/"+service, s.Cookie()) }) != nil {
				return
			}
			var d apiclient.Draft
			if timed("start draft", func() (err error) { d, err = s.CreateDraft(service); return err }) != nil {
				return
			}
			set := sets[i%len(sets)]
			version := d.Version
			rng := rand.New(rand.NewPCG(uint64(i), 3))
			end := time.Now().Add(w.edit)
			time.Sleep(time.Duration(rng.Int64N(int64(w.every)))) // not all in step
			for time.Now().Before(end) {
				timed("autosave", func() (err error) {
					version, err = s.Save(d.ID, version, set.next())
					return err
				})
				time.Sleep(w.every)
			}
			timed("submit", func() error { _, err := s.Submit(d.ID); return err })
			sample()
		}()
	}
	wg.Wait()
	cancel()
	readers.Wait()
	elapsed := time.Since(start)
	r := &result{name: "window", what: "residents", elapsed: elapsed, errs: errs}
	r.ok = len(steps["submit"])
	r.lat = steps["submit"]
	order := []string{"login", "service page", "start draft", "autosave", "submit"}
	for _, p := range listPaths {
		order = append(order, "list "+p)
	}
	for _, k := range order {
		r.extra = append(r.extra, fmt.Sprintf("%-28s %s", k+":", latencyLine(steps[k])))
	}
	if cfg.pid > 0 {
		r.extra = append(r.extra, fmt.Sprintf("server: %.1f s of CPU in %.1f s (%.2f cores), RSS %.0f MB most seen, %.0f MB at the end",
			(cpuTime(cfg.pid)-cpu0).Seconds(), elapsed.Seconds(), (cpuTime(cfg.pid)-cpu0).Seconds()/elapsed.Seconds(),
			float64(rssMax)/1e6, float64(rss(cfg.pid))/1e6))
	}
	r.note = fmt.Sprintf("%d residents in %v, autosave every %v for %v, then submit; %d connections; lists as %s",
		w.residents, w.ramp, w.every, w.edit, w.conns, cfg.as)
	return r, nil
}

// get reads a page as the session (cookie), answering an error unless 200.
func get(hc *http.Client, url, cookie string) error {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Cookie", cookie)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &apiclient.StatusError{Method: "GET", Path: url, Status: resp.StatusCode}
	}
	return nil
}

// cpuTime is the user and system CPU time of process pid (0 when unknown).
func cpuTime(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command name (in parentheses): utime is the
	// 12th and stime the 13th of them, in clock ticks (100 per second).
	rest := string(raw)
	if i := strings.LastIndexByte(rest, ')'); i >= 0 {
		rest = rest[i+1:]
	}
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+s) * 10 * time.Millisecond
}
