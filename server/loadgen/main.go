// Command loadgen measures Asiointi under load over loopback: autosaves
// and submissions through the real JSON API, next to raw bbolt writes of
// the same size in this process. It prints ops/s, latency percentiles
// and errors by status for each mode.
//
//	go build -o /tmp/asiointi-load ./server
//	ASIOINTI_DATA=$(mktemp -d) ASIOINTI_ADDR=127.0.0.1:18555 ASIOINTI_RATE_LIMITS=off /tmp/asiointi-load &
//	go run ./server/loadgen -addr 127.0.0.1:18555 -clients 64 -duration 15s -mode all
//
// Modes (-mode takes one or a comma-separated list; "all" is
// autosave,submit,submit-only,raw):
//
//	autosave     each client PUTs its own draft with ~1 KB of answers, following versions
//	submit       each iteration creates a draft, saves valid answers and submits;
//	             submits/s counts iterations, the latency is of the submit call alone
//	submit-only  drafts with valid answers are prepared first; only submits are timed
//	submit-proxy as submit, by Juhani acting for Helmi (home-help), so that each
//	             submit notifies two people (submit's own submits notify nobody).
//	             Not in "all". With a server built with -tags asiointi_nonotify
//	             (notifications not recorded), a before/after of the pipeline's
//	             cost: run both servers and alternate the modes against each
//	raw          C goroutines write payloads of the autosave data's size to a
//	             bare bbolt file through bbolt's own Batch (fsync on, 2 ms batch delay)
//	store        the same through asiointi/server/store (its group commit)
//	lists        GET /api/v1/cases, /fi/cases and /fi/my of one person with many cases
//	             (make them with -gen), with -clients readers at once
//	pages        rendered pages over real connections: the anonymous front page
//	             (/fi/) and a logged-in form step page (step 1 of a saved
//	             sports-shift draft, each client its own), each for -duration;
//	             req/s, p50/p99 and with -pid the server's CPU per request.
//	             With -static, first the baseline (a minimal Fiber
//	             handler serving a 12 KB page from memory, run as a separate
//	             process with -serve-static ADDR) and the pages' ratios to it.
//	             Not in "all":
//	             go run ./server/loadgen -serve-static 127.0.0.1:18600 &
//	             go run ./server/loadgen -mode pages -clients 64 -duration 5s -static 127.0.0.1:18600 -pid PID
//	window       an application window opens: -window-residents log in within
//	             -window-ramp, open the service page, start a draft, autosave every
//	             -window-every for -window-edit and submit, while one reader reads
//	             the list pages of -as; p50/p99 per step, errors, server CPU and RSS
//	             (-pid). Not in "all". A short run:
//	             -mode window -window-residents 500 -window-ramp 10s -window-edit 20s
//
// -gen DIR builds a data directory instead of measuring: the demo data and
// -gen-cases cases (-gen-drafts drafts) made through the domain, e.g.
//
//	go run ./server/loadgen -gen /tmp/big -gen-cases 20000
//
// (all for one resident, as the lists mode needs), or a municipality's
// mix: the cases of 30,000 residents, a fifth in handling, three fifths
// decided:
//
//	go run ./server/loadgen -gen /tmp/mix -gen-cases 100000 -gen-residents 30000 -gen-taken 0.2 -gen-decided 0.6
//
//	ASIOINTI_DATA=/tmp/big ASIOINTI_ADDR=127.0.0.1:18555 ASIOINTI_RATE_LIMITS=off /tmp/asiointi-load &
//	go run ./server/loadgen -mode lists -clients 8 -duration 10s -as 030392-974H
//
// Several nodes on one PostgreSQL (ASIOINTI_STORE): -addr takes a
// comma-separated list, and the clients of autosave, submit and
// submit-only are spread over the nodes in turn, each client staying on
// its node (as a balancer spreads new sessions):
//
//	go run ./server/loadgen -addr 127.0.0.1:18555,127.0.0.1:18556 -clients 16 -duration 10s -mode autosave,submit
//
// The server must run with ASIOINTI_RATE_LIMITS=off. Only loopback
// addresses are accepted.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"asiointi/server/apiclient"
	"asiointi/server/store"
)

var residents = []string{"140386-902R", "021184-9139", "050840-948K", "300468-951T", "171279-9677", "030392-974H"}

const service = "sports-shift"

type config struct {
	base       string   // the first of bases: lists and window use one node
	bases      []string // -addr: every node
	clients    int
	duration   time.Duration
	prepare    int
	rawSize    int
	rawDir     string
	timeout    time.Duration
	cpuprofile string
	// rate > 0 paces the clients to this many operations per second in
	// all (open loop); latency is then counted from each operation's
	// scheduled start, so a slow server cannot hide queueing.
	rate float64
	as   string // lists: the person every client logs in as
	pid  int    // the server's process id, to read its memory (0: not read)
	// metrics is the base URL of the server's Prometheus listener
	// (ASIOINTI_METRICS_ADDR): the server's allocation and collections
	// per operation ("": not read).
	metrics string
	// changes: autosave sends the one answer that changed (PATCH), after a
	// first save of the whole answers, as the step page's autosave does.
	changes bool
	// measured is called by a mode whose measured part begins after a
	// preparation, so that the server's CPU per op counts that part only.
	measured func()
}

func main() {
	var cfg config
	addr := flag.String("addr", "127.0.0.1:18555", "server address (loopback host:port or http://host:port); a comma-separated list spreads autosave and submit clients over several nodes")
	flag.IntVar(&cfg.clients, "clients", 64, "concurrent clients (each with its own session and draft)")
	flag.Float64Var(&cfg.rate, "rate", 0, "autosave and submit-only: target operations per second in all (0: as fast as possible); latency counts from the scheduled start")
	flag.DurationVar(&cfg.duration, "duration", 20*time.Second, "measured time per mode")
	mode := flag.String("mode", "autosave", "autosave, submit, submit-only, raw, or a comma-separated list; all = every mode")
	flag.BoolVar(&cfg.changes, "autosave-changes", false, "autosave: after a first save of the whole answers, each save is a PATCH of the one answer that changed (what the step page sends); without it, a PUT of the whole answers")
	flag.IntVar(&cfg.prepare, "prepare", 0, "submit-only: drafts prepared per client (0: enough for ~5,000 submits/s)")
	flag.IntVar(&cfg.rawSize, "raw-size", 0, "raw: payload bytes (0: the size of the autosave data)")
	flag.StringVar(&cfg.rawDir, "raw-dir", "", "raw: directory for the temporary store (default: a new temp dir)")
	flag.DurationVar(&cfg.timeout, "timeout", 30*time.Second, "per-request timeout")
	flag.StringVar(&cfg.cpuprofile, "cpuprofile", "", "write this program's CPU profile to the file")
	flag.StringVar(&cfg.as, "as", "030392-974H", "lists: the demo resident every client logs in as")
	flag.IntVar(&cfg.pid, "pid", 0, "the server's process id: report its CPU time per operation and its resident memory (autosave, submit, submit-only, submit-proxy, lists, window, pages)")
	metricsAddr := flag.String("metrics", "", "the server's metrics listener (its ASIOINTI_METRICS_ADDR, loopback host:port): report the bytes and objects it allocated and its garbage collections per operation (autosave, submit, submit-only, submit-proxy)")
	static := flag.String("static", "", "pages: also read the baseline served by -serve-static at this address, for the pages' ratios to it")
	serve := flag.String("serve-static", "", "instead of measuring: serve the issue's baseline (a 12 KB page from memory, minimal Fiber handler) at this loopback address until killed")
	var win windowConfig
	flag.IntVar(&win.residents, "window-residents", 10000, "window: residents who arrive")
	flag.DurationVar(&win.ramp, "window-ramp", time.Minute, "window: they arrive within this time")
	flag.DurationVar(&win.every, "window-every", 5*time.Second, "window: each autosaves this often")
	flag.DurationVar(&win.edit, "window-edit", 3*time.Minute, "window: for this long, then submits")
	flag.IntVar(&win.conns, "window-conns", 64, "window: connections to the server at most")
	var g genConfig
	flag.StringVar(&g.dir, "gen", "", "instead of measuring: build a data directory here (demo data, then -gen-cases cases and -gen-drafts drafts made through the domain) and exit")
	flag.IntVar(&g.cases, "gen-cases", 20000, "-gen: submitted cases to make")
	flag.IntVar(&g.drafts, "gen-drafts", 0, "-gen: unfinished drafts to make")
	people := flag.String("gen-people", "030392-974H", "-gen: comma-separated henkilötunnukset of the demo residents the cases are shared among, in turn")
	flag.IntVar(&g.workers, "gen-workers", defaultWorkers(), "-gen: concurrent writers")
	flag.IntVar(&g.residents, "gen-residents", 0, "-gen: share the cases among this many made-up residents instead of -gen-people (a municipality's spread)")
	flag.Float64Var(&g.taken, "gen-taken", 0, "-gen: share of the cases a handler takes up and leaves in progress (0–1)")
	flag.Float64Var(&g.decided, "gen-decided", 0, "-gen: share of the cases a handler takes up and decides (0–1)")
	flag.Parse()
	if *serve != "" {
		if err := serveStatic(*serve); err != nil {
			fatal(err)
		}
		return
	}
	if g.dir != "" {
		g.people = strings.Split(*people, ",")
		if err := generate(g); err != nil {
			fatal(err)
		}
		return
	}

	var err error
	for _, a := range strings.Split(*addr, ",") {
		b, err := loopbackBase(strings.TrimSpace(a))
		if err != nil {
			fatal(err)
		}
		cfg.bases = append(cfg.bases, b)
	}
	cfg.base = cfg.bases[0]
	if *metricsAddr != "" {
		if cfg.metrics, err = loopbackBase(*metricsAddr); err != nil {
			fatal(fmt.Errorf("-metrics: %w", err))
		}
	}
	if cfg.clients < 1 || cfg.duration <= 0 || cfg.duration > 10*time.Minute {
		fatal(errors.New("-clients must be ≥ 1 and -duration between 0 and 10m"))
	}
	modes := strings.Split(*mode, ",")
	if *mode == "all" {
		modes = []string{"autosave", "submit", "submit-only", "raw", "store"}
	}
	for _, m := range modes {
		if !slices.Contains([]string{"autosave", "submit", "submit-only", "submit-proxy", "raw", "store", "lists", "window", "pages"}, m) {
			fatal(fmt.Errorf("unknown mode %q", m))
		}
	}
	if cfg.cpuprofile != "" {
		f, err := os.Create(cfg.cpuprofile)
		if err != nil {
			fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fatal(err)
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	fmt.Printf("loadgen: %s, %d clients, %v per mode, GOMAXPROCS %d, %d CPUs\n",
		strings.Join(cfg.bases, ","), cfg.clients, cfg.duration, runtime.GOMAXPROCS(0), runtime.NumCPU())

	results := map[string]*result{}
	for _, m := range modes {
		if m == "pages" {
			if err := runPages(cfg, *static); err != nil {
				fatal(fmt.Errorf("pages: %w", err))
			}
			continue
		}
		var r *result
		cpu0, mem0 := cpuTime(cfg.pid), readRuntime(cfg.metrics)
		cfg.measured = func() { cpu0, mem0 = cpuTime(cfg.pid), readRuntime(cfg.metrics) }
		switch m {
		case "autosave":
			r, err = runAutosave(cfg)
		case "submit":
			r, err = runSubmit(cfg)
		case "submit-only":
			r, err = runSubmitOnly(cfg)
		case "submit-proxy":
			r, err = runSubmitProxy(cfg)
		case "raw":
			r, err = runRaw(cfg, false)
		case "store":
			r, err = runRaw(cfg, true)
		case "lists":
			r, err = runLists(cfg)
		case "window":
			r, err = runWindow(cfg, win)
		}
		if err != nil {
			fatal(fmt.Errorf("%s: %w", m, err))
		}
		if serverCPUModes[m] && cfg.pid > 0 && r.ok > 0 {
			// What the server spent per operation: on a shared machine
			// the rate moves with everything else running, this far less.
			cpu := cpuTime(cfg.pid) - cpu0
			r.extra = append(r.extra, fmt.Sprintf("server: %.0f µs CPU per op (%.1f s in all); RSS %.0f MB now (%.0f MB its own memory, %.0f MB pages of the database file it maps), %.0f MB at most since start",
				float64(cpu.Microseconds())/float64(r.ok), cpu.Seconds(), float64(rss(cfg.pid))/1e6,
				float64(procStatus(cfg.pid, "RssAnon:"))/1e6, float64(procStatus(cfg.pid, "RssFile:"))/1e6, float64(rssPeak(cfg.pid))/1e6))
		}
		if serverCPUModes[m] && cfg.metrics != "" && r.ok > 0 {
			if d, ok := readRuntime(cfg.metrics).since(mem0); ok {
				n := float64(r.ok)
				r.extra = append(r.extra, fmt.Sprintf("server: %.1f KB and %.0f objects allocated per op; %d garbage collections (one per %.0f ops), %.1f ms stopped in all",
					d.bytes/1e3/n, d.objects/n, int(d.gcs), n/max(d.gcs, 1), d.pause*1e3))
			}
		}
		r.print()
		results[m] = r
	}
	if a, r := results["autosave"], results["raw"]; a != nil && r != nil && r.rate() > 0 {
		fmt.Printf("\nautosave/raw ratio: %.2f (%.0f / %.0f ops/s)\n", a.rate()/r.rate(), a.rate(), r.rate())
	}
}

// serverCPUModes are the modes whose work is all the server's: with -pid
// they report its CPU time per operation and its memory.
var serverCPUModes = map[string]bool{"autosave": true, "submit": true, "submit-only": true, "submit-proxy": true}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "loadgen:", err)
	os.Exit(1)
}

// loopbackBase accepts only loopback hosts.
func loopbackBase(addr string) (string, error) {
	if !strings.Contains(addr, "://") {
		addr = "http://" + addr
	}
	u, err := url.Parse(addr)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return "", fmt.Errorf("-addr %q is not host:port or http://host:port", addr)
	}
	host := u.Hostname()
	if host != "localhost" {
		ip := net.ParseIP(host)
		if ip == nil || !ip.IsLoopback() {
			return "", fmt.Errorf("-addr %q: only loopback addresses are allowed", addr)
		}
	}
	return "http://" + u.Host, nil
}

// ---- results ----

type result struct {
	name    string
	what    string
	elapsed time.Duration
	ok      int
	lat     []time.Duration // of the timed call
	errs    map[string]int
	note    string
	extra   []string
}

func (r *result) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.ok) / r.elapsed.Seconds()
}

func pct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p)
	return sorted[i]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

func latencyLine(lat []time.Duration) string {
	s := slices.Clone(lat)
	slices.Sort(s)
	if len(s) == 0 {
		return "no samples"
	}
	return fmt.Sprintf("p50 %s  p90 %s  p99 %s  max %s  (n=%d)", ms(pct(s, .50)), ms(pct(s, .90)), ms(pct(s, .99)), ms(s[len(s)-1]), len(s))
}

func (r *result) print() {
	fmt.Printf("\n== %s: %.0f %s/s  (%d in %.2f s)\n", r.name, r.rate(), r.what, r.ok, r.elapsed.Seconds())
	fmt.Printf("   latency: %s\n", latencyLine(r.lat))
	for _, e := range r.extra {
		fmt.Printf("   %s\n", e)
	}
	if len(r.errs) == 0 {
		fmt.Println("   errors: none")
	} else {
		keys := make([]string, 0, len(r.errs))
		for k := range r.errs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s ×%d", k, r.errs[k]))
		}
		fmt.Printf("   errors: %s\n", strings.Join(parts, ", "))
	}
	if r.note != "" {
		fmt.Printf("   note: %s\n", r.note)
	}
}

// worker is one client's own record, merged after the run.
type worker struct {
	every time.Duration // pacing interval of this client (0: none)
	next  time.Time
	lat   []time.Duration
	lat2  map[string][]time.Duration // other calls, for information
	errs  map[string]int
	ok    int
}

// begin returns when the next operation should start: now when not
// paced, else at the client's next scheduled time (waiting for it).
func (w *worker) begin(ctx context.Context) time.Time {
	if w.every <= 0 {
		return time.Now()
	}
	if w.next.IsZero() {
		w.next = time.Now()
	}
	at := w.next
	w.next = w.next.Add(w.every)
	if d := time.Until(at); d > 0 {
		select {
		case <-time.After(d):
		case <-ctx.Done():
		}
	}
	return at
}

func newWorker() *worker {
	return &worker{lat: make([]time.Duration, 0, 1<<14), lat2: map[string][]time.Duration{}, errs: map[string]int{}}
}

// fail counts a failed call by its status (code, or the status of an
// apiclient.StatusError), or as a transport error.
func (w *worker) fail(call string, code int, err error) {
	if c := apiclient.Status(err); c != 0 {
		code, err = c, nil
	}
	if err != nil {
		w.errs[call+" transport"]++
		return
	}
	w.errs[fmt.Sprintf("%s %d", call, code)]++
}

func merge(name, what string, ws []*worker, elapsed time.Duration) *result {
	r := &result{name: name, what: what, elapsed: elapsed, errs: map[string]int{}}
	other := map[string][]time.Duration{}
	for _, w := range ws {
		r.ok += w.ok
		r.lat = append(r.lat, w.lat...)
		for k, v := range w.errs {
			r.errs[k] += v
		}
		for k, v := range w.lat2 {
			other[k] = append(other[k], v...)
		}
	}
	keys := make([]string, 0, len(other))
	for k := range other {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		r.extra = append(r.extra, fmt.Sprintf("%-8s %s", k+":", latencyLine(other[k])))
	}
	return r
}

// ---- HTTP ----

// loginAll makes one session per client, the demo residents in turn,
// on the nodes in turn.
func loginAll(cfg config, hc *http.Client) ([]*apiclient.Session, error) {
	out := make([]*apiclient.Session, cfg.clients)
	errs := make([]error, cfg.clients)
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for i := range cfg.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i], errs[i] = apiclient.Login(hc, cfg.bases[i%len(cfg.bases)], residents[i%len(residents)])
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// answerSet holds pre-encoded answer sets of one client; next varies the
// edit counter inside the notes, as typing would, without re-encoding.
type answerSet struct {
	variants [][]byte
	digits   []int // offset of the 6-digit counter in each variant
	n        int
	buf      []byte
}

func newAnswerSet(rng *rand.Rand) *answerSet {
	a := &answerSet{}
	for range 16 {
		raw, err := json.Marshal(answers(rng, 0))
		if err != nil {
			panic(err)
		}
		i := bytes.Index(raw, []byte("muokkaus 000000"))
		if i < 0 {
			panic("answer template without its counter")
		}
		a.variants = append(a.variants, raw)
		a.digits = append(a.digits, i+len("muokkaus "))
	}
	return a
}

// next is the next variant of the answers (valid until the next call).
func (a *answerSet) next() json.RawMessage {
	a.n++
	k := a.n % len(a.variants)
	v := a.variants[k]
	d := a.digits[k]
	seq := a.n % 1000000
	for j := 5; j >= 0; j-- {
		v[d+j] = byte('0' + seq%10)
		seq /= 10
	}
	return v
}

// body is the PUT body {"version":v,"data":{…}} with the next variant.
func (a *answerSet) body(version int) []byte {
	a.buf = apiclient.AppendSaveBody(a.buf[:0], version, a.next())
	return a.buf
}

// changeBody is the body of a save of the one answer typing changes (the
// notes, with the counter), valid until the next call.
func (a *answerSet) changeBody(version int) []byte {
	a.n++
	a.buf = append(a.buf[:0], `{"version":`...)
	a.buf = strconv.AppendInt(a.buf, int64(version), 10)
	a.buf = append(a.buf, `,"changes":{"notes":"Toivomme samaa vuoroa kuin viime kaudella. (muokkaus `...)
	a.buf = fmt.Appendf(a.buf, "%06d", a.n%1000000)
	return append(a.buf, `)"}}`...)
}

// ---- answers ----

var (
	firstNames = []string{"Aino", "Mikko", "Helmi", "Juhani", "Sven", "Maria", "Eero", "Liisa"}
	lastNames  = []string{"Virtanen", "Korhonen", "Lindqvist", "Nieminen", "Mäkinen", "Hämäläinen"}
	groups     = []string{"Esimerkkilän Urheiluseuran salibandyjuniorit", "Keskustan sulkapalloporukka", "Eläkeläisten kuntopiiri ry", "Pallohallin futsal-aikuiset"}
	halls      = []string{"sports-centre-main", "sports-centre-small", "central-school", "ball-hall"}
	weekdays   = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	ages       = []string{"children", "adults", "seniors", "mixed"}
)

// answers is a complete, valid sports-shift answer set of about 1 KB of
// JSON, varied as typing would vary it.
func answers(rng *rand.Rand, seq int) map[string]any {
	fn, ln := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
	return map[string]any{
		"contactFirstName": fn, "contactLastName": ln,
		"contactEmail": strings.ToLower(fmt.Sprintf("%s.%d@example.fi", fn, rng.IntN(1000))),
		"contactPhone": fmt.Sprintf("+358 40 %03d %04d", rng.IntN(1000), rng.IntN(10000)),
		"groupName":    groups[rng.IntN(len(groups))], "groupType": "association",
		"businessId": "2345678-0", "ageGroup": ages[rng.IntN(len(ages))], "participants": float64(2 + rng.IntN(59)),
		"hall": halls[rng.IntN(len(halls))], "weekday": weekdays[rng.IntN(len(weekdays))],
		"startTime": fmt.Sprintf("%d.%02d", 7+rng.IntN(14), 15*rng.IntN(4)), "duration": "90",
		"season": "full", "equipmentNeeded": true,
		"equipment": "Kaksi salibandymaalia, kaukalon laidat koko kentälle, 30 mailaa ja palloja harjoituksiin sekä tulostaulu otteluita varten.",
		"notes": fmt.Sprintf("Toivomme samaa vuoroa kuin viime kaudella, koska valmentajat ja huoltajat ovat sopineet aikataulunsa sen mukaan. "+
			"Ryhmässä on 8–12-vuotiaita lapsia, joista osa tulee suoraan koulun iltapäiväkerhosta. Voimme tarvittaessa joustaa puolella tunnilla. "+
			"Lisäksi kysymme mahdollisuutta käyttää pukuhuonetta 15 minuuttia ennen vuoroa. "+
			"Otamme mielellämme vastaan myös vapautuvia lisävuoroja kevät- ja syyskaudella sekä lomilla. (muokkaus %06d)", seq),
	}
}

func answerSets(n int, seed uint64) []*answerSet {
	out := make([]*answerSet, n)
	for i := range out {
		out[i] = newAnswerSet(rand.New(rand.NewPCG(uint64(i), seed)))
	}
	return out
}

func dataSize() int {
	raw, _ := json.Marshal(answers(rand.New(rand.NewPCG(1, 2)), 1))
	return len(raw)
}

// ---- modes ----

// runClients runs fn on every client until the deadline and returns the
// measured time (until the deadline, or until the last client stopped).
func runClients(cfg config, sessions []*apiclient.Session, fn func(ctx context.Context, i int, s *apiclient.Session, w *worker)) ([]*worker, time.Duration) {
	ws := make([]*worker, len(sessions))
	for i := range ws {
		ws[i] = newWorker()
		if cfg.rate > 0 {
			ws[i].every = time.Duration(float64(len(sessions)) / cfg.rate * float64(time.Second))
			// Spread the clients' first starts over one interval.
			ws[i].next = time.Now().Add(ws[i].every * time.Duration(i) / time.Duration(len(sessions)))
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.duration)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for i, s := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(ctx, i, s, ws[i])
		}()
	}
	wg.Wait()
	return ws, min(time.Since(start), cfg.duration)
}

func setup(cfg config) (*http.Client, []*apiclient.Session, error) {
	hc := apiclient.NewHTTPClient(cfg.clients, cfg.timeout)
	sessions, err := loginAll(cfg, hc)
	return hc, sessions, err
}

func runAutosave(cfg config) (*result, error) {
	hc, sessions, err := setup(cfg)
	if err != nil {
		return nil, err
	}
	defer hc.CloseIdleConnections()
	ids := make([]string, len(sessions))
	vers := make([]int, len(sessions))
	sets := answerSets(len(sessions), 7)
	for i, s := range sessions {
		d, err := s.CreateDraft(service)
		if err != nil {
			return nil, err
		}
		ids[i], vers[i] = d.ID, d.Version
		if cfg.changes { // the whole answers first, then what changes
			if vers[i], err = s.Save(d.ID, d.Version, sets[i].next()); err != nil {
				return nil, err
			}
		}
	}
	method := "PUT"
	if cfg.changes {
		method = "PATCH"
	}
	ws, elapsed := runClients(cfg, sessions, func(ctx context.Context, i int, s *apiclient.Session, w *worker) {
		set := sets[i]
		id, version := ids[i], vers[i]
		rc, err := newRawConn(s, cfg.timeout)
		if err != nil {
			w.fail("connect", 0, err)
			return
		}
		defer rc.close()
		path := "/api/v1/drafts/" + id
		for ctx.Err() == nil {
			t0 := w.begin(ctx)
			if ctx.Err() != nil {
				return
			}
			body := set.body(version)
			if cfg.changes {
				body = set.changeBody(version)
			}
			v, code, err := rawSave(rc, method, path, body)
			d := time.Since(t0)
			if err != nil || code != 200 {
				if ctx.Err() != nil {
					return
				}
				w.fail("save", code, err)
				if code == 409 { // someone else saved: take the current version
					if cur, err := s.Draft(id); err == nil {
						version = cur.Version
					}
				}
				continue
			}
			w.lat = append(w.lat, d)
			w.ok++
			version = v
		}
	})
	r := merge("autosave", "autosaves", ws, elapsed)
	r.note = fmt.Sprintf("PUT /api/v1/drafts/{id} with %d bytes of answers, each client its own draft and session", dataSize())
	if cfg.changes {
		r.note = fmt.Sprintf("PATCH /api/v1/drafts/{id} of one changed answer (of %d bytes of answers), each client its own draft and session", dataSize())
	}
	return r, nil
}

func runSubmit(cfg config) (*result, error) {
	hc, sessions, err := setup(cfg)
	if err != nil {
		return nil, err
	}
	defer hc.CloseIdleConnections()
	sets := answerSets(len(sessions), 11)
	r := submitLoop(cfg, "submit", sessions, service, func(i int) json.RawMessage { return sets[i].next() })
	r.note = "each iteration: POST /drafts, PUT valid answers, POST /drafts/{id}/submit; submits/s counts whole iterations, latency is the submit call alone"
	return r, nil
}

// The submit-proxy mode: Juhani, acting for Helmi on her mandate, applies
// for home help, so that each submit notifies (Helmi in the app, live and
// by e-mail; Juhani in the app and live), unlike a resident's own submit.
const (
	proxyActor   = "300468-951T"
	proxyService = "home-help"
)

func runSubmitProxy(cfg config) (*result, error) {
	hc := apiclient.NewHTTPClient(cfg.clients, cfg.timeout)
	defer hc.CloseIdleConnections()
	sessions := make([]*apiclient.Session, cfg.clients)
	for i := range sessions {
		s, err := apiclient.Login(hc, cfg.base, proxyActor)
		if err != nil {
			return nil, err
		}
		ps, err := s.Principals()
		if err != nil {
			return nil, err
		}
		k := slices.IndexFunc(ps, func(p apiclient.Principal) bool { return p.Kind == "mandate" })
		if k < 0 {
			return nil, fmt.Errorf("%s has no mandate to act for anyone: %+v", proxyActor, ps)
		}
		if err := s.ActFor(ps[k].ID); err != nil {
			return nil, err
		}
		sessions[i] = s
	}
	body, err := json.Marshal(map[string]any{"livesAlone": "yes", "helpWith": []any{"washing", "shopping"},
		"situation": "Kaaduin keväällä, enkä jaksa enää käydä kaupassa yksin.", "hasContactPerson": "no",
		"street": "Koulukatu 5", "postalCode": "99100", "city": "Esimerkkilä", "phone": "+358 40 123 4567",
		"consentHealthInfo": true, "confirmCorrect": true})
	if err != nil {
		return nil, err
	}
	r := submitLoop(cfg, "submit-proxy", sessions, proxyService, func(int) json.RawMessage { return body })
	r.note = "as submit, by Juhani acting for Helmi (home-help): each submit records two notifications (in-app and live each, and an e-mail to Helmi, which the demo data gives no address: dropped at delivery)"
	return r, nil
}

// submitLoop runs the clients' create, save, submit iterations of
// service with the answers answer(i) gives client i.
func submitLoop(cfg config, name string, sessions []*apiclient.Session, service string, answer func(i int) json.RawMessage) *result {
	ws, elapsed := runClients(cfg, sessions, func(ctx context.Context, i int, s *apiclient.Session, w *worker) {
		for ctx.Err() == nil {
			t0 := time.Now()
			dr, err := s.CreateDraft(service)
			t1 := time.Now()
			if err != nil {
				if ctx.Err() == nil {
					w.fail("create", 0, err)
				}
				continue
			}
			w.lat2["create"] = append(w.lat2["create"], t1.Sub(t0))
			_, err = s.Save(dr.ID, dr.Version, answer(i))
			t2 := time.Now()
			if err != nil {
				if ctx.Err() == nil {
					w.fail("save", 0, err)
				}
				continue
			}
			w.lat2["save"] = append(w.lat2["save"], t2.Sub(t1))
			_, err = s.Submit(dr.ID)
			d := time.Since(t2)
			if err != nil {
				if ctx.Err() == nil {
					w.fail("submit", 0, err)
				}
				continue
			}
			w.lat = append(w.lat, d)
			w.ok++
		}
	})
	return merge(name, "submits", ws, elapsed)
}

func runSubmitOnly(cfg config) (*result, error) {
	hc, sessions, err := setup(cfg)
	if err != nil {
		return nil, err
	}
	defer hc.CloseIdleConnections()
	per := cfg.prepare
	if per <= 0 {
		per = int(5000*cfg.duration.Seconds())/cfg.clients + 1
	}
	fmt.Printf("\nsubmit-only: preparing %d drafts (%d per client)…\n", per*cfg.clients, per)
	prepStart := time.Now()
	drafts := make([][]string, len(sessions))
	errs := make([]error, len(sessions))
	sets := answerSets(len(sessions), 13)
	var wg sync.WaitGroup
	for i, s := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			set := sets[i]
			for range per {
				d, err := s.CreateDraft(service)
				if err != nil {
					errs[i] = err
					return
				}
				if _, err := s.Save(d.ID, d.Version, set.next()); err != nil {
					errs[i] = fmt.Errorf("prepare save: %w", err)
					return
				}
				drafts[i] = append(drafts[i], d.ID)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	fmt.Printf("submit-only: prepared in %.1f s\n", time.Since(prepStart).Seconds())
	if cfg.measured != nil {
		cfg.measured() // the server's CPU per op counts the submits only
	}
	// The measured loops open their own connections: close the preparing
	// client's idle ones, or they count against the server's per-address
	// connection cap (ASIOINTI_MAX_CONNS_PER_IP).
	hc.CloseIdleConnections()
	var ranOut atomic.Int32
	ws, elapsed := runClients(cfg, sessions, func(ctx context.Context, i int, s *apiclient.Session, w *worker) {
		rc, err := newRawConn(s, cfg.timeout)
		if err != nil {
			w.fail("connect", 0, err)
			return
		}
		defer rc.close()
		for _, id := range drafts[i] {
			if ctx.Err() != nil {
				return
			}
			t0 := w.begin(ctx)
			if ctx.Err() != nil {
				return
			}
			code, err := rawSubmit(rc, id)
			d := time.Since(t0)
			if err != nil || code != 201 {
				if ctx.Err() == nil {
					w.fail("submit", code, err)
				}
				continue
			}
			w.lat = append(w.lat, d)
			w.ok++
		}
		if ctx.Err() == nil {
			ranOut.Add(1)
		}
	})
	r := merge("submit-only", "submits", ws, elapsed)
	r.note = "only POST /drafts/{id}/submit is timed, on drafts prepared with valid answers"
	if n := ranOut.Load(); n > 0 {
		r.note += fmt.Sprintf("; %d clients ran out of prepared drafts before the deadline (raise -prepare)", n)
	}
	return r, nil
}

func runRaw(cfg config, viaStore bool) (*result, error) {
	size := cfg.rawSize
	if size <= 0 {
		size = dataSize()
	}
	dir := cfg.rawDir
	if dir == "" {
		d, err := os.MkdirTemp("", "asiointi-raw-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	var put func(key string, val []byte) error
	what := "bbolt Batch(Put) on a bare file"
	if viaStore {
		st, err := store.Open(dir, store.Options{}) // default options: fsync on
		if err != nil {
			return nil, err
		}
		defer st.Close()
		put = func(key string, val []byte) error {
			return st.Update(func(tx *store.Tx) error { return tx.PutRaw(store.Drafts, key, val) })
		}
		what = "store.Update(PutRaw)"
	} else {
		rb, err := store.OpenRawBolt(dir)
		if err != nil {
			return nil, err
		}
		defer rb.Close()
		put = rb.Put
	}
	payload := make([]byte, size)
	prng := rand.New(rand.NewPCG(3, 4))
	for i := range payload {
		payload[i] = 'a' + byte(prng.IntN(26))
	}
	sessions := make([]*apiclient.Session, cfg.clients) // goroutines only; no HTTP
	ws, elapsed := runClients(cfg, sessions, func(ctx context.Context, i int, _ *apiclient.Session, w *worker) {
		for ctx.Err() == nil {
			t0 := time.Now()
			err := put(store.NewID(time.Now()), payload)
			d := time.Since(t0)
			if err != nil {
				w.errs["put "+err.Error()]++
				continue
			}
			w.lat = append(w.lat, d)
			w.ok++
		}
	})
	name := "raw"
	if viaStore {
		name = "store"
	}
	r := merge(name, "writes", ws, elapsed)
	r.note = fmt.Sprintf("%s of %d bytes under new keys, %d goroutines, fresh file in %s", what, size, cfg.clients, dir)
	return r, nil
}

// rawSave is save over a raw connection: PUT (or PATCH) the body, read
// the version.
func rawSave(rc *rawConn, method, path string, body []byte) (int, int, error) {
	code, b, err := rc.do(method, path, body)
	if err != nil || code != 200 {
		return 0, code, err
	}
	i := bytes.Index(b, []byte(`"version":`))
	if i < 0 {
		return 0, code, errors.New("save: answer without version")
	}
	j := i + len(`"version":`)
	k := j
	for k < len(b) && b[k] >= '0' && b[k] <= '9' {
		k++
	}
	v, err := strconv.Atoi(string(b[j:k]))
	return v, code, err
}

// rawSubmit is submit over a raw connection.
func rawSubmit(rc *rawConn, id string) (int, error) {
	code, b, err := rc.do("POST", "/api/v1/drafts/"+id+"/submit", nil)
	if err == nil && code == 201 && (!bytes.Contains(b, []byte(`"reference":"`)) || !bytes.Contains(b, []byte(`"id":"`))) {
		err = errors.New("submit: answer without id or reference")
	}
	return code, err
}
