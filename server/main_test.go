package main

import (
	"asiointi/server/audit"
	"asiointi/server/store"
	"bytes"
	bolt "go.etcd.io/bbolt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"asiointi/server/app"
	"asiointi/server/config"
	"asiointi/server/internal/pgtest"
	"asiointi/server/publish"
)

// seededStore creates and seeds a store as a server would, stops it, and
// points ASIOINTI_DATA at it for the operator commands.
func seededStore(t *testing.T) (string, config.Config) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("ASIOINTI_DATA", dir)
	cfg, err := config.Load(func(k string) string { return map[string]string{"ASIOINTI_DATA": dir}[k] })
	if err != nil {
		t.Fatal(err)
	}
	m := &app.Main{Config: cfg}
	if err := m.Open(); err != nil {
		t.Fatal(err)
	}
	m.Close()
	return dir, cfg
}

// TestOperatorCommands runs the subcommands against a stopped store.
func TestOperatorCommands(t *testing.T) {
	dir, cfg := seededStore(t)

	def, err := os.ReadFile("forms/definitions/sports-shift.json")
	if err != nil {
		t.Fatal(err)
	}
	next := filepath.Join(dir, "next.json")
	os.WriteFile(next, bytes.Replace(def, []byte(`"version": 1`), []byte(`"version": 7`), 1), 0o600)
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, bytes.Replace(def, []byte(`"legalBasis"`), []byte(`"legalBasisX"`), 1), 0o600)
	backup := filepath.Join(dir, "copy.db")
	stmt, err := os.ReadFile("publish/statement.json")
	if err != nil {
		t.Fatal(err)
	}
	newStmt := filepath.Join(dir, "statement.json")
	os.WriteFile(newStmt, bytes.Replace(stmt, []byte(`"assessedOn": "2026-11-26"`), []byte(`"assessedOn": "2027-02-01"`), 1), 0o600)
	badStmt := filepath.Join(dir, "bad-statement.json")
	os.WriteFile(badStmt, bytes.Replace(stmt, []byte(`"partial"`), []byte(`"mostly"`), 1), 0o600)

	for _, tc := range []struct {
		args     []string
		code     int
		stdout   string
		stderr   string
		readback func(t *testing.T)
	}{
		{args: []string{"check"}, code: 0, stdout: "ok:"},
		{args: []string{"backup", backup}, code: 0, stdout: "backup written"},
		{args: []string{"validate-form", next}, code: 0, stdout: "ok: sports-shift version 7"},
		{args: []string{"validate-form", bad}, code: 1, stderr: "legalBasisX"},
		{args: []string{"import-form", bad}, code: 1, stderr: "was not imported"},
		{args: []string{"import-form", next}, code: 0, stdout: "imported sports-shift version 7"},
		{args: []string{"import-form", next}, code: 1, stderr: "must be higher"},
		{args: []string{"import-statement", badStmt}, code: 1, stderr: "conformance must be"},
		{args: []string{"import-statement", newStmt}, code: 0, stdout: "imported the accessibility statement of esimerkkila"},
		{args: []string{"import-municipality", "../deploy/municipality.example.json"}, code: 1, stderr: `this installation serves "esimerkkila"`},
		{args: []string{"import-municipality"}, code: 2, stderr: "usage"},
		{args: []string{"audit", "verify"}, code: 0, stdout: "ok: the access log's 0 entries"},
		{args: []string{"audit"}, code: 2, stderr: "usage"},
		{args: []string{"demo-history", "many"}, code: 2, stderr: "usage"},
		{args: []string{"demo-history", "30"}, code: 0, stdout: "wrote 30 made-up cases"},
		{args: []string{"nonsense"}, code: 2, stderr: "unknown command"},
		{args: []string{"backup"}, code: 2, stderr: "usage"},
	} {
		var out, errb bytes.Buffer
		code := run(tc.args, &out, &errb)
		if code != tc.code || !strings.Contains(out.String(), tc.stdout) || !strings.Contains(errb.String(), tc.stderr) {
			t.Errorf("%v: code %d stdout %q stderr %q", tc.args, code, out.String(), errb.String())
		}
	}
	// The backup is a database that checks clean.
	copyDir := t.TempDir()
	raw, _ := os.ReadFile(backup)
	os.WriteFile(filepath.Join(copyDir, "asiointi.db"), raw, 0o600)
	t.Setenv("ASIOINTI_DATA", copyDir)
	var out, errb bytes.Buffer
	if code := run([]string{"check"}, &out, &errb); code != 0 {
		t.Errorf("backup copy does not check clean: %s", errb.String())
	}
	// The imported version is what a restarted server uses.
	m := &app.Main{Config: cfg}
	if err := m.Open(); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if d, _ := m.Cases.Forms.Latest("sports-shift"); d.Version != 7 {
		t.Errorf("latest sports-shift form is v%d after import", d.Version)
	}
	if st, err := (&publish.Statements{Store: m.Store}).Get("esimerkkila"); err != nil || st.AssessedOn != "2027-02-01" {
		t.Errorf("the imported statement: %s %v", st.AssessedOn, err)
	}
}

func TestBadConfigRefusesToServe(t *testing.T) {
	t.Setenv("ASIOINTI_MODE", "production")
	var out, errb bytes.Buffer
	if code := run(nil, &out, &errb); code != 2 || !strings.Contains(errb.String(), "ASIOINTI_IDP") {
		t.Errorf("production without settings: code %d, %q", code, errb.String())
	}
	// One line for each missing setting.
	for _, want := range []string{"ASIOINTI_BASE_URL", "ASIOINTI_IDP", "ASIOINTI_STAFF_OIDC_ISSUER", "ASIOINTI_SMTP_URL"} {
		n := 0
		for _, line := range strings.Split(errb.String(), "\n") {
			if strings.HasPrefix(line, "  - production mode needs "+want) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s on %d lines of %q, want 1", want, n, errb.String())
		}
	}
}

// `asiointi audit verify` names the first broken link of a tampered log.
func TestAuditVerifyCommand(t *testing.T) {
	dir, _ := seededStore(t)
	t.Setenv("ASIOINTI_DATA", dir)
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		st.Update(func(tx *store.Tx) error {
			return audit.RecordAccess(tx, time.Now(), audit.Access{Actor: audit.Actor{ID: "kaisa"}, Subject: "aino", Kind: audit.KindCase, Purpose: audit.PurposeHandling})
		})
	}
	st.Close()
	var out, errb bytes.Buffer
	if code := run([]string{"audit", "verify"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "3 entries") {
		t.Fatalf("intact: %d %q %q", code, out.String(), errb.String())
	}
	db, err := bolt.Open(filepath.Join(dir, store.FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(store.AccessLog))
		k, v := b.Cursor().Seek([]byte("0000000000000002"))
		return b.Put(k, bytes.Replace(v, []byte(`"aino"`), []byte(`"maria"`), 1))
	})
	db.Close()
	out.Reset()
	errb.Reset()
	if code := run([]string{"audit", "verify"}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "entry 2") {
		t.Errorf("tampered: %d %q", code, errb.String())
	}
}

// `asiointi migrate --to postgres://…` copies the stopped bbolt store into
// PostgreSQL and verifies it; the server then runs on PostgreSQL
// (ASIOINTI_STORE) and `check` finds it clean; `migrate --to DIR` copies
// it back into a new bbolt file; a second copy into the same database is
// refused.
func TestMigrateCommand(t *testing.T) {
	seededStore(t)
	pg := pgtest.URL(t)
	var out, errb bytes.Buffer
	if code := run([]string{"migrate", "--to", pg}, &out, &errb); code != 0 || !strings.Contains(out.String(), "copied and verified") {
		t.Fatalf("migrate to PostgreSQL: code %d %q %q", code, out.String(), errb.String())
	}
	out.Reset()
	errb.Reset()
	if code := run([]string{"migrate", "--to", pg}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "holds data already") {
		t.Errorf("second migrate: code %d %q", code, errb.String())
	}
	t.Setenv("ASIOINTI_STORE", pg)
	errb.Reset()
	if code := run([]string{"check"}, &out, &errb); code != 0 {
		t.Errorf("check on PostgreSQL: %s", errb.String())
	}
	back := filepath.Join(t.TempDir(), "back")
	out.Reset()
	if code := run([]string{"migrate", "--to", back}, &out, &errb); code != 0 {
		t.Fatalf("migrate back: %q", errb.String())
	}
	t.Setenv("ASIOINTI_STORE", "")
	t.Setenv("ASIOINTI_DATA", back)
	errb.Reset()
	if code := run([]string{"check"}, &out, &errb); code != 0 {
		t.Errorf("the bbolt copy does not check clean: %s", errb.String())
	}
}
