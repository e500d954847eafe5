// Package pgtest gives tests a fresh, empty PostgreSQL schema to run the
// store on (the PostgreSQL half of the conformance suite, see
// server/store/storetest).
//
// The server is ASIOINTI_TEST_POSTGRES (a postgres:// URL), by default the
// local cluster through its socket in /var/run/postgresql as the current
// user (Debian: apt-get install postgresql; pg_ctlcluster 15 main start;
// runuser -u postgres -- createuser -s $USER). Each test gets its own
// schema in the database asiointi_test, dropped when the test ends:
// creating a schema takes milliseconds where a database takes a second.
// ASIOINTI_TEST_POSTGRES=off skips the PostgreSQL tests; without it and
// without a reachable server they fail, saying what to install (as the
// browser tests fail without Chromium unless ASIOINTI_E2E=off).
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// DefaultServer is the local cluster's socket, as the current user.
const DefaultServer = "postgres:///postgres?host=/var/run/postgresql&sslmode=disable"

// Database is the database the test schemas are made in.
const Database = "asiointi_test"

// Selected reports whether ASIOINTI_TEST_STORE asks the tests to run on
// PostgreSQL (the CI's second pass).
func Selected() bool { return os.Getenv("ASIOINTI_TEST_STORE") == "postgres" }

var (
	mu      sync.Mutex
	byKey   = map[string]string{}
	ready   bool
	prepErr error
)

func server() string {
	if s := os.Getenv("ASIOINTI_TEST_POSTGRES"); s != "" {
		return s
	}
	return DefaultServer
}

// URL returns the URL of a fresh schema for the test, dropped when it ends.
func URL(tb testing.TB) string {
	tb.Helper()
	return URLFor(tb, "")
}

// URLFor is URL for a key: the same key (a data directory a test opens
// again, as a restarted server would) gives the same schema within the
// process; "" always a new one.
func URLFor(tb testing.TB, key string) string {
	tb.Helper()
	if os.Getenv("ASIOINTI_TEST_POSTGRES") == "off" {
		tb.Skip("ASIOINTI_TEST_POSTGRES=off: the PostgreSQL tests are skipped")
	}
	mu.Lock()
	defer mu.Unlock()
	if u, ok := byKey[key]; ok && key != "" {
		return u
	}
	if !ready && prepErr == nil {
		prepErr = prepare()
		ready = prepErr == nil
	}
	if prepErr != nil {
		msg := fmt.Sprintf("no PostgreSQL for the tests at %s: %v\n"+
			"Install and start one (Debian: apt-get install postgresql; pg_ctlcluster --skip-systemctl-redirect 15 main start; "+
			"runuser -u postgres -- createuser -s $USER), or point ASIOINTI_TEST_POSTGRES at one (a postgres:// URL whose user may create schemas), "+
			"or set ASIOINTI_TEST_POSTGRES=off to skip these tests", redacted(server()), prepErr)
		tb.Fatal(msg)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := exec(ctx, dbURL(Database, ""), "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("create a test schema: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := exec(ctx, dbURL(Database, ""), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop the test schema %s: %v", schema, err)
		}
	})
	u := dbURL(Database, schema)
	if key != "" {
		byKey[key] = u
	}
	return u
}

// prepare makes the test database when it is missing.
func prepare() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := url.Parse(server()); err != nil {
		return err
	}
	err := exec(ctx, server(), "CREATE DATABASE "+Database)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == "42P04" || pe.Code == "23505") { // exists (or another process made it just now)
		err = nil
	}
	return err
}

// dbURL is the server's URL for database db, with schema first on the
// search path and a small pool (many tests run at once), and commits
// that do not wait for the disk.
func dbURL(db, schema string) string {
	u, _ := url.Parse(server())
	u.Path = "/" + db
	q := u.Query()
	if schema != "" {
		q.Set("search_path", schema)
		q.Set("pool_max_conns", "4")
	}
	// A test's data need not survive a crash of the server: commits do
	// not wait for the disk (which made each test's schema take ~0.5 s).
	q.Set("synchronous_commit", "off")
	u.RawQuery = q.Encode()
	return u.String()
}

func exec(ctx context.Context, connURL, sql string) error {
	c, err := pgx.Connect(ctx, connURL)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	_, err = c.Exec(ctx, sql)
	return err
}

func redacted(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// Dump returns every key and value stored in the schema URLFor gave for
// key (for tests that look for what must never be stored, as they read
// the bbolt file).
func Dump(tb testing.TB, key string) []byte {
	tb.Helper()
	mu.Lock()
	u, ok := byKey[key]
	mu.Unlock()
	if !ok {
		tb.Fatalf("pgtest: no schema for %q", key)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, strings.Replace(u, "pool_max_conns=4&", "", 1)) // a pool's setting
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close(ctx)
	rows, err := c.Query(ctx, `SELECT key || '\x00'::bytea || value FROM kv ORDER BY bucket, key`)
	if err != nil {
		tb.Fatal(err)
	}
	recs, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		tb.Fatal(err)
	}
	var out []byte
	for _, r := range recs {
		out = append(append(out, r...), '\n')
	}
	return out
}
