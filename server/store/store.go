// Package store owns the database: the embedded bbolt file by default, or
// a PostgreSQL database (Options.URL, pg.go) that several app nodes may
// share. It is the only package of the server that imports bbolt or pgx
// (server/internal/pgtest, the tests' helper, uses pgx too); its API speaks
// in buckets, string keys and JSON values, the same on both backends
// (tx.go's txBackend is what a backend implements).
package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// SchemaVersion is the layout version written to the meta bucket.
const SchemaVersion = 1

// FileName is the database file inside the data directory.
const FileName = "asiointi.db"

// Bucket names. Every bucket the application uses is declared here so that
// Open can create them and Check can verify them; a bucket nothing uses
// yet is not declared (TestEveryBucketIsUsed): the change that first
// needs it adds it.
const (
	Meta         = "meta"
	Settings     = "settings"
	People       = "people"
	PeopleByHetu = "people_by_hetu"
	Guardianship = "guardianship" // "guardian id/ward id": whose guardian each person is
	OrgRoles     = "org_roles"    // "business id/person id" → role: who holds a role in each organisation

	// MandatesByPrincipal is "principal id/holder id" → nothing: who holds
	// a mandate (the register's or a paper one) from each person or
	// organisation (identity.PutPerson).
	MandatesByPrincipal = "mandates_by_principal"

	Staff    = "staff"
	Sessions = "sessions"
	Drafts   = "drafts"
	// DraftsSent holds the small records of sent drafts (submit moves a
	// draft's record here from Drafts): what the links to a sent draft, its
	// receipt and a repeated submit need. Drafts keeps only drafts being
	// written, whose records are rewritten at their size, so its pages stay
	// full; this bucket is appended to in about key order and never
	// rewritten (issue 9).
	DraftsSent   = "drafts_sent"
	DraftData    = "draft_data"
	DraftsByUser = "drafts_by_user"
	// DraftsBySubject is "person id/draft id" for each draft someone else
	// writes in a person's name (a guardian, a proxy): my data shows it
	// to the person it is about before it is sent.
	DraftsBySubject = "drafts_by_subject"
	Cases           = "cases"
	CasesByUser     = "cases_by_user"
	CasesByRef      = "cases_by_ref"
	Events          = "events"
	Attachments     = "attachments"
	Blobs           = "blobs"
	Outbox          = "outbox" // "due time/delivery id" → a notification owed to a channel (server/notify)
	Counters        = "counters"
	Forms           = "forms"
	Notices         = "notices"
	NotifyPrefs     = "notify_prefs" // person id → notification preferences
	PushSubs        = "push_subs"    // "person id/subscription id" → web push subscription
	DevOutbox       = "dev_outbox"   // demo mode: the e-mail and SMS the demo "sent"
	// The access log (server/audit): seq → entry, hash-chained; and
	// "subject/seq" → nothing, each person's entries.
	AccessLog       = "access_log"
	AccessBySubject = "access_by_subject"
	Feedback        = "feedback" // "municipality/id" → accessibility feedback (server/publish)
	// Co-applicants (server/cases/parties.go, invitations.go).
	DraftParties      = "draft_parties"       // "draft id/party id" → a party named on a draft
	Invitations       = "invitations"         // invitation id → an invitation to approve a case
	InvitationsByCase = "invitations_by_case" // "case id/invitation id"
	InvitationsByUser = "invitations_by_user" // "person id/invitation id": whom it asks
	InvitationTokens  = "invitation_tokens"   // hash of a link token → its invitation (the token itself is never stored)
	// Due is housekeeping's time-ordered work list: "due time/kind/id"
	// (DueKey) for each draft and each draft's files, so a pass visits only
	// what has come due (server/cases/due.go).
	Due = "due"
	// LoginState holds national and staff login attempts in flight and the
	// one-time ids already used (SAML assertions), each with its expiry.
	LoginState = "login_state"
	// The officials' work (issue 13).
	StaffRoles = "staff_roles" // "username/service id" → the person's role in the service (server/identity)
	Audit      = "audit"       // "time id" → an audit-log entry: who changed what (server/audit, admin.go)
	CaseIndex  = "case_index"  // the handlers' inbox index (server/cases, inbox.go)
	CaseNotes  = "case_notes"  // "case id/id" → a handler's internal note, never shown to residents
	// DoneFor is the log of what people did in someone else's name,
	// indexed by that principal: "principal id/entry id" (server/cases).
	DoneFor = "done_for"
	// MandateSessions holds each person's Suomi.fi Mandates session while
	// it lasts: "person id" → session, state, token, the principal chosen
	// (server/mandates, link.go); removed at logout.
	MandateSessions = "mandate_sessions"
	// Destructions is the destruction log of retention (server/cases,
	// retention.go): "time id" → what was deleted (kind, reference, when),
	// never its content.
	Destructions = "destructions"
	// Shares are read-only views of applications shared with another
	// person (server/cases, shares.go): "s/id" → the share, "c/case/id"
	// and "p/invitee/id" → nothing.
	Shares = "shares"
)

var allBuckets = []string{Meta, Settings, People, PeopleByHetu, Guardianship, OrgRoles, MandatesByPrincipal, Staff, Sessions,
	Drafts, DraftsSent, DraftData, DraftsByUser, Cases, CasesByUser, CasesByRef, Events, Attachments,
	Blobs, Outbox, Counters, Forms, Notices, NotifyPrefs, PushSubs, DevOutbox, Feedback, AccessLog, AccessBySubject,
	DraftParties, Invitations, InvitationsByCase, InvitationsByUser, InvitationTokens, Due, LoginState,
	StaffRoles, Audit, CaseIndex, CaseNotes, DraftsBySubject, Destructions, Shares, DoneFor, MandateSessions}

// Buckets lists every bucket the application uses (for tests that walk
// them all, such as my data's coverage test).
func Buckets() []string { return append([]string(nil), allBuckets...) }

// ErrNotFound is returned by Get-like helpers when a key is absent.
var ErrNotFound = errors.New("store: not found")

// Options tune how the database is opened.
type Options struct {
	// Timeout to wait for the file lock held by another process.
	Timeout time.Duration
	// NoSync disables fsync; only for benchmarks that say so.
	NoSync bool
	// ReadOnly opens the file read-only (check).
	ReadOnly bool
	// ProbeEvery is how often a store that could not write tries a small
	// write to learn that it can again (default 5 s); see Writable.
	ProbeEvery time.Duration
	// MinFree is the free space the file system must report before the
	// probe tries (default 8 MiB), so that a disk that is still full is
	// not declared writable because a small write fitted.
	MinFree int64
	// Log gets a line when the store stops being able to write ("disk
	// full" when that is why) and when it can again.
	Log *slog.Logger
	// CommitFault is for tests: when set, it is called before every
	// commit, and an error it returns fails the commit as a failed write
	// or fsync of the file would (e.g. syscall.ENOSPC for a full disk).
	CommitFault func() error
	// MappedBudget is how far the file-backed part of the process's
	// resident memory may grow after Open before the store drops the
	// pages of its file the process has mapped (default 32 MiB; negative:
	// never). See mapped.go.
	MappedBudget int64
	// MappedCheckEvery is how often the store looks (default 250 ms).
	MappedCheckEvery time.Duration
	// URL, when it is a postgres:// (or postgresql://) URL, opens that
	// PostgreSQL database instead of the file in dir (see pg.go);
	// ASIOINTI_STORE sets it. Timeout then bounds connecting.
	URL string
}

// Store is an open database.
type Store struct {
	db    *bolt.DB   // bbolt, or
	pg    *pgBackend // PostgreSQL (Options.URL)
	path  string     // the file, or the database's URL without its password
	opt   Options
	ready atomic.Bool

	// Write health (write.go).
	writable      atomic.Bool
	failsDiskFull atomic.Uint64
	failsOther    atomic.Uint64

	mapped *mappedWatch // its mapped pages (mapped.go)

	ops     chan op // to the committer (commit.go)
	stopped chan struct{}
	closeMu sync.RWMutex
	closed  bool
}

// Open opens (creating if needed) the database in dir.
func Open(dir string, opt Options) (*Store, error) {
	if opt.Timeout == 0 {
		opt.Timeout = 2 * time.Second
	}
	if !opt.ReadOnly && (dir != "" || opt.URL == "") { // also for PostgreSQL: the admin socket is there
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create data directory %s: %w", dir, err)
		}
	}
	if opt.URL != "" {
		if !IsPostgresURL(opt.URL) {
			return nil, fmt.Errorf("store %q: not a postgres:// URL", redactURL(opt.URL))
		}
		return openPostgres(opt)
	}
	path := filepath.Join(dir, FileName)
	if opt.ReadOnly {
		// A file cut short would fault when mapped; refuse it plainly.
		st, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", path, errors.Unwrap(err))
		}
		if st.Size() < 4*int64(os.Getpagesize()) {
			return nil, fmt.Errorf("open %s: the file is too short (%d bytes) to be a database", path, st.Size())
		}
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:      opt.Timeout,
		NoSync:       opt.NoSync,
		ReadOnly:     opt.ReadOnly,
		FreelistType: bolt.FreelistMapType,
	})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, fmt.Errorf("open %s: the database is in use by another process", path)
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if opt.ProbeEvery <= 0 {
		opt.ProbeEvery = 5 * time.Second
	}
	if opt.MinFree <= 0 {
		opt.MinFree = 8 << 20
	}
	s := &Store{db: db, path: path, opt: opt}
	if !opt.ReadOnly {
		s.writable.Store(true)
		if err := s.migrate(); err != nil {
			db.Close()
			return nil, err
		}
		s.startCommitter()
		s.watchMapped()
	}
	s.ready.Store(true)
	return s, nil
}

func (s *Store) migrate() error {
	return s.write(1, func(tx *bolt.Tx) error {
		for _, b := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists([]byte(b)); err != nil {
				return err
			}
		}
		m := tx.Bucket([]byte(Meta))
		v := m.Get([]byte("schema"))
		if v == nil {
			return m.Put([]byte("schema"), []byte(fmt.Sprint(SchemaVersion)))
		}
		if string(v) != fmt.Sprint(SchemaVersion) {
			return fmt.Errorf("database schema version %s, this program knows %d", v, SchemaVersion)
		}
		return nil
	})
}

// Path is the database file path (PostgreSQL: its URL without the password).
func (s *Store) Path() string { return s.path }

// Ready reports whether the store is open.
func (s *Store) Ready() bool { return s != nil && s.ready.Load() }

// Writable reports whether the store can write: false from a failed
// commit (a full disk, an I/O error) until the probe, every
// Options.ProbeEvery, finds at least Options.MinFree free on the file
// system and commits a small write. (Other writes may succeed meanwhile,
// as small ones often do on a full disk; they do not end the state.)
// Read-only stores are never writable.
func (s *Store) Writable() bool { return s != nil && s.writable.Load() }

// WriteFailures counts the writes (Update and UpdateAlone calls) whose
// commit failed since Open: because the disk (or the quota) was full, and
// for any other reason. Probe writes are not counted.
func (s *Store) WriteFailures() (diskFull, other uint64) {
	return s.failsDiskFull.Load(), s.failsOther.Load()
}

// Close closes the database.
func (s *Store) Close() error {
	if s == nil {
		return nil
	}
	s.ready.Store(false)
	if s.pg != nil {
		s.closeMu.Lock()
		already := s.closed
		s.closed = true
		s.closeMu.Unlock()
		if !already {
			s.pgClose()
		}
		return nil
	}
	s.stopMapped()
	s.closeMu.Lock()
	if !s.closed && s.ops != nil {
		close(s.ops) // the committer finishes what is queued, then stops
		s.closed = true
		s.closeMu.Unlock()
		<-s.stopped
	} else {
		s.closed = true
		s.closeMu.Unlock()
	}
	return s.db.Close()
}

// Schema returns the recorded schema version.
func (s *Store) Schema() (string, error) {
	var out string
	if s.pg != nil {
		err := s.View(func(tx *Tx) error {
			raw, err := tx.GetRaw(Meta, "schema")
			out = string(raw)
			return err
		})
		return out, err
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		out = string(tx.Bucket([]byte(Meta)).Get([]byte("schema")))
		return nil
	})
	return out, err
}

// Backup writes a consistent copy of the database to w while the server
// keeps serving (a read transaction sees one snapshot).
func (s *Store) Backup(w io.Writer) (int64, error) {
	return s.BackupSized(func(int64) io.Writer { return w })
}

// BackupSized is Backup for writers that need the size first (an HTTP
// Content-Length, so a cut-off copy is noticed).
func (s *Store) BackupSized(w func(size int64) io.Writer) (int64, error) {
	if s.pg != nil {
		return 0, ErrBackupPostgres
	}
	var n int64
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w(tx.Size()))
		return err
	})
	return n, err
}

// ErrBackupPostgres answers Backup on a PostgreSQL store: the database is
// backed up with its own tools (pg_dump, base backups and WAL archiving).
var ErrBackupPostgres = errors.New("store: a PostgreSQL store is backed up with PostgreSQL's tools (pg_dump), not by the server")

// BackupFile writes a consistent copy to path atomically (temp file + rename).
func (s *Store) BackupFile(path string) (int64, error) {
	if s.pg != nil {
		return 0, ErrBackupPostgres
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, err
	}
	n, err := s.Backup(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return 0, err
	}
	return n, os.Rename(tmp, path)
}

// Check verifies both meta pages, runs bbolt's consistency check and
// verifies the expected buckets and schema exist. It returns every problem
// found.
func (s *Store) Check() []error {
	if s.pg != nil {
		return s.pgCheck()
	}
	errs := checkMetaPages(s.path)
	err := s.db.View(func(tx *bolt.Tx) error {
		for e := range tx.Check() {
			errs = append(errs, e)
		}
		for _, b := range allBuckets {
			if tx.Bucket([]byte(b)) == nil {
				errs = append(errs, fmt.Errorf("bucket %q is missing", b))
			}
		}
		if m := tx.Bucket([]byte(Meta)); m != nil {
			switch v := m.Get([]byte("schema")); {
			case v == nil:
				errs = append(errs, errors.New("schema version is missing"))
			case string(v) != fmt.Sprint(SchemaVersion):
				errs = append(errs, fmt.Errorf("schema version %s, this program knows %d", v, SchemaVersion))
			}
		}
		return nil
	})
	if err != nil {
		errs = append(errs, err)
	}
	return errs
}

// boltTx is a bbolt transaction: the txBackend of a store in a file.
type boltTx struct {
	tx *bolt.Tx
	// open holds the buckets opened in this transaction, in the order
	// opened. bbolt opens a top-level bucket afresh on every Tx.Bucket of
	// a read transaction, and copies its header (or, for a small inline
	// bucket, its whole page) when unaligned: a scan that reads one key
	// per entry opened its bucket hundreds of times per request. A
	// submit's group commit touches some twenty buckets: all are kept (the
	// four most recent ones were before, and the others were opened again
	// and again, issue 9). A read transaction starts with room for four
	// in openArr (most read one or two), a write one with room for
	// writeBuckets.
	open    []openBucket
	openArr [4]openBucket
	// key holds the key of the Get, Put or Delete in progress (and the
	// name of a bucket being opened): converting a string key to []byte
	// allocated on every call, since bbolt's logging lets the slice
	// escape. bbolt only reads it during the call (Put stores a copy),
	// and nothing calls back into the transaction meanwhile, so one
	// buffer serves the whole transaction (issue 9: allocation per write);
	// keyArr holds keys up to its size.
	key    []byte
	keyArr [64]byte
}

// boltTxn is a Tx on bbolt with its backend, in one allocation.
type boltTxn struct {
	Tx
	bt boltTx
}

// newBoltTx is a Tx of tx (n.Tx); write: a read-write one of Update or
// UpdateAlone, whose counters wait for Tx.finish. Give it back with put
// once tx has ended (committed or rolled back): they are pooled (issue 9:
// one allocation of ~300 bytes per transaction, five to six per submit
// iteration).
func newBoltTx(tx *bolt.Tx, write bool) *boltTxn {
	n := boltTxns.Get().(*boltTxn)
	n.bt.tx = tx
	if write && cap(n.bt.open) < writeBuckets {
		n.bt.open = make([]openBucket, 0, writeBuckets)
	}
	n.Tx = Tx{b: &n.bt, deferCounts: write}
	return n
}

var boltTxns = sync.Pool{New: func() any {
	n := new(boltTxn)
	n.bt.open = n.bt.openArr[:0]
	n.bt.key = n.bt.keyArr[:0]
	return n
}}

// put gives n back to the pool: after its transaction has ended, when
// nothing uses n.Tx or what it handed out (the values it stored, Tx.keep)
// any more. It drops every reference to the transaction, so that a
// pooled Tx keeps none of its pages alive.
func (n *boltTxn) put() {
	n.Tx.release()
	n.Tx.releaseValues()
	clear(n.bt.open)
	if cap(n.bt.open) > 4*writeBuckets { // an unusual transaction's: not kept
		n.bt.open = n.bt.openArr[:0]
	}
	n.bt.open = n.bt.open[:0]
	if cap(n.bt.key) > 4<<10 {
		n.bt.key = n.bt.keyArr[:0]
	}
	n.bt.tx = nil
	n.Tx = Tx{}
	boltTxns.Put(n)
}

// writeBuckets is how many opened buckets a write transaction has room
// for before it grows its list: a group commit of submits and autosaves
// touches about twenty.
const writeBuckets = 24

// keyBytes is s in the transaction's key buffer, valid until the next
// call into bbolt that takes a key.
func (t *boltTx) keyBytes(s string) []byte {
	t.key = append(t.key[:0], s...)
	return t.key
}

// openBucket is a bucket opened in a transaction.
type openBucket struct {
	name string
	b    *bolt.Bucket
	// c finds the key of a Get or a Delete (keyCursor): bbolt's
	// Bucket.Get and Delete each make a cursor and grow its stack of
	// pages to the tree's depth, three or four allocations per key read
	// (issue 9: a fifth of the objects a submit allocated). Nothing
	// else moves it; each use starts with a Seek, which searches from
	// the bucket's root again, through the nodes that the transaction's
	// Puts and Deletes changed.
	c *bolt.Cursor
}

// Update runs fn in a read-write transaction. Concurrent calls are
// committed together (one fsync for the group, see commit.go), so fn may
// run more than once: it must have no side effects outside tx. (On
// PostgreSQL each call is its own SERIALIZABLE transaction, run again
// after a serialization failure: the same rule.)
func (s *Store) Update(fn func(*Tx) error) error {
	if s.pg != nil {
		return s.pgUpdate(fn)
	}
	s.closeMu.RLock()
	if s.closed || s.ops == nil {
		s.closeMu.RUnlock()
		return errClosed
	}
	done := doneChans.Get().(chan error)
	s.ops <- op{fn: fn, done: done}
	s.closeMu.RUnlock()
	err := <-done
	doneChans.Put(done) // the committer sends once per op: empty again
	return err
}

// doneChans are the channels on which Update waits for its commit, pooled
// (issue 9: one allocation per write).
var doneChans = sync.Pool{New: func() any { return make(chan error, 1) }}

// UpdateAlone runs fn in its own read-write transaction (no batching); for
// large or rare writes such as seeding and imports.
func (s *Store) UpdateAlone(fn func(*Tx) error) error {
	if s.pg != nil {
		return s.pgUpdate(fn)
	}
	var n *boltTxn
	err := s.write(1, func(tx *bolt.Tx) error {
		n = newBoltTx(tx, true)
		if err := fn(&n.Tx); err != nil {
			return err
		}
		return n.finish()
	})
	if n != nil { // the transaction has ended: bbolt holds none of its values
		n.put()
	}
	return err
}

// View runs fn in a read-only transaction.
func (s *Store) View(fn func(*Tx) error) error {
	if s.pg != nil {
		return s.pgView(fn)
	}
	var n *boltTxn
	err := s.db.View(func(tx *bolt.Tx) error {
		n = newBoltTx(tx, false)
		return fn(&n.Tx)
	})
	if n != nil {
		n.put()
	}
	return err
}

func (t *boltTx) bucket(name string) (*bolt.Bucket, error) {
	o, err := t.opened(name)
	if err != nil {
		return nil, err
	}
	return o.b, nil
}

// opened is the bucket name opened in the transaction: valid until the
// next bucket is opened.
func (t *boltTx) opened(name string) (*openBucket, error) {
	for i := range t.open {
		if t.open[i].name == name {
			return &t.open[i], nil
		}
	}
	b := t.tx.Bucket(t.keyBytes(name))
	if b == nil {
		return nil, fmt.Errorf("store: unknown bucket %q", name)
	}
	if appendOnly[name] {
		b.FillPercent = appendFill
	}
	t.open = append(t.open, openBucket{name: name, b: b})
	return &t.open[len(t.open)-1], nil
}

// keyCursor positions the bucket's cursor for one key at key (or the
// next key; none when none follows): the value there (nil for a nested
// bucket, as Cursor.Seek gives it) and whether the key is key.
func (t *boltTx) keyCursor(bucket, key string) (c *bolt.Cursor, v []byte, found bool, err error) {
	o, err := t.opened(bucket) // before keyBytes: opening uses the buffer
	if err != nil {
		return nil, nil, false, err
	}
	if o.c == nil {
		o.c = o.b.Cursor()
	}
	want := t.keyBytes(key)
	k, v := o.c.Seek(want)
	return o.c, v, k != nil && bytes.Equal(k, want), nil
}

// appendOnly buckets get their keys in ascending order (ids from NewID,
// reference numbers, per-case events) and keep them: bbolt splits their
// pages nearly full instead of half full (its default, right for random
// inserts), which left these pages half empty (issue 9). Drafts too: a
// draft is rewritten in place many times, but at its own size (the tail of
// an autosave), and submit moves it to DraftsSent. Due's keys begin
// with their time and have no values: each kind of entry (a draft's
// expiry, a case's retention day) is filed at a few moving ends.
// CaseIndex's rows and report facts (r/, a/) are keyed by case id, its
// other keys mostly grow at a few ends each (per service or handler and
// status, by due or submission time); only the keys by customer and by
// name word go in anywhere: filled pages still came out fuller, in a mix
// of residents, handled and decided cases too (50 → 75 %).
var appendOnly = map[string]bool{CaseIndex: true, Cases: true, CasesByRef: true, Events: true, Drafts: true, DraftsSent: true, Due: true}

const appendFill = 0.95

// getRaw returns the raw bytes at key, valid only inside the transaction.
// It answers as bbolt's Bucket.Get would (nil, here ErrNotFound, for a
// key that is absent or holds a nested bucket) through the bucket's
// reused cursor.
func (t *boltTx) getRaw(bucket, key string) ([]byte, error) {
	_, v, found, err := t.keyCursor(bucket, key)
	if err != nil {
		return nil, err
	}
	if !found || v == nil {
		return nil, ErrNotFound
	}
	return v, nil
}

// putRaw stores raw bytes at key.
func (t *boltTx) putRaw(bucket, key string, raw []byte) error {
	b, err := t.bucket(bucket)
	if err != nil {
		return err
	}
	return b.Put(t.keyBytes(key), raw)
}

// delete removes key: as bbolt's Bucket.Delete, through the bucket's
// reused cursor (nothing for an absent key, ErrIncompatibleValue for a
// nested bucket's); in a transaction that cannot write, or one that has
// ended, Bucket.Delete answers.
func (t *boltTx) delete(bucket, key string) error {
	if !t.tx.Writable() || t.tx.DB() == nil {
		b, err := t.bucket(bucket)
		if err != nil {
			return err
		}
		return b.Delete(t.keyBytes(key))
	}
	c, _, found, err := t.keyCursor(bucket, key)
	if err != nil || !found {
		return err
	}
	return c.Delete()
}

// scan calls fn for every key with the prefix, in key order. raw is valid
// only during the call. Returning ErrStop ends the scan early.
func (t *boltTx) scan(bucket, prefix string, fn func(key string, raw []byte) error) error {
	b, err := t.bucket(bucket)
	if err != nil {
		return err
	}
	c := b.Cursor()
	p := []byte(prefix)
	for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		if err := fn(string(k), v); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
	}
	return nil
}

// scanReverse is scan from the last matching key backwards.
func (t *boltTx) scanReverse(bucket, prefix string, fn func(key string, raw []byte) error) error {
	b, err := t.bucket(bucket)
	if err != nil {
		return err
	}
	c := b.Cursor()
	p := []byte(prefix)
	// Seek to just past the prefix range.
	end := append(append([]byte{}, p...), 0xff)
	k, _ := c.Seek(end)
	var v []byte
	if k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	for ; k != nil && bytes.HasPrefix(k, p); k, v = c.Prev() {
		if err := fn(string(k), v); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
	}
	return nil
}

// scanFrom is scan of the keys with the prefix from the key from on
// (inclusive; from "" or before the prefix: from the first).
func (t *boltTx) scanFrom(bucket, prefix, from string, fn func(key string, raw []byte) error) error {
	b, err := t.bucket(bucket)
	if err != nil {
		return err
	}
	c := b.Cursor()
	p := []byte(prefix)
	start := p
	if from > prefix {
		start = []byte(from)
	}
	for k, v := c.Seek(start); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		if err := fn(string(k), v); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
	}
	return nil
}

// scanReverseBefore is scanReverse of the keys with the prefix that sort
// before the key before (exclusive; "" or past the prefix: from the last).
func (t *boltTx) scanReverseBefore(bucket, prefix, before string, fn func(key string, raw []byte) error) error {
	if before == "" || !strings.HasPrefix(before, prefix) {
		return t.scanReverse(bucket, prefix, fn)
	}
	b, err := t.bucket(bucket)
	if err != nil {
		return err
	}
	c := b.Cursor()
	p := []byte(prefix)
	var k, v []byte
	if k, _ = c.Seek([]byte(before)); k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	for ; k != nil && bytes.HasPrefix(k, p); k, v = c.Prev() {
		if string(k) >= before {
			continue
		}
		if err := fn(string(k), v); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
	}
	return nil
}

// count returns the number of keys in a bucket.
func (t *boltTx) count(bucket string) (int, error) {
	b, err := t.bucket(bucket)
	if err != nil {
		return 0, err
	}
	return b.Stats().KeyN, nil
}
