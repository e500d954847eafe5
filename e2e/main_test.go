package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var (
	// repoRoot is the repository root (where go.mod says "module asiointi").
	repoRoot string
	// serverBin is the server binary, built once for the whole package.
	serverBin string
	// artifactsDir receives screenshots and server logs (gitignored).
	artifactsDir string
)

// e2eOff reports whether the end-to-end tests are switched off with
// ASIOINTI_E2E=off (a local shortcut; CI never sets it).
func e2eOff() bool { return strings.EqualFold(os.Getenv("ASIOINTI_E2E"), "off") }

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	if e2eOff() {
		fmt.Println("e2e: ASIOINTI_E2E=off: the end-to-end tests are skipped")
		return m.Run()
	}
	root, err := findRepoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	repoRoot = root
	artifactsDir = filepath.Join(root, "e2e", "artifacts")
	if err := os.MkdirAll(artifactsDir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	tmp, err := os.MkdirTemp("", "asiointi-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	serverBin = filepath.Join(tmp, "asiointi")
	start := time.Now()
	build := exec.Command("go", "build", "-o", serverBin, "./server")
	build.Dir = root
	var out bytes.Buffer
	build.Stdout, build.Stderr = &out, &out
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go build ./server failed: %v\n%s", err, out.String())
		return 1
	}
	fmt.Printf("e2e: built the server in %s\n", time.Since(start).Round(time.Millisecond))
	return m.Run()
}

// findRepoRoot walks up from the working directory (the package directory
// under go test) to the go.mod of module asiointi.
func findRepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.Contains(b, []byte("module asiointi\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("cannot find the repository root (a go.mod of module asiointi) above the working directory")
		}
		dir = parent
	}
}

// requireE2E skips the test when the end-to-end tests are switched off.
func requireE2E(t testing.TB) {
	t.Helper()
	if e2eOff() {
		t.Skip("ASIOINTI_E2E=off")
	}
}

// chromiumPath is env CHROMIUM or Debian's /usr/bin/chromium.
func chromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

// requireChromium fails the test (it does not skip) when there is no
// Chromium to drive.
func requireChromium(t testing.TB) string {
	t.Helper()
	p := chromiumPath()
	if fi, err := os.Stat(p); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
		t.Fatalf("Chromium not found at %s: install it (Debian: apt-get install -y --no-install-recommends chromium fonts-dejavu-core), "+
			"point env CHROMIUM at a Chromium binary, or set ASIOINTI_E2E=off to skip the end-to-end tests", p)
	}
	return p
}

// nodeModule returns the path of a file inside node_modules and fails the
// test, saying what to install, when it is missing.
func nodeModule(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(repoRoot, "node_modules", filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s is missing: run `npm ci --ignore-scripts` in the repository root (needs Node.js 18 or newer and npm), "+
			"or set ASIOINTI_E2E=off to skip the end-to-end tests", p)
	}
	return p
}

// requireCommand fails the test when a program is not on PATH.
func requireCommand(t testing.TB, name, install string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found on PATH: %s, or set ASIOINTI_E2E=off to skip the end-to-end tests", name, install)
	}
	return p
}

// artifactPath is a file name in e2e/artifacts/ for this test.
func artifactPath(t testing.TB, name string) string {
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			switch {
			case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
				return r
			}
			return '_'
		}, s)
	}
	return filepath.Join(artifactsDir, clean(t.Name())+"-"+clean(name))
}
