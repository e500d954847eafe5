package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// The PostgreSQL backend (Options.URL = postgres://…). Every bucket is a
// range of one table, kv(bucket, key bytea, value bytea): bytea compares
// byte by byte, so keys come in bbolt's order and every scan visits what
// it visits on bbolt. A write is one SERIALIZABLE transaction, retried
// from the start when PostgreSQL reports a serialization failure or a
// deadlock; that is why an Update function must have no side effects
// outside its Tx (which group commit on bbolt requires already). A read is
// one REPEATABLE READ READ ONLY transaction: one snapshot, as on bbolt.
// Several processes may share the database: PostgreSQL orders their
// writes as it orders one process's.

// pgMigrations are the schema's versions: migration i brings the schema
// from version i-1 to i. Each runs once, in its own transaction, under
// an advisory lock, so that nodes starting at once do not race. A new
// version appends; an old one is never edited.
var pgMigrations = []string{
	1: `CREATE TABLE kv (
		bucket text COLLATE "C" NOT NULL,
		key bytea NOT NULL,
		value bytea NOT NULL,
		PRIMARY KEY (bucket, key)
	)`,
}

// PostgresSchemaVersion is the schema version this program migrates a
// database to (the last of pgMigrations).
func PostgresSchemaVersion() int { return len(pgMigrations) - 1 }

// Advisory lock keys (pg_advisory_lock's bigint space, shared by every
// client of the database): the text "asiointi" and a number.
const (
	pgLockMigrate = 0x6173696f696e7401
)

// pgMaxAttempts bounds the retries of a write that keeps meeting
// serialization failures; one that still fails is reported as failed.
const pgMaxAttempts = 60

type pgBackend struct {
	retries atomic.Uint64 // transactions run again after a serialization failure
	// retryGate keeps a retried write from starving: first attempts run
	// side by side (read lock); a write that met a serialization failure
	// runs its next attempts alone in this process (write lock), so it
	// can lose only to other nodes, which do the same. Without it, a hot
	// row (a counter every submit touches) written by many goroutines of
	// one node can fail the same transaction dozens of times in a row on
	// a loaded machine (seen in CI on 2 cores).
	retryGate sync.RWMutex
	pool      *pgxpool.Pool
	name      string // the URL without its password, for messages
	stop      chan struct{}
	done      chan struct{}
}

// IsPostgresURL reports whether s names a PostgreSQL database
// (postgres:// or postgresql://), as ASIOINTI_STORE does.
func IsPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Retries counts the transactions run again because PostgreSQL reported
// a serialization failure or a deadlock (0 on bbolt, where writes take
// turns): a measure of contention between concurrent writes.
func (s *Store) Retries() uint64 {
	if s == nil || s.pg == nil {
		return 0
	}
	return s.pg.retries.Load()
}

// redactURL is the URL without its password.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "postgres://(unparsable URL)"
	}
	return u.Redacted()
}

var knownBucket = func() map[string]bool {
	m := make(map[string]bool, len(allBuckets))
	for _, b := range allBuckets {
		m[b] = true
	}
	return m
}()

func openPostgres(opt Options) (*Store, error) {
	name := redactURL(opt.URL)
	cfg, err := pgxpool.ParseConfig(opt.URL)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	wait := max(opt.Timeout, 5*time.Second)
	if cfg.ConnConfig.ConnectTimeout == 0 || cfg.ConnConfig.ConnectTimeout > wait {
		cfg.ConnConfig.ConnectTimeout = wait
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	if opt.ProbeEvery <= 0 {
		opt.ProbeEvery = 5 * time.Second
	}
	s := &Store{path: name, opt: opt, pg: &pgBackend{pool: pool, name: name, stop: make(chan struct{}), done: make(chan struct{})}}
	if opt.ReadOnly {
		err = s.pgCheckVersion(ctx)
	} else {
		s.writable.Store(true)
		err = s.pgMigrate(ctx)
	}
	if err != nil {
		pool.Close()
		return nil, err
	}
	go s.pgProber()
	s.ready.Store(true)
	return s, nil
}

// pgMigrate brings the schema to the newest version, then records or
// checks SchemaVersion in the meta bucket as on bbolt.
func (s *Store) pgMigrate(ctx context.Context) error {
	tx, err := s.pg.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", s.path, err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(pgLockMigrate)); err != nil {
		return fmt.Errorf("migrate %s: %w", s.path, err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS asiointi_migrations (
		version integer PRIMARY KEY,
		applied timestamptz NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("migrate %s: %w", s.path, err)
	}
	var have int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM asiointi_migrations`).Scan(&have); err != nil {
		return fmt.Errorf("migrate %s: %w", s.path, err)
	}
	if have > len(pgMigrations)-1 {
		return fmt.Errorf("database %s has schema migration %d, this program knows %d", s.path, have, len(pgMigrations)-1)
	}
	for v := have + 1; v < len(pgMigrations); v++ {
		if _, err := tx.Exec(ctx, pgMigrations[v]); err != nil {
			return fmt.Errorf("migrate %s to version %d: %w", s.path, v, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO asiointi_migrations (version) VALUES ($1)`, v); err != nil {
			return fmt.Errorf("migrate %s to version %d: %w", s.path, v, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("migrate %s: %w", s.path, err)
	}
	return s.pgUpdate(func(tx *Tx) error {
		v, err := tx.GetRaw(Meta, "schema")
		if errors.Is(err, ErrNotFound) {
			return tx.PutRaw(Meta, "schema", []byte(fmt.Sprint(SchemaVersion)))
		}
		if err != nil {
			return err
		}
		if string(v) != fmt.Sprint(SchemaVersion) {
			return fmt.Errorf("database schema version %s, this program knows %d", v, SchemaVersion)
		}
		return nil
	})
}

// pgCheckVersion is what a read-only open verifies: the schema is one
// this program knows (it migrates nothing).
func (s *Store) pgCheckVersion(ctx context.Context) error {
	var have int
	err := s.pg.pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM asiointi_migrations`).Scan(&have)
	if err != nil {
		return fmt.Errorf("open %s: no Asiointi schema: %w", s.path, err)
	}
	if have != len(pgMigrations)-1 {
		return fmt.Errorf("database %s has schema migration %d, this program knows %d", s.path, have, len(pgMigrations)-1)
	}
	return nil
}

func (s *Store) pgClose() {
	close(s.pg.stop)
	<-s.pg.done
	s.pg.pool.Close()
}

// pgProber is the committer's probe on bbolt: while the store cannot
// write, a small write now and then finds out when it can again.
func (s *Store) pgProber() {
	defer close(s.pg.done)
	if s.opt.ReadOnly {
		<-s.pg.stop
		return
	}
	t := time.NewTicker(s.opt.ProbeEvery)
	defer t.Stop()
	for {
		select {
		case <-s.pg.stop:
			return
		case <-t.C:
			if s.writable.Load() {
				continue
			}
			_, err := s.pgRun(true, func(tx *Tx) error {
				return tx.PutRaw(Meta, "probe", []byte(time.Now().UTC().Format(time.RFC3339Nano)))
			})
			if err != nil {
				s.failed(err, 0)
				continue
			}
			if s.writable.CompareAndSwap(false, true) && s.opt.Log != nil {
				s.opt.Log.Info("store writes again", "database", s.path)
			}
		}
	}
}

var errReadOnly = errors.New("store: opened read-only")

// pgUpdate is Update and UpdateAlone on PostgreSQL.
func (s *Store) pgUpdate(fn func(*Tx) error) error {
	if s.opt.ReadOnly {
		return errReadOnly
	}
	s.closeMu.RLock()
	defer s.closeMu.RUnlock()
	if s.closed {
		return errClosed
	}
	bodyErr, dbErr := s.pgRun(true, fn)
	if dbErr != nil {
		return s.failed(dbErr, 1)
	}
	return bodyErr
}

// pgView is View on PostgreSQL.
func (s *Store) pgView(fn func(*Tx) error) error {
	s.closeMu.RLock()
	defer s.closeMu.RUnlock()
	if s.closed {
		return errClosed
	}
	bodyErr, dbErr := s.pgRun(false, fn)
	if dbErr != nil {
		return dbErr
	}
	return bodyErr
}

// pgRun runs fn in a transaction until it commits, fails for a reason
// other than a serialization failure, or has been tried pgMaxAttempts
// times. bodyErr is fn's error (nothing was committed); dbErr is the
// database's (a failed statement or commit), not both.
func (s *Store) pgRun(write bool, fn func(*Tx) error) (bodyErr, dbErr error) {
	pause := time.Millisecond
	for attempt := 1; ; attempt++ {
		bodyErr, dbErr = s.pgGated(write, attempt > 1, fn)
		if dbErr == nil || !pgRetryable(dbErr) || attempt == pgMaxAttempts {
			return bodyErr, dbErr
		}
		s.pg.retries.Add(1)
		time.Sleep(pause/2 + rand.N(pause))
		pause = min(2*pause, 50*time.Millisecond)
	}
}

// pgGated runs one attempt through the retry gate: a write's retry runs
// alone in this process, every other write beside the others. Reads (one
// REPEATABLE READ READ ONLY snapshot, never a serialization failure) do
// not wait.
func (s *Store) pgGated(write, retry bool, fn func(*Tx) error) (bodyErr, dbErr error) {
	switch {
	case !write:
	case retry:
		s.pg.retryGate.Lock()
		defer s.pg.retryGate.Unlock()
	default:
		s.pg.retryGate.RLock()
		defer s.pg.retryGate.RUnlock()
	}
	return s.pgAttempt(write, fn)
}

func (s *Store) pgAttempt(write bool, fn func(*Tx) error) (bodyErr, dbErr error) {
	ctx := context.Background()
	opts := pgx.TxOptions{IsoLevel: pgx.Serializable}
	if !write {
		opts = pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	}
	tx, err := s.pg.pool.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	t := &pgTx{ctx: ctx, tx: tx, readOnly: !write}
	tt := &Tx{b: t, deferCounts: write}
	defer tt.releaseValues() // after the commit: the queued statements hold them
	defer tt.release()
	bodyErr = safeRun(fn, tt)
	if bodyErr == nil && write {
		if bodyErr = tt.finish(); bodyErr == nil {
			t.flush()
		}
	}
	switch {
	case t.err != nil: // a statement failed: the transaction is void
		tx.Rollback(ctx)
		return nil, t.err
	case bodyErr != nil:
		tx.Rollback(ctx)
		return bodyErr, nil
	case !write:
		return nil, tx.Rollback(ctx)
	}
	if s.opt.CommitFault != nil {
		if err := s.opt.CommitFault(); err != nil {
			tx.Rollback(ctx)
			return nil, err
		}
	}
	return nil, tx.Commit(ctx)
}

// pgRetryable: serialization_failure and deadlock_detected mean "run the
// transaction again".
func pgRetryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// pgDiskFull: disk_full (53100), and out of memory or too many
// connections are not; see isDiskFull.
func pgDiskFull(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "53100"
}

// pgTx is a PostgreSQL transaction: the txBackend of a store in
// PostgreSQL. err is the first statement that failed; after it every
// statement fails, and the transaction is rolled back (and retried when
// the failure is a serialization failure), whatever fn makes of it.
type pgTx struct {
	ctx      context.Context
	tx       pgx.Tx
	readOnly bool // a View: writes are refused, as bbolt refuses them
	err      error
	// writes not sent yet: puts and deletes go to the server together,
	// before the next read and before the commit (one round trip for the
	// many records of a submit, a seed or an import).
	pending pgx.Batch
}

const (
	pgPut    = `INSERT INTO kv (bucket, key, value) VALUES ($1, $2, $3) ON CONFLICT (bucket, key) DO UPDATE SET value = EXCLUDED.value`
	pgDelete = `DELETE FROM kv WHERE bucket = $1 AND key = $2`
	// pgFlushAt sends the writes once this many are waiting.
	pgFlushAt = 256
)

// flush sends the pending writes; a read calls it first, so that the
// transaction reads what it wrote.
func (t *pgTx) flush() error {
	if t.err != nil {
		return t.err
	}
	if t.pending.Len() == 0 {
		return nil
	}
	b := t.pending
	t.pending = pgx.Batch{}
	if err := t.tx.SendBatch(t.ctx, &b).Close(); err != nil {
		return t.fail(err)
	}
	return nil
}

func (t *pgTx) queue(sql string, args ...any) error {
	if t.readOnly {
		return berrors.ErrTxNotWritable
	}
	if t.err != nil {
		return t.err
	}
	t.pending.Queue(sql, args...)
	if t.pending.Len() >= pgFlushAt {
		return t.flush()
	}
	return nil
}

func (t *pgTx) fail(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "25006" { // read_only_sql_transaction
		err = berrors.ErrTxNotWritable
	}
	if t.err == nil {
		t.err = err
	}
	return err
}

func checkBucket(name string) error {
	if !knownBucket[name] {
		return fmt.Errorf("store: unknown bucket %q", name)
	}
	return nil
}

func (t *pgTx) getRaw(bucket, key string) ([]byte, error) {
	if err := checkBucket(bucket); err != nil {
		return nil, err
	}
	if err := t.flush(); err != nil {
		return nil, err
	}
	var v []byte
	err := t.tx.QueryRow(t.ctx, `SELECT value FROM kv WHERE bucket = $1 AND key = $2`, bucket, []byte(key)).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, t.fail(err)
	}
	if v == nil {
		v = []byte{}
	}
	return v, nil
}

func (t *pgTx) putRaw(bucket, key string, raw []byte) error {
	if err := checkBucket(bucket); err != nil {
		return err
	}
	switch { // bbolt's limits, so that what one backend takes the other does
	case key == "":
		return berrors.ErrKeyRequired
	case len(key) > bolt.MaxKeySize:
		return berrors.ErrKeyTooLarge
	}
	if raw == nil {
		raw = []byte{}
	}
	return t.queue(pgPut, bucket, []byte(key), raw)
}

func (t *pgTx) delete(bucket, key string) error {
	if err := checkBucket(bucket); err != nil {
		return err
	}
	return t.queue(pgDelete, bucket, []byte(key))
}

func (t *pgTx) count(bucket string) (int, error) {
	if err := checkBucket(bucket); err != nil {
		return 0, err
	}
	if err := t.flush(); err != nil {
		return 0, err
	}
	var n int
	if err := t.tx.QueryRow(t.ctx, `SELECT count(*) FROM kv WHERE bucket = $1`, bucket).Scan(&n); err != nil {
		return 0, t.fail(err)
	}
	return n, nil
}

// The range queries: keys from lo (inclusive) to hi (exclusive; or to
// the end of the bucket), up and down. Separate texts for an open end so
// that a cached plan always bounds its index scan on both sides.
const (
	pgUpTo     = `SELECT key, value FROM kv WHERE bucket = $1 AND key >= $2 AND key < $3 ORDER BY key LIMIT $4`
	pgUpOpen   = `SELECT key, value FROM kv WHERE bucket = $1 AND key >= $2 ORDER BY key LIMIT $3`
	pgDownTo   = `SELECT key, value FROM kv WHERE bucket = $1 AND key >= $2 AND key < $3 ORDER BY key DESC LIMIT $4`
	pgDownOpen = `SELECT key, value FROM kv WHERE bucket = $1 AND key >= $2 ORDER BY key DESC LIMIT $3`
)

type pgRow struct{ k, v []byte }

// rangeScan calls fn for every key in [lo, hi) (hi nil: to the end), in
// key order or (reverse) backwards, fetching batches of growing size
// (first batch: first, when a caller knows how many it wants). Each batch
// is read whole before fn sees it, so fn may use the transaction.
func (t *pgTx) rangeScan(bucket string, lo, hi []byte, reverse bool, first int, fn func(k, v []byte) error) error {
	if err := checkBucket(bucket); err != nil {
		return err
	}
	n := first
	if n <= 0 {
		n = 32
	}
	var batch []pgRow
	for {
		if err := t.flush(); err != nil {
			return err
		}
		var rows pgx.Rows
		var err error
		switch {
		case !reverse && hi != nil:
			rows, err = t.tx.Query(t.ctx, pgUpTo, bucket, lo, hi, n)
		case !reverse:
			rows, err = t.tx.Query(t.ctx, pgUpOpen, bucket, lo, n)
		case hi != nil:
			rows, err = t.tx.Query(t.ctx, pgDownTo, bucket, lo, hi, n)
		default:
			rows, err = t.tx.Query(t.ctx, pgDownOpen, bucket, lo, n)
		}
		if err != nil {
			return t.fail(err)
		}
		batch = batch[:0]
		for rows.Next() {
			var r pgRow
			if err := rows.Scan(&r.k, &r.v); err != nil {
				rows.Close()
				return t.fail(err)
			}
			if r.v == nil {
				r.v = []byte{}
			}
			batch = append(batch, r)
		}
		if err := rows.Err(); err != nil {
			return t.fail(err)
		}
		for _, r := range batch {
			if err := fn(r.k, r.v); err != nil {
				return err
			}
		}
		if len(batch) < n {
			return nil
		}
		last := batch[len(batch)-1].k
		if reverse {
			hi = last // below the last one seen
		} else {
			lo = append(bytes.Clone(last), 0) // the first key after it
		}
		n = min(2*n, 1024)
	}
}

// prefixEnd is the first key after every key with the prefix p (nil: no
// such key, the range runs to the end).
func prefixEnd(p []byte) []byte {
	e := bytes.Clone(p)
	for i := len(e) - 1; i >= 0; i-- {
		if e[i] < 0xff {
			e[i]++
			return e[:i+1]
		}
	}
	return nil
}

// stopping adapts a scan's fn: ErrStop ends the scan without error.
func stopping(fn func(key string, raw []byte) error) (func(k, v []byte) error, func(error) error) {
	return func(k, v []byte) error { return fn(string(k), v) }, func(err error) error {
		if errors.Is(err, ErrStop) {
			return nil
		}
		return err
	}
}

func (t *pgTx) scan(bucket, prefix string, fn func(key string, raw []byte) error) error {
	f, end := stopping(fn)
	p := []byte(prefix)
	return end(t.rangeScan(bucket, p, prefixEnd(p), false, 0, f))
}

// scanReverse visits [prefix, prefix+"\xff"), as bbolt's seek to
// prefix+"\xff" does.
func (t *pgTx) scanReverse(bucket, prefix string, fn func(key string, raw []byte) error) error {
	f, end := stopping(fn)
	return end(t.rangeScan(bucket, []byte(prefix), []byte(prefix+"\xff"), true, 0, f))
}

func (t *pgTx) scanFrom(bucket, prefix, from string, fn func(key string, raw []byte) error) error {
	f, end := stopping(fn)
	p := []byte(prefix)
	start := p
	if from > prefix {
		start = []byte(from)
	}
	return end(t.rangeScan(bucket, start, prefixEnd(p), false, 0, f))
}

func (t *pgTx) scanReverseBefore(bucket, prefix, before string, fn func(key string, raw []byte) error) error {
	if before == "" || !strings.HasPrefix(before, prefix) {
		return t.scanReverse(bucket, prefix, fn)
	}
	f, end := stopping(fn)
	return end(t.rangeScan(bucket, []byte(prefix), []byte(before), true, 0, f))
}

// errPageFull ends pageReverse's scan at the key after a full page.
var errPageFull = errors.New("store: page full")

func (t *pgTx) pageReverse(bucket, prefix, cursor string, limit int, take func(key string, raw []byte) (bool, error)) (string, error) {
	hi := prefix + "\xff"
	if cursor != "" {
		hi = prefix + cursor
	}
	var next string
	taken := 0
	first := 0
	if limit > 0 {
		first = limit + 1
	}
	err := t.rangeScan(bucket, []byte(prefix), []byte(hi), true, first, func(k, v []byte) error {
		if limit > 0 && taken == limit {
			return errPageFull // a key follows the last one taken
		}
		ok, err := take(string(k), v)
		if err != nil {
			return err
		}
		if ok {
			taken++
			next = string(k[len(prefix):])
		}
		return nil
	})
	switch {
	case errors.Is(err, errPageFull):
		return next, nil
	case err != nil:
		return "", err
	}
	return "", nil
}

// pgCheck is Check on PostgreSQL: the schema migrations and version are
// the ones this program knows, and every row belongs to a known bucket.
// (The engine checks its own pages; pg_amcheck checks them offline.)
func (s *Store) pgCheck() []error {
	ctx := context.Background()
	var errs []error
	if err := s.pgCheckVersion(ctx); err != nil {
		errs = append(errs, err)
	}
	rows, err := s.pg.pool.Query(ctx, `SELECT DISTINCT bucket FROM kv`)
	if err != nil {
		return append(errs, err)
	}
	buckets, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return append(errs, err)
	}
	for _, b := range buckets {
		if !knownBucket[b] {
			errs = append(errs, fmt.Errorf("rows of an unknown bucket %q", b))
		}
	}
	switch v, err := s.Schema(); {
	case errors.Is(err, ErrNotFound):
		errs = append(errs, errors.New("schema version is missing"))
	case err != nil:
		errs = append(errs, err)
	case v != fmt.Sprint(SchemaVersion):
		errs = append(errs, fmt.Errorf("schema version %s, this program knows %d", v, SchemaVersion))
	}
	return errs
}
