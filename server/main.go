// Command asiointi runs the municipal e-services platform.
//
//	asiointi                 serve (configuration from the environment)
//	asiointi backup FILE     write a consistent copy of the database
//	asiointi check           check the database's integrity
//	asiointi import-municipality FILE  load the installation's municipality
package main

import (
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"syscall"
	"time"

	"asiointi/server/app"
	"asiointi/server/config"
	"asiointi/server/forms"
	"asiointi/server/identity"
	"asiointi/server/store"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	cmd := ""
	if len(args) > 0 {
		cmd = args[0]
	}
	// Only serving needs the whole configuration; the operator commands
	// need just the data directory, whatever the mode.
	cfg, err := config.Load(os.Getenv)
	if cmd == "" || cmd == "serve" {
		if err != nil {
			fmt.Fprintf(stderr, "asiointi: configuration is not valid:\n%s\n", indent(err.Error()))
			return 2
		}
	} else {
		cfg.DataDir = "./data"
		if v := os.Getenv("ASIOINTI_DATA"); v != "" {
			cfg.DataDir = v
		}
	}
	switch cmd {
	case "", "serve":
		return serve(cfg, stderr)
	case "backup":
		if len(args) != 2 {
			fmt.Fprintln(stderr, "usage: asiointi backup FILE")
			return 2
		}
		return backup(cfg, args[1], stdout, stderr)
	case "check":
		return check(cfg, stdout, stderr)
	case "compact":
		return compact(cfg, stdout, stderr)
	case "import-form", "validate-form":
		if len(args) != 2 {
			fmt.Fprintf(stderr, "usage: asiointi %s FILE\n", cmd)
			return 2
		}
		return importForm(cfg, cmd == "validate-form", args[1], stdout, stderr)
	case "audit":
		if len(args) != 2 || args[1] != "verify" {
			fmt.Fprintln(stderr, "usage: asiointi audit verify")
			return 2
		}
		return auditVerify(cfg, stdout, stderr)
	case "import-statement":
		if len(args) != 2 {
			fmt.Fprintln(stderr, "usage: asiointi import-statement FILE")
			return 2
		}
		return importFile(cfg, args[1], app.ImportStatement, stdout, stderr)
	case "import-municipality":
		if len(args) != 2 {
			fmt.Fprintln(stderr, "usage: asiointi import-municipality FILE")
			return 2
		}
		// The logo file it names travels inside it (to a running server too).
		dir := filepath.Dir(args[1])
		return importFile(cfg, args[1], func(dataDir string, raw []byte) (string, error) {
			raw, err := identity.InlineLogo(raw, dir)
			if err != nil {
				return "", err
			}
			return app.ImportMunicipality(dataDir, raw)
		}, stdout, stderr)
	case "migrate":
		if len(args) != 3 || args[1] != "--to" {
			fmt.Fprintln(stderr, "usage: asiointi migrate --to postgres://…|DIRECTORY")
			return 2
		}
		return migrate(cfg, args[2], stdout, stderr)
	case "demo-history":
		n := 20000
		if len(args) == 2 {
			if v, err := strconv.Atoi(args[1]); err == nil && v > 0 {
				n = v
			} else {
				fmt.Fprintln(stderr, "usage: asiointi demo-history [CASES]")
				return 2
			}
		}
		out, err := app.DemoHistory(cfg.DataDir, n)
		if err != nil {
			fmt.Fprintf(stderr, "asiointi: demo history: %v\n", err)
			return 1
		}
		fmt.Fprintln(stdout, "wrote", out)
		return 0
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, "usage: asiointi [serve | backup FILE | check | compact | validate-form FILE | import-form FILE | import-statement FILE | import-municipality FILE | audit verify | demo-history [CASES] | migrate --to postgres://…|DIRECTORY]")
		return 0
	default:
		fmt.Fprintf(stderr, "asiointi: unknown command %q (serve, backup FILE, check, compact, validate-form FILE, import-form FILE, import-statement FILE, import-municipality FILE, audit verify, demo-history [CASES], migrate --to postgres://…|DIRECTORY)\n", cmd)
		return 2
	}
}

func indent(s string) string {
	out := "  - "
	for _, r := range s {
		out += string(r)
		if r == '\n' {
			out += "  - "
		}
	}
	return out
}

func serve(cfg config.Config, stderr io.Writer) int {
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		// The live heap is small (tens of MB) and short-lived garbage
		// dominates: collect when the heap reaches a soft limit instead of
		// every few hundred milliseconds. Each collection costs the same
		// (it marks the live heap), so fewer of them means less CPU and no
		// latency spikes from a collector taking one of two cores three
		// times a second. GOGC or GOMEMLIMIT in the environment win.
		// The limit follows the machine (memlimit.go).
		debug.SetGCPercent(-1)
		debug.SetMemoryLimit(defaultMemoryLimit())
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	start := time.Now()
	m := &app.Main{Config: cfg, Log: log}
	if err := m.Open(); err != nil {
		log.Error("start failed", "err", err.Error())
		m.Close()
		return 1
	}
	if err := m.Run(); err != nil {
		log.Error("start failed", "err", err.Error())
		m.Close()
		return 1
	}
	log.Info("started", "ms", time.Since(start).Milliseconds())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	log.Info("shutting down")
	if err := m.Close(); err != nil {
		log.Error("shutdown", "err", err.Error())
		return 1
	}
	log.Info("stopped")
	return 0
}

// backup copies the database consistently, also while the server runs
// (through its admin socket).
func backup(cfg config.Config, path string, stdout, stderr io.Writer) int {
	n, err := app.Backup(cfg.DataDir, path)
	if err != nil {
		fmt.Fprintf(stderr, "asiointi backup: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "backup written to %s (%d bytes)\n", path, n)
	return 0
}

func check(cfg config.Config, stdout, stderr io.Writer) int {
	path, problems, err := app.Check(cfg.DataDir)
	if err != nil {
		fmt.Fprintf(stderr, "asiointi check: %v\n", err)
		return 1
	}
	for _, p := range problems {
		fmt.Fprintf(stderr, "problem: %s\n", p)
	}
	if len(problems) > 0 {
		fmt.Fprintf(stderr, "asiointi check: %d problem(s) in %s\n", len(problems), path)
		return 1
	}
	fmt.Fprintf(stdout, "ok: %s\n", path)
	return 0
}

// migrate copies the stopped store into a new one (PostgreSQL, or a bbolt
// file in a directory) and verifies the copy.
func migrate(cfg config.Config, to string, stdout, stderr io.Writer) int {
	res, err := app.Migrate(cfg.DataDir, to)
	if err != nil {
		fmt.Fprintf(stderr, "asiointi migrate: %v\n", err)
		return 1
	}
	where := to
	if store.IsPostgresURL(to) {
		if u, perr := url.Parse(to); perr == nil {
			where = u.Redacted()
		}
	}
	fmt.Fprintf(stdout, "copied and verified %d records in %d buckets into %s\n", res.Keys, len(res.Buckets), where)
	return 0
}

// compact rewrites the stopped server's database with full pages (see
// store.Compact), keeping the file as it was.
func compact(cfg config.Config, stdout, stderr io.Writer) int {
	if store.IsPostgresURL(os.Getenv("ASIOINTI_STORE")) {
		fmt.Fprintln(stderr, "asiointi compact: the store is in PostgreSQL, which reclaims space itself (autovacuum); there is no file to compact")
		return 1
	}
	res, err := store.Compact(cfg.DataDir, time.Now())
	if err != nil {
		fmt.Fprintf(stderr, "asiointi compact: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "compacted: %.1f MB → %.1f MB; the file as it was is %s (delete it once the server runs well)\n",
		float64(res.Before)/1e6, float64(res.After)/1e6, res.Kept)
	return 0
}

// importForm validates a form definition file and, unless only
// validating, stores it as its service's newest version.
// auditVerify checks the access log's hash chain: exit 0 when it holds,
// 1 naming the first broken link.
func auditVerify(cfg config.Config, stdout, stderr io.Writer) int {
	n, err := app.AuditVerify(cfg.DataDir)
	if err != nil {
		fmt.Fprintf(stderr, "the access log does not verify after %d entries:\n%v\n", n, err)
		return 1
	}
	fmt.Fprintf(stdout, "ok: the access log's %d entries form an unbroken chain\n", n)
	return 0
}

// importFile imports FILE with imp: the accessibility statement
// (app.ImportStatement: publish.Statement as JSON; the default is
// server/publish/statement.json) or the municipality
// (app.ImportMunicipality; an example is deploy/municipality.example.json).
func importFile(cfg config.Config, path string, imp func(dataDir string, raw []byte) (string, error), stdout, stderr io.Writer) int {
	raw, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(stderr, "asiointi: %v\n", err)
		return 1
	}
	what, err := imp(cfg.DataDir, raw)
	if err != nil {
		fmt.Fprintf(stderr, "%s was not imported:\n%v\n", path, err)
		return 1
	}
	fmt.Fprintf(stdout, "imported %s\n", what)
	return 0
}

func importForm(cfg config.Config, validateOnly bool, path string, stdout, stderr io.Writer) int {
	raw, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(stderr, "asiointi: %v\n", err)
		return 1
	}
	if validateOnly {
		d, err := forms.Parse(raw)
		if err != nil {
			fmt.Fprintf(stderr, "%s is not a valid form definition:\n%v\n", path, err)
			return 1
		}
		fmt.Fprintf(stdout, "ok: %s version %d\n", d.Service, d.Version)
		return 0
	}
	what, err := app.ImportForm(cfg.DataDir, raw)
	if err != nil {
		fmt.Fprintf(stderr, "%s was not imported:\n%v\n", path, err)
		return 1
	}
	fmt.Fprintf(stdout, "imported %s\n", what)
	return 0
}
