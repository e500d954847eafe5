package main

// TestKillDurability proves that what the server acknowledges survives a
// crash: the real binary runs as a child process, concurrent residents
// autosave drafts and submit them, the process gets SIGKILL at a random
// moment, `asiointi check` must find the store clean, and after a restart
// every acknowledged save and submission must be there. CI runs it (it
// skips only with -short); it takes about half a minute.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"asiointi/server/apiclient"
)

// demoResidents are the residents of the demo data set (CONTRACT.md).
var demoResidents = []string{"140386-902R", "021184-9139", "050840-948K", "300468-951T", "171279-9677", "030392-974H"}

const (
	durService = "sports-shift"
	durClients = 16
)

func durRounds() int {
	if v, err := strconv.Atoi(os.Getenv("ASIOINTI_DURABILITY_ROUNDS")); err == nil && v > 0 {
		return v
	}
	return 50
}

func TestKillDurability(t *testing.T) {
	if testing.Short() {
		t.Skip("kill-and-restart durability test; skipped with -short")
	}
	if runtime.GOOS == "windows" {
		t.Skip("needs SIGKILL/SIGTERM semantics")
	}
	start := time.Now()
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "asiointi")
	build := exec.Command(goTool(t), "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dataDir := filepath.Join(tmp, "data")
	led := newLedger()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 42))
	t.Logf("build took %v", time.Since(start).Round(time.Millisecond))

	var def *durForm
	rounds := durRounds()
	var killedAt []time.Duration
	for round := 1; round <= rounds; round++ {
		srv := startServer(t, bin, dataDir)
		if def == nil {
			def = fetchForm(t, srv.base)
		}
		// Everything acknowledged so far that the last round touched must
		// be there after the crash and restart.
		verify(t, srv.base, led, led.takeTouched(), fmt.Sprintf("after round %d", round-1))
		if t.Failed() {
			srv.kill()
			t.FailNow()
		}
		sessions := loginAll(t, srv.base, durClients)
		ctx, cancel := context.WithCancel(context.Background())
		var killed atomic.Bool
		var wg sync.WaitGroup
		for i := range durClients {
			wg.Add(1)
			seed := rng.Uint64()
			go func() {
				defer wg.Done()
				runClient(ctx, t, srv.base, sessions[i], i%len(demoResidents), def, led, &killed, seed)
			}()
		}
		delay := time.Duration(20+rng.IntN(381)) * time.Millisecond
		time.Sleep(delay)
		killed.Store(true)
		srv.kill()
		cancel()
		wg.Wait()
		killedAt = append(killedAt, delay)
		if errs := srv.errorLines(); len(errs) > 0 {
			t.Errorf("round %d: the server logged errors before the kill:\n%s", round, strings.Join(errs, "\n"))
		}
		runCheck(t, bin, dataDir, fmt.Sprintf("after the kill of round %d", round))
		if t.Failed() {
			t.FailNow()
		}
	}

	// Last restart: the whole ledger, not only the last round's drafts.
	srv := startServer(t, bin, dataDir)
	led.takeTouched()
	verify(t, srv.base, led, led.allDrafts(), "at the end (everything acknowledged in every round)")
	verifyUniqueReferences(t, srv.base, led)
	code := srv.terminate(t)
	if code != 0 {
		t.Errorf("SIGTERM: exit code %d, want 0\n%s", code, srv.tail())
	}
	runCheck(t, bin, dataDir, "after the clean shutdown")

	saves, submits, creates := led.counts()
	t.Logf("%d rounds in %v: %d drafts created, %d saves and %d submissions acknowledged, %d requests cut off by kills %v–%v into a round",
		rounds, time.Since(start).Round(time.Millisecond), creates, saves, submits, led.cut.Load(), minDur(killedAt), maxDur(killedAt))
	if saves == 0 || submits == 0 {
		t.Errorf("the load made no acknowledged saves (%d) or submissions (%d): nothing was proven", saves, submits)
	}
}

// goTool is the go command that runs this test (go test puts its GOROOT's
// bin first on PATH).
func goTool(t *testing.T) string {
	p, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build the server: %v", err)
	}
	return p
}

func minDur(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	m := ds[0]
	for _, d := range ds {
		m = min(m, d)
	}
	return m
}

func maxDur(ds []time.Duration) time.Duration {
	var m time.Duration
	for _, d := range ds {
		m = max(m, d)
	}
	return m
}

// ---- the child process ----

type child struct {
	cmd  *exec.Cmd
	base string
	log  *logSink
	done chan struct{}
	err  error
}

// logSink keeps the child's JSON log lines and reports its address.
type logSink struct {
	mu    sync.Mutex
	buf   []byte
	lines []string
	addr  chan string
	sent  bool
}

func (l *logSink) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		line := string(l.buf[:i])
		l.buf = l.buf[i+1:]
		l.lines = append(l.lines, line)
		if !l.sent {
			var m struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal([]byte(line), &m) == nil && m.Msg == "listening" && m.Addr != "" {
				l.sent = true
				l.addr <- m.Addr
			}
		}
	}
	return len(p), nil
}

func (c *child) tail() string {
	c.log.mu.Lock()
	defer c.log.mu.Unlock()
	lines := c.log.lines
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return strings.Join(lines, "\n") + string(c.log.buf)
}

// errorLines are the log lines at level ERROR (a panic, a 5xx).
func (c *child) errorLines() []string {
	c.log.mu.Lock()
	defer c.log.mu.Unlock()
	var out []string
	for _, l := range c.log.lines {
		var m struct {
			Level string `json:"level"`
		}
		if json.Unmarshal([]byte(l), &m) != nil || m.Level == "ERROR" {
			out = append(out, l)
		}
	}
	return out
}

func childEnv(dataDir string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ASIOINTI_") {
			env = append(env, kv)
		}
	}
	return append(env, "ASIOINTI_DATA="+dataDir, "ASIOINTI_ADDR=127.0.0.1:0",
		"ASIOINTI_RATE_LIMITS=off", "ASIOINTI_MODE=demo")
}

// startServer starts the binary (with env added to its environment) on a free loopback port (port 0; the
// address comes from its "listening" log line) and waits for /readyz.
func startServer(t *testing.T, bin, dataDir string, env ...string) *child {
	t.Helper()
	c := &child{log: &logSink{addr: make(chan string, 1)}, done: make(chan struct{})}
	c.cmd = exec.Command(bin)
	c.cmd.Env = append(childEnv(dataDir), env...)
	c.cmd.Stdout = io.Discard
	c.cmd.Stderr = c.log
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("start server: %v", err)
	}
	go func() { c.err = c.cmd.Wait(); close(c.done) }()
	t.Cleanup(func() { c.kill() })
	select {
	case addr := <-c.log.addr:
		c.base = "http://" + addr
	case <-c.done:
		t.Fatalf("server exited before listening: %v\n%s", c.err, c.tail())
	case <-time.After(30 * time.Second):
		t.Fatalf("server did not listen within 30 s\n%s", c.tail())
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(c.base + "/readyz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return c
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz not 200 within 30 s (%v)\n%s", err, c.tail())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// kill sends SIGKILL and waits until the process is gone.
func (c *child) kill() {
	select {
	case <-c.done:
		return
	default:
	}
	_ = c.cmd.Process.Signal(syscall.SIGKILL)
	<-c.done
}

// terminate sends SIGTERM and returns the exit code.
func (c *child) terminate(t *testing.T) int {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-c.done:
	case <-time.After(15 * time.Second):
		c.kill()
		t.Fatalf("the server did not stop within 15 s of SIGTERM\n%s", c.tail())
	}
	if c.err == nil {
		return 0
	}
	var ee *exec.ExitError
	if errors.As(c.err, &ee) {
		return ee.ExitCode()
	}
	t.Fatalf("wait: %v", c.err)
	return -1
}

func runCheck(t *testing.T, bin, dataDir, when string) {
	t.Helper()
	cmd := exec.Command(bin, "check")
	cmd.Env = childEnv(dataDir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("asiointi check %s: %v\n%s", when, err, out)
	}
}

// ---- HTTP sessions ----

func newHTTPClient(n int) *http.Client { return apiclient.NewHTTPClient(n, 15*time.Second) }

func loginAll(t *testing.T, base string, n int) []*apiclient.Session {
	t.Helper()
	hc := newHTTPClient(n)
	out := make([]*apiclient.Session, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i], errs[i] = apiclient.Login(hc, base, demoResidents[i%len(demoResidents)])
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// ---- what was acknowledged ----

type draftRec struct {
	owner   int // index into demoResidents
	version int // highest acknowledged version
	hash    string
	// submission, when acknowledged
	caseID, ref string
}

type ledger struct {
	mu      sync.Mutex
	drafts  map[string]*draftRec
	refs    map[string]string // reference → case id
	touched map[string]bool
	saves   int
	submits int
	creates int
	bad     []string
	cut     atomic.Int64 // requests cut off by a kill
}

func newLedger() *ledger {
	return &ledger{drafts: map[string]*draftRec{}, refs: map[string]string{}, touched: map[string]bool{}}
}

func (l *ledger) created(id string, owner, version int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, dup := l.drafts[id]; dup {
		l.bad = append(l.bad, fmt.Sprintf("draft id %s was handed out twice", id))
	}
	l.drafts[id] = &draftRec{owner: owner, version: version}
	l.touched[id] = true
	l.creates++
}

func (l *ledger) saved(id string, version int, hash string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	d := l.drafts[id]
	if version <= d.version {
		l.bad = append(l.bad, fmt.Sprintf("draft %s: save acknowledged version %d after %d", id, version, d.version))
	}
	d.version, d.hash = version, hash
	l.touched[id] = true
	l.saves++
}

func (l *ledger) submitted(id, caseID, ref string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	d := l.drafts[id]
	if d.caseID != "" && (d.caseID != caseID || d.ref != ref) {
		l.bad = append(l.bad, fmt.Sprintf("draft %s: submitted as %s %s, again as %s %s", id, d.caseID, d.ref, caseID, ref))
		return
	}
	if other, ok := l.refs[ref]; ok && other != caseID {
		l.bad = append(l.bad, fmt.Sprintf("reference %s given to cases %s and %s", ref, other, caseID))
	}
	if d.caseID == "" {
		l.submits++
	}
	l.refs[ref] = caseID
	d.caseID, d.ref = caseID, ref
	l.touched[id] = true
}

func (l *ledger) problem(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.bad) < 50 {
		l.bad = append(l.bad, fmt.Sprintf(format, args...))
	}
}

func (l *ledger) takeProblems() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.bad
	l.bad = nil
	return out
}

func (l *ledger) takeTouched() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, 0, len(l.touched))
	for id := range l.touched {
		out = append(out, id)
	}
	l.touched = map[string]bool{}
	return out
}

func (l *ledger) allDrafts() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, 0, len(l.drafts))
	for id := range l.drafts {
		out = append(out, id)
	}
	return out
}

func (l *ledger) get(id string) draftRec {
	l.mu.Lock()
	defer l.mu.Unlock()
	return *l.drafts[id]
}

func (l *ledger) counts() (saves, submits, creates int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.saves, l.submits, l.creates
}

// dataHash is the hash of data's canonical JSON (sorted keys, numbers as
// float64), the same for what was sent and what GET returns.
func dataHash(data map[string]any) string {
	raw, err := json.Marshal(data)
	if err != nil {
		panic(err)
	}
	var norm any
	if err := json.Unmarshal(raw, &norm); err != nil {
		panic(err)
	}
	raw, _ = json.Marshal(norm)
	h := sha256.Sum256(raw)
	return hex.EncodeToString(h[:])
}

// ---- the load ----

// runClient creates drafts, autosaves them and submits them until the
// server is killed. Anything but the expected answer before the kill is
// a problem; after the kill, failures are expected and nothing is recorded.
func runClient(ctx context.Context, t *testing.T, base string, s *apiclient.Session, owner int, def *durForm, led *ledger, killed *atomic.Bool, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, uint64(owner)))
	// fail reports an unexpected answer unless the server is being killed.
	fail := func(what string, err error) {
		if killed.Load() || ctx.Err() != nil {
			led.cut.Add(1) // cut off by the kill: not acknowledged
			return
		}
		led.problem("%s: %v", what, err)
	}
	for ctx.Err() == nil {
		created, err := s.CreateDraft(durService) // an answer without id or version is an error
		if err != nil {
			fail("create draft", err)
			return
		}
		led.created(created.ID, owner, created.Version)
		version := created.Version
		nSaves := 1 + rng.IntN(4)
		for i := range nSaves {
			data := def.answers(rng, i == nSaves-1 || rng.IntN(2) == 0)
			v, err := s.Save(created.ID, version, data)
			if err != nil {
				fail("save "+created.ID, err)
				return
			}
			if v != version+1 {
				fail("save "+created.ID+" answer", fmt.Errorf("version %d, want %d", v, version+1))
				return
			}
			version = v
			led.saved(created.ID, version, dataHash(data))
			if rng.IntN(8) == 0 { // a stale write must be refused and change nothing
				_, err := s.Save(created.ID, version-1, def.answers(rng, true))
				if apiclient.Status(err) != http.StatusConflict {
					if err == nil {
						err = errors.New("accepted")
					}
					fail("stale save "+created.ID+" (want 409)", err)
					return
				}
			}
		}
		if rng.IntN(5) == 0 {
			continue // leave this one as a draft
		}
		tries := 1 + rng.IntN(2) // sometimes a double click
		for range tries {
			sub, err := s.Submit(created.ID) // an answer without id or reference is an error
			if err != nil {
				fail("submit "+created.ID, err)
				return
			}
			if sub.Status != "submitted" {
				fail("submit "+created.ID+" answer", fmt.Errorf("%+v", sub))
				return
			}
			led.submitted(created.ID, sub.ID, sub.Reference)
		}
	}
}

// ---- verification after a restart ----

func verify(t *testing.T, base string, led *ledger, ids []string, when string) {
	t.Helper()
	if p := led.takeProblems(); len(p) > 0 {
		t.Errorf("during the load before %s:\n%s", when, strings.Join(p, "\n"))
		return
	}
	if len(ids) == 0 {
		return
	}
	hc := newHTTPClient(durClients)
	defer hc.CloseIdleConnections()
	sessions := make([]*apiclient.Session, len(demoResidents))
	for i, h := range demoResidents {
		s, err := apiclient.Login(hc, base, h)
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		sessions[i] = s
	}
	work := make(chan string)
	var mu sync.Mutex
	var problems []string
	report := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(problems) < 40 {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	var wg sync.WaitGroup
	for range durClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range work {
				verifyDraft(sessions, led.get(id), id, report)
			}
		}()
	}
	for _, id := range ids {
		work <- id
	}
	close(work)
	wg.Wait()
	if len(problems) > 0 {
		t.Errorf("%s, of %d drafts checked:\n%s", when, len(ids), strings.Join(problems, "\n"))
	}
}

func verifyDraft(sessions []*apiclient.Session, rec draftRec, id string, report func(string, ...any)) {
	s := sessions[rec.owner]
	d, err := s.Draft(id)
	if err != nil {
		report("draft %s (acknowledged v%d): %v — an acknowledged draft is lost", id, rec.version, err)
		return
	}
	switch {
	case d.Version < rec.version:
		report("draft %s: version %d, but v%d was acknowledged — an acknowledged save is lost", id, d.Version, rec.version)
	case d.Version == rec.version && rec.hash != "" && dataHash(d.Data) != rec.hash:
		report("draft %s v%d: the data differ from what was acknowledged", id, d.Version)
	}
	if rec.caseID == "" {
		return
	}
	if !d.Submitted {
		report("draft %s: submission %s (%s) was acknowledged but the draft is not marked submitted", id, rec.caseID, rec.ref)
	}
	c, err := s.Case(rec.caseID)
	if err != nil {
		report("case %s (%s) of draft %s: %v — an acknowledged submission is lost", rec.caseID, rec.ref, id, err)
		return
	}
	if c.Reference != rec.ref || c.ID != rec.caseID {
		report("case %s: reference %q, acknowledged %q", rec.caseID, c.Reference, rec.ref)
	}
	if len(c.Events) == 0 || c.Events[0].Type != "submitted" {
		report("case %s: no first event 'submitted' (%+v)", rec.caseID, c.Events)
	}
	again, err := s.Submit(id)
	if err != nil || again.ID != rec.caseID || again.Reference != rec.ref {
		report("draft %s: submitting again answered %+v, %v; want the same case %s %s", id, again, err, rec.caseID, rec.ref)
	}
}

// verifyUniqueReferences lists every demo resident's cases (acknowledged
// or not) and checks that no reference is used twice.
func verifyUniqueReferences(t *testing.T, base string, led *ledger) {
	t.Helper()
	hc := newHTTPClient(4)
	defer hc.CloseIdleConnections()
	byRef := map[string]string{}
	seen := map[string]bool{}
	refRE := regexp.MustCompile(`^[A-Z]+-\d{4}-\d{6}$`)
	for _, h := range demoResidents {
		s, err := apiclient.Login(hc, base, h)
		if err != nil {
			t.Fatal(err)
		}
		list, err := s.Cases()
		if err != nil {
			t.Fatalf("GET /cases as %s: %v", h, err)
		}
		for _, c := range list {
			if seen[c.ID] {
				continue
			}
			seen[c.ID] = true
			if !refRE.MatchString(c.Reference) {
				t.Errorf("case %s: reference %q is not like ESI-2026-000123", c.ID, c.Reference)
			}
			if other, dup := byRef[c.Reference]; dup {
				t.Errorf("reference %s is used by cases %s and %s", c.Reference, other, c.ID)
			}
			byRef[c.Reference] = c.ID
		}
	}
	_, submits, _ := led.counts()
	if len(seen) < submits {
		t.Errorf("the residents have %d cases, fewer than the %d acknowledged submissions", len(seen), submits)
	}
}

// ---- answers built from the form definition ----

type durForm struct {
	Service string `json:"service"`
	Version int    `json:"version"`
	Steps   []struct {
		ID     string     `json:"id"`
		Fields []durField `json:"fields"`
	} `json:"steps"`
}

type durField struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Required bool   `json:"required"`
	Options  []struct {
		Value string `json:"value"`
	} `json:"options"`
	ShowIf *struct {
		Field    string `json:"field"`
		Equals   any    `json:"equals"`
		In       []any  `json:"in"`
		NotEmpty bool   `json:"notEmpty"`
	} `json:"showIf"`
	MinLength int        `json:"minLength"`
	MaxLength int        `json:"maxLength"`
	Min       *float64   `json:"min"`
	Max       *float64   `json:"max"`
	Pattern   string     `json:"pattern"`
	Fields    []durField `json:"fields"`
	MinItems  int        `json:"minItems"`
	MaxItems  int        `json:"maxItems"`
	re        *regexp.Regexp
}

func fetchForm(t *testing.T, base string) *durForm {
	t.Helper()
	hc := newHTTPClient(1)
	defer hc.CloseIdleConnections()
	var f durForm
	if err := apiclient.Anonymous(hc, base).Form(durService, &f); err != nil {
		t.Fatalf("form of %s: %v", durService, err)
	}
	if err := f.prepare(); err != nil {
		t.Fatal(err)
	}
	return &f
}

func (f *durForm) prepare() error {
	var walk func(fs []durField) error
	walk = func(fs []durField) error {
		for i := range fs {
			fl := &fs[i]
			if fl.Pattern != "" {
				re, err := regexp.Compile(`^(?:` + fl.Pattern + `)$`)
				if err != nil {
					return fmt.Errorf("field %s: %v", fl.ID, err)
				}
				fl.re = re
			}
			if fl.Type == "file" && fl.Required {
				return fmt.Errorf("field %s: a required file field; the durability load does not upload", fl.ID)
			}
			if err := walk(fl.Fields); err != nil {
				return err
			}
		}
		return nil
	}
	for i := range f.Steps {
		if err := walk(f.Steps[i].Fields); err != nil {
			return err
		}
	}
	return nil
}

// answers returns a valid answer set (full) or a plausible part of one,
// with hidden fields left out so the stored draft equals what was sent.
func (f *durForm) answers(rng *rand.Rand, full bool) map[string]any {
	out := map[string]any{}
	for si := range f.Steps {
		fillFields(rng, f.Steps[si].Fields, out, out, full)
	}
	return out
}

func fillFields(rng *rand.Rand, fields []durField, scope, top map[string]any, full bool) {
	for i := range fields {
		fl := &fields[i]
		if fl.Type == "info" || fl.Type == "file" || !visibleIn(fl, scope, top) {
			continue
		}
		if !full && rng.IntN(4) == 0 {
			continue
		}
		if !fl.Required && rng.IntN(3) == 0 {
			continue
		}
		if v := valueFor(rng, fl, top, full); v != nil {
			scope[fl.ID] = v
		}
	}
}

func visibleIn(fl *durField, scope, top map[string]any) bool {
	c := fl.ShowIf
	if c == nil {
		return true
	}
	v, ok := scope[c.Field]
	if !ok {
		v = top[c.Field]
	}
	same := func(v, want any) bool {
		if list, ok := v.([]any); ok {
			for _, x := range list {
				if fmt.Sprint(x) == fmt.Sprint(want) {
					return true
				}
			}
			return false
		}
		return v != nil && fmt.Sprint(v) == fmt.Sprint(want)
	}
	switch {
	case c.NotEmpty:
		return v != nil && v != "" && v != false
	case c.Equals != nil:
		return same(v, c.Equals)
	}
	for _, w := range c.In {
		if same(v, w) {
			return true
		}
	}
	return false
}

var (
	firstNames = []string{"Aino", "Mikko", "Helmi", "Juhani", "Sven", "Maria", "Eero", "Liisa", "Onni", "Venla"}
	lastNames  = []string{"Virtanen", "Korhonen", "Lindqvist", "Nieminen", "Mäkinen", "Hämäläinen", "Laine", "Heikkinen"}
	words      = []string{"sulkapallo", "lentopallo", "salibandy", "koripallo", "jooga", "kuntopiiri", "seura", "harrastus",
		"vuoro", "sali", "joukkue", "ryhmä", "tiistai-ilta", "valmentaja", "nuoret", "aikuiset", "pallot", "verkko", "tolpat",
		"kevät", "syksy", "liikunta", "Esimerkkilä", "urheiluseura", "harjoitus", "ottelu", "turnaus", "pukuhuone"}
)

func sentence(rng *rand.Rand, maxRunes int) string {
	var b strings.Builder
	for {
		w := words[rng.IntN(len(words))]
		if utf8.RuneCountInString(b.String())+1+utf8.RuneCountInString(w)+1 > maxRunes {
			break
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String() + "."
}

func clampText(s string, fl *durField) string {
	if fl.MaxLength > 0 && utf8.RuneCountInString(s) > fl.MaxLength {
		s = string([]rune(s)[:fl.MaxLength])
	}
	for utf8.RuneCountInString(s) < fl.MinLength {
		s += " x"
	}
	return strings.TrimSpace(s)
}

func valueFor(rng *rand.Rand, fl *durField, top map[string]any, full bool) any {
	switch fl.Type {
	case "text":
		if fl.re != nil {
			cands := []string{fmt.Sprintf("%d.%02d", 7+rng.IntN(15), rng.IntN(4)*15), fmt.Sprintf("%d:%02d", 8+rng.IntN(12), rng.IntN(60)),
				"18.30", "A1", "1", "abc", "ABC-123"}
			for _, c := range cands {
				if fl.re.MatchString(c) && (fl.MaxLength == 0 || len(c) <= fl.MaxLength) {
					return c
				}
			}
			return nil // no candidate fits: the submit will say which field
		}
		id := strings.ToLower(fl.ID)
		switch {
		case strings.Contains(id, "first"):
			return clampText(firstNames[rng.IntN(len(firstNames))], fl)
		case strings.Contains(id, "last"):
			return clampText(lastNames[rng.IntN(len(lastNames))], fl)
		}
		return clampText(sentence(rng, 40), fl)
	case "time":
		return fmt.Sprintf("%02d:%02d", 7+rng.IntN(15), rng.IntN(4)*15) // as stored (HH:MM): the ledger compares what was sent
	case "textarea":
		n := 200
		if fl.MaxLength > 0 {
			n = min(fl.MaxLength, 480)
		}
		return clampText(sentence(rng, n)+fmt.Sprintf(" #%x", rng.Uint32()), fl)
	case "email":
		return fmt.Sprintf("%s.%d@example.fi", strings.ToLower(firstNames[rng.IntN(len(firstNames))]), rng.IntN(1000))
	case "phone":
		return fmt.Sprintf("040 %03d %04d", rng.IntN(1000), rng.IntN(10000))
	case "number":
		lo, hi := 1.0, 100.0
		if fl.Min != nil {
			lo = *fl.Min
		}
		if fl.Max != nil {
			hi = *fl.Max
		}
		return float64(int(lo) + rng.IntN(int(hi-lo)+1))
	case "money":
		return fmt.Sprintf("%d.%02d", 10+rng.IntN(500), rng.IntN(100))
	case "date":
		return time.Now().AddDate(0, 0, 7+rng.IntN(30)).Format("2006-01-02")
	case "select", "radio":
		if len(fl.Options) == 0 {
			return nil
		}
		return fl.Options[rng.IntN(len(fl.Options))].Value
	case "checkboxes":
		var vals []any
		for _, o := range fl.Options {
			if rng.IntN(2) == 0 {
				vals = append(vals, o.Value)
			}
		}
		if len(vals) == 0 && len(fl.Options) > 0 {
			vals = append(vals, fl.Options[0].Value)
		}
		return vals
	case "checkbox":
		return fl.Required || rng.IntN(2) == 0
	case "businessId":
		return businessID(rng)
	case "hetu":
		return "030392-974H"
	case "iban":
		return "FI2112345600000785"
	case "postalCode":
		return fmt.Sprintf("%05d", 100+rng.IntN(99000))
	case "group":
		n := max(fl.MinItems, 1) + rng.IntN(2)
		if fl.MaxItems > 0 {
			n = min(n, fl.MaxItems)
		}
		items := make([]any, n)
		for i := range items {
			item := map[string]any{}
			fillFields(rng, fl.Fields, item, top, full)
			items[i] = item
		}
		return items
	}
	return nil
}

// businessID makes a Y-tunnus with a correct check digit.
func businessID(rng *rand.Rand) string {
	weights := []int{7, 9, 10, 5, 8, 4, 2}
	for {
		d := fmt.Sprintf("%07d", 1000000+rng.IntN(8999999))
		sum := 0
		for i := range 7 {
			sum += int(d[i]-'0') * weights[i]
		}
		r := sum % 11
		switch r {
		case 0:
			return d + "-0"
		case 1:
			continue
		default:
			return d + "-" + strconv.Itoa(11-r)
		}
	}
}
