package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"
)

// lighthouseMin are the lowest category scores (0–100) the issue allows.
var lighthouseMin = map[string]float64{
	"performance":    95,
	"accessibility":  95,
	"best-practices": 90,
	"seo":            90,
}

var lighthouseOrder = []string{"performance", "accessibility", "best-practices", "seo"}

// lighthousePages are audited with Lighthouse's mobile preset (Lighthouse 12
// from node_modules, Debian's Chromium). Add key pages of new features here.
var lighthousePages = []struct{ Name, Path string }{
	{"front-fi", "/fi/"},
	{"login-fi", "/fi/login"},
	{"test-login-fi", "/auth/test-login?lang=fi"},
}

// chromiumFlags are the flags of every Chromium the tests start, also
// Lighthouse's (closed network, running as root).
var chromiumFlags = []string{
	"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync",
}

type lhReport struct {
	LighthouseVersion string `json:"lighthouseVersion"`
	RuntimeError      *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"runtimeError"`
	RunWarnings []string `json:"runWarnings"`
	Categories  map[string]struct {
		Score     *float64 `json:"score"`
		AuditRefs []struct {
			ID     string  `json:"id"`
			Weight float64 `json:"weight"`
		} `json:"auditRefs"`
	} `json:"categories"`
	Audits map[string]struct {
		Title            string   `json:"title"`
		Score            *float64 `json:"score"`
		ScoreDisplayMode string   `json:"scoreDisplayMode"`
		DisplayValue     string   `json:"displayValue"`
	} `json:"audits"`
}

// score is a category's score as 0–100, or -1 when Lighthouse gave none.
func (r *lhReport) score(cat string) float64 {
	c, ok := r.Categories[cat]
	if !ok || c.Score == nil {
		return -1
	}
	return math.Round(*c.Score * 100)
}

// failing lists the audits that cost a category points, heaviest first.
func (r *lhReport) failing(cat string) []string {
	type f struct {
		w float64
		s string
	}
	var fs []f
	for _, ref := range r.Categories[cat].AuditRefs {
		a, ok := r.Audits[ref.ID]
		if !ok || a.Score == nil || *a.Score >= 1 || (ref.Weight == 0 && a.ScoreDisplayMode != "metric") {
			continue
		}
		s := fmt.Sprintf("%s (score %.2f, weight %g): %s", ref.ID, *a.Score, ref.Weight, a.Title)
		if a.DisplayValue != "" {
			s += " — " + a.DisplayValue
		}
		fs = append(fs, f{ref.Weight, s})
	}
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].w > fs[j].w })
	out := make([]string, len(fs))
	for i := range fs {
		out[i] = fs[i].s
	}
	return out
}

// TestLighthouse runs Lighthouse (mobile, the default form factor) on the
// key pages one after another and holds them to the minimum scores.
// Performance is measured on a shared 2-core machine, so a page whose
// performance is below the bar (or whose run failed) is measured again, at
// most 3 runs, and its best run counts; the other categories do not depend
// on timing.
func TestLighthouse(t *testing.T) {
	srv := startServer(t)
	requireChromium(t)
	node := requireCommand(t, "node", "install Node.js 18 or newer (Debian: apt-get install -y nodejs npm)")
	cli := nodeModule(t, "lighthouse/cli/index.js")

	var summary []string
	for _, p := range lighthousePages {
		var reps []*lhReport
		// bestFor is the run with the highest score in cat.
		bestFor := func(cat string) *lhReport {
			var b *lhReport
			for _, r := range reps {
				if b == nil || r.score(cat) > b.score(cat) {
					b = r
				}
			}
			return b
		}
		passes := func() bool {
			for _, cat := range lighthouseOrder {
				if bestFor(cat).score(cat) < lighthouseMin[cat] {
					return false
				}
			}
			return true
		}
		for attempt := 1; attempt <= 3; attempt++ {
			rep, err := runLighthouse(t, node, cli, srv.URL+p.Path, artifactPath(t, fmt.Sprintf("%s-%d.json", p.Name, attempt)))
			if err != nil {
				t.Logf("%s: run %d: %v", p.Name, attempt, err)
				continue
			}
			reps = append(reps, rep)
			// Only performance depends on timing: measuring again cannot
			// change the other categories.
			if passes() || bestFor("performance").score("performance") >= lighthouseMin["performance"] {
				break
			}
			if attempt < 3 {
				t.Logf("%s: run %d below the bar, measuring again", p.Name, attempt)
			}
		}
		if len(reps) == 0 {
			t.Errorf("%s: Lighthouse produced no report in 3 runs", p.Name)
			continue
		}
		var line []string
		for _, cat := range lighthouseOrder {
			b := bestFor(cat)
			s := b.score(cat)
			line = append(line, fmt.Sprintf("%s %.0f", cat, s))
			if s < lighthouseMin[cat] {
				t.Errorf("%s (%s): Lighthouse %s score %.0f < %.0f; audits losing points:\n    %s",
					p.Name, p.Path, cat, s, lighthouseMin[cat], strings.Join(b.failing(cat), "\n    "))
			} else if f := b.failing(cat); len(f) > 0 && cat != "performance" {
				t.Logf("%s: %s audits not passing (score still %.0f):\n    %s", p.Name, cat, s, strings.Join(f, "\n    "))
			}
		}
		summary = append(summary, fmt.Sprintf("%-14s %s (%d run(s))", p.Name, strings.Join(line, ", "), len(reps)))
	}
	t.Logf("Lighthouse scores (mobile):\n  %s", strings.Join(summary, "\n  "))
}

// runLighthouse runs the Lighthouse CLI once and reads its JSON report (kept
// in e2e/artifacts/). A runtime error (e.g. NO_NAVSTART, a known flake of a
// first trace) or a missing category score is returned as an error.
func runLighthouse(t testing.TB, node, cli, url, out string) (*lhReport, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, cli, url,
		"--output=json", "--output-path="+out,
		"--chrome-path="+chromiumPath(),
		"--chrome-flags="+strings.Join(chromiumFlags, " "),
		"--only-categories=performance,accessibility,best-practices,seo",
		"--form-factor=mobile",
		"--quiet",
	)
	cmd.Dir = repoRoot
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("lighthouse %s: %v\n%s", url, err, tail(stderr.String(), 2000))
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return nil, err
	}
	var rep lhReport
	if err := json.Unmarshal(b, &rep); err != nil {
		return nil, fmt.Errorf("read the Lighthouse report: %v", err)
	}
	var scores []string
	for _, cat := range lighthouseOrder {
		scores = append(scores, fmt.Sprintf("%s %.0f", cat, rep.score(cat)))
	}
	t.Logf("lighthouse %s %s: %s (%s)", rep.LighthouseVersion, url, strings.Join(scores, ", "), time.Since(start).Round(time.Millisecond))
	if rep.RuntimeError != nil && rep.RuntimeError.Code != "" {
		return &rep, fmt.Errorf("lighthouse runtime error %s: %s", rep.RuntimeError.Code, rep.RuntimeError.Message)
	}
	for _, cat := range lighthouseOrder {
		if rep.score(cat) < 0 {
			return &rep, fmt.Errorf("lighthouse gave no %s score (warnings: %v)", cat, rep.RunWarnings)
		}
	}
	return &rep, nil
}
