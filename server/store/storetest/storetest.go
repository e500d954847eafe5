// Package storetest opens the store a test runs on: the bbolt file in
// the test's directory, or, when ASIOINTI_TEST_STORE=postgres (CI's
// second pass), a fresh PostgreSQL schema (server/internal/pgtest). The
// store and domain tests open their stores here, so that one suite runs
// on both backends.
package storetest

import (
	"os"
	"path/filepath"
	"testing"

	"asiointi/server/internal/pgtest"
	"asiointi/server/store"
)

// The schemas of finished tests are emptied and reused (pgtest.ReuseSchemas)
// unless a test changed them.
func init() { pgtest.ReuseSchemas(store.PostgresSchemaVersion()) }

// Open is store.Open(dir, opt) on the backend the run selects. On
// PostgreSQL, opening the same dir again in the process opens the same
// schema (a restart keeps the data), dropped when the test that first
// opened it ends.
func Open(tb testing.TB, dir string, opt store.Options) (*store.Store, error) {
	tb.Helper()
	if Postgres() && opt.URL == "" {
		opt.URL = pgtest.URLFor(tb, dir)
	}
	return store.Open(dir, opt)
}

// Postgres reports whether the run is on PostgreSQL.
func Postgres() bool { return pgtest.Selected() }

// Contents is everything the store opened for dir keeps: the bbolt file's
// bytes, or every key and value in PostgreSQL. Tests look in it for what
// must never be stored (a link token, a personal id in clear).
func Contents(tb testing.TB, dir string) []byte {
	tb.Helper()
	if Postgres() {
		return pgtest.Dump(tb, dir)
	}
	raw, err := os.ReadFile(filepath.Join(dir, store.FileName))
	if err != nil {
		tb.Fatal(err)
	}
	return raw
}
