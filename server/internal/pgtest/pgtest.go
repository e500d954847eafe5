// Package pgtest gives tests a fresh, empty PostgreSQL schema to run the
// store on (the PostgreSQL half of the conformance suite, see
// server/store/storetest).
//
// The server is ASIOINTI_TEST_POSTGRES (a postgres:// URL), by default the
// local cluster through its socket in /var/run/postgresql as the current
// user (Debian: apt-get install postgresql; pg_ctlcluster 15 main start;
// runuser -u postgres -- createuser -s $USER). Each test gets its own
// empty schema in the database asiointi_test, dropped when the test ends
// or, with ReuseSchemas, emptied for the next test of the process:
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
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultServer is the local cluster's socket, as the current user.
const DefaultServer = "postgres:///postgres?host=/var/run/postgresql&sslmode=disable"

// Database is the database the test schemas are made in.
const Database = "asiointi_test"

// Selected reports whether ASIOINTI_TEST_STORE asks the tests to run on
// PostgreSQL (the CI's second pass).
func Selected() bool { return os.Getenv("ASIOINTI_TEST_STORE") == "postgres" }

var (
	mu           sync.Mutex
	byKey        = map[string]string{}
	ready        bool
	prepErr      error
	reuseVersion int      // ReuseSchemas; 0: every schema is dropped
	free         []string // emptied schemas for the next test

	adminMu sync.Mutex
	admin   *pgxpool.Pool
)

func server() string {
	if s := os.Getenv("ASIOINTI_TEST_POSTGRES"); s != "" {
		return s
	}
	return DefaultServer
}

// URL returns the URL of an empty schema for the test alone, dropped (or
// emptied for reuse) when it ends.
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
	schema, err := take()
	if err != nil {
		tb.Fatalf("create a test schema: %v", err)
	}
	tb.Cleanup(func() {
		mu.Lock()
		if key != "" {
			delete(byKey, key)
		}
		mu.Unlock()
		if err := release(schema); err != nil {
			tb.Errorf("drop the test schema %s: %v", schema, err)
		}
	})
	u := dbURL(Database, schema)
	if key != "" {
		byKey[key] = u
	}
	return u
}

// ReuseSchemas lets a test's schema, when the test ends, be emptied and
// handed to the next test of the process instead of dropped, provided it
// holds exactly the store's two tables at schema version v (a test that
// changed the schema, e.g. recorded a newer migration, leaves a schema
// that is dropped). Creating and dropping a schema with its table is
// most of a test's cost on PostgreSQL (DDL and connections: ~0.3 s per
// test on a loaded 2-core CI machine); storetest turns this on.
func ReuseSchemas(v int) {
	mu.Lock()
	reuseVersion = v
	mu.Unlock()
}

// take returns an emptied schema a finished test left, or a new one.
// The caller holds mu.
func take() (string, error) {
	if n := len(free); n > 0 {
		s := free[n-1]
		free = free[:n-1]
		return s, nil
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := adminConn(ctx)
	if err != nil {
		return "", err
	}
	// The comment dates the schema, so that a later run can drop what a
	// killed process left (prepare).
	_, err = c.Exec(ctx, "CREATE SCHEMA "+schema+"; COMMENT ON SCHEMA "+schema+" IS '"+strconv.FormatInt(time.Now().Unix(), 10)+"'")
	return schema, err
}

// release empties schema for the next test when it may be reused, and
// drops it otherwise.
func release(schema string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	mu.Lock()
	v := reuseVersion
	mu.Unlock()
	c, err := adminConn(ctx)
	if err != nil {
		return err
	}
	if v > 0 {
		var clean bool
		err := c.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM pg_class WHERE relnamespace = $1::regnamespace AND relkind IN ('r', 'p', 'v', 'm', 'S', 'f')) = 2
			AND (SELECT array_agg(version ORDER BY version)::int[] FROM `+schema+`.asiointi_migrations) = (SELECT array_agg(g)::int[] FROM generate_series(1, $2::int) g)`,
			schema, v).Scan(&clean)
		if err == nil && clean {
			if _, err := c.Exec(ctx, "DELETE FROM "+schema+".kv"); err == nil {
				mu.Lock()
				free = append(free, schema)
				mu.Unlock()
				return nil
			}
		}
	}
	_, err = c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
	return err
}

// adminConn is the process's one connection for making, emptying and
// dropping schemas (a connection per call cost more than the DDL).
func adminConn(ctx context.Context) (*pgxpool.Pool, error) {
	adminMu.Lock()
	defer adminMu.Unlock()
	if admin != nil {
		return admin, nil
	}
	cfg, err := pgxpool.ParseConfig(dbURL(Database, ""))
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = 2
	p, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	admin = p
	return admin, nil
}

// prepare makes the test database when it is missing, and drops the
// test schemas older than a day (what killed test processes left: a
// finished process leaves its emptied schemas for the next run).
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
	if err != nil {
		return err
	}
	c, err := adminConn(ctx)
	if err != nil {
		return err
	}
	rows, err := c.Query(ctx, `SELECT nspname FROM pg_namespace
		WHERE nspname ~ '^t_[0-9a-f]{12}$' AND coalesce(obj_description(oid, 'pg_namespace'), '0') ~ '^[0-9]+$'
		AND obj_description(oid, 'pg_namespace')::bigint < $1`, time.Now().Add(-24*time.Hour).Unix())
	if err != nil {
		return err
	}
	old, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, s := range old {
		c.Exec(ctx, "DROP SCHEMA IF EXISTS "+s+" CASCADE") // another process may drop it first
	}
	return nil
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
