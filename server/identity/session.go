// Package identity holds who is logged in: server-side sessions, the people
// and staff they log in as, and the acting-for principal.
package identity

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"asiointi/server/store"
)

// Kinds of user.
const (
	Resident = "resident"
	Staff    = "staff"
)

// Session is a logged-in browser. It is stored under the hash of its token;
// the token itself lives only in the cookie.
type Session struct {
	Key        string `json:"-"`
	UserID     string `json:"userId"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	Role       string `json:"role,omitempty"`
	ActingFor  string `json:"actingFor,omitempty"`
	ActingAs   string `json:"actingAs,omitempty"` // guardian | mandate | organization
	ActingName string `json:"actingName,omitempty"`
	Kiosk      bool   `json:"kiosk,omitempty"`
	// Federated is the outside login this session came from, kept for
	// single logout (nil: test login).
	Federated *Federated `json:"federated,omitempty"`
	CreatedAt time.Time  `json:"createdAt"`
	LastSeen  time.Time  `json:"lastSeen"`
}

// ErrNoSession means the token is unknown or has expired.
var ErrNoSession = errors.New("identity: no session")

// ErrRotated means the token was replaced by a new one (acting-for
// changed) a moment ago: a request that raced with the change. It is an
// ErrNoSession; the browser already holds the new token, so an answer to
// this request must not clear the session cookie.
var ErrRotated = fmt.Errorf("%w (rotated)", ErrNoSession)

// NewToken returns a 256-bit random token, URL-safe.
func NewToken() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// HashToken is the storage key of a token.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// maxToken is the longest session token Get looks up.
const maxToken = 100

// hashTokenInto writes HashToken(token) into key, without allocating
// (Get runs for every request); token is at most maxToken bytes.
func hashTokenInto(key *[2 * sha256.Size]byte, token string) {
	var b [maxToken]byte
	h := sha256.Sum256(b[:copy(b[:], token)])
	hex.Encode(key[:], h[:])
}

// Sessions manages sessions in the store. One process owns the store, so
// a copy of each live session is kept in memory: a request reads no JSON
// to find out who is asking.
//
// The store is the truth; the copy never revives what the store ended.
// Activity (LastSeen) is written only onto a stored session that still
// exists, checked inside the write transaction, so a request that read the
// session just before logout or rotation cannot write it back. In memory an
// ended session leaves a tombstone until it could no longer be alive
// anyway, so a request that loaded it from the store just before cannot
// put it back into the copy either. Sweep evicts expired entries and old
// tombstones.
type Sessions struct {
	mu    sync.RWMutex
	cache map[string]cached // key → live session or tombstone

	Store     *store.Store
	Idle      time.Duration
	KioskIdle time.Duration
	Absolute  time.Duration
	// Touch is how stale LastSeen may get before a request writes it.
	Touch time.Duration
	Now   func() time.Time
}

// cached is a session in memory, or the tombstone of an ended one.
type cached struct {
	s     Session
	dead  bool      // ended: never served, never replaced by a live copy
	end   ending    // why it ended
	next  string    // rotated: the key it was rotated into
	until time.Time // a tombstone is kept until then
}

// ending is why a session ended.
type ending uint8

const (
	vanished  ending = iota // found gone from the store (expired, swept)
	loggedOut               // Delete: logout, a new login, expiry
	rotated                 // Rotate: replaced by a new token
)

// Create stores a new session and returns its token.
func (m *Sessions) Create(s Session) (string, Session, error) {
	tok := NewToken()
	now := m.Now()
	s.Key = HashToken(tok)
	s.CreatedAt, s.LastSeen = now, now
	err := m.Store.Update(func(tx *store.Tx) error { return tx.Put(store.Sessions, s.Key, s) })
	if err != nil {
		return "", Session{}, err
	}
	m.remember(s)
	return tok, s, nil
}

// IdleLimit is the idle timeout of s.
func (m *Sessions) IdleLimit(s Session) time.Duration {
	if s.Kiosk {
		return m.KioskIdle
	}
	return m.Idle
}

// ExpiresAt is when s times out if nothing happens.
func (m *Sessions) ExpiresAt(s Session) time.Time {
	idle := s.LastSeen.Add(m.IdleLimit(s))
	abs := s.CreatedAt.Add(m.Absolute)
	if abs.Before(idle) {
		return abs
	}
	return idle
}

// Get loads the session for a token, refusing expired and ended ones, and
// records activity (at most once per Touch interval, to keep reads cheap).
func (m *Sessions) Get(token string) (Session, error) {
	if token == "" || len(token) > maxToken {
		return Session{}, ErrNoSession
	}
	var hashed [2 * sha256.Size]byte
	hashTokenInto(&hashed, token)
	s, err := m.lookup(hashed[:])
	if err != nil {
		return Session{}, err
	}
	key := s.Key // HashToken(token)
	now := m.Now()
	if !now.Before(m.ExpiresAt(s)) {
		_ = m.Delete(key)
		return Session{}, ErrNoSession
	}
	if now.Sub(s.LastSeen) >= m.Touch {
		t, err := m.touch(key, now)
		if errors.Is(err, store.ErrDiskFull) {
			// Recording activity is not worth refusing the request: on a
			// full disk people must still read what they saved.
			return s, nil
		}
		return t, err
	}
	return s, nil
}

// lookup finds the session stored under hashed (HashToken's bytes) in
// memory, else in the store. Found in memory, it allocates nothing.
func (m *Sessions) lookup(hashed []byte) (Session, error) {
	m.mu.RLock()
	c, ok := m.cache[string(hashed)]
	m.mu.RUnlock()
	if ok {
		return c.live()
	}
	key := string(hashed)
	var s Session
	err := m.Store.View(func(tx *store.Tx) error { return tx.Get(store.Sessions, key, &s) })
	if errors.Is(err, store.ErrNotFound) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, err
	}
	s.Key = key
	return m.remember(s)
}

func (c cached) live() (Session, error) {
	switch {
	case c.dead && c.end == rotated:
		return Session{}, ErrRotated
	case c.dead:
		return Session{}, ErrNoSession
	}
	return c.s, nil
}

// remember puts a live session into memory unless it has ended there
// meanwhile (or is there already), and answers what memory now holds.
func (m *Sessions) remember(s Session) (Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c, ok := m.cache[s.Key]; ok {
		return c.live()
	}
	if m.cache == nil {
		m.cache = map[string]cached{}
	}
	m.cache[s.Key] = cached{s: s}
	return s, nil
}

// bury puts a tombstone for key into memory, kept until the session
// would have ended by itself, and returns what was there. A tombstone
// already there stays, except that a logout overrides a rotation (so the
// rotation cannot be undone, and the old token's requests clear the
// cookie).
func (m *Sessions) bury(key string, why ending, next string) (cached, bool) {
	now := m.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cache == nil {
		m.cache = map[string]cached{}
	}
	prev, had := m.cache[key]
	switch {
	case had && prev.dead:
		if why == loggedOut && prev.end == rotated {
			t := prev
			t.end = loggedOut
			m.cache[key] = t
		}
	default:
		t := cached{dead: true, end: why, next: next, until: now.Add(m.Absolute)}
		if had && prev.s.CreatedAt.Add(m.Absolute).Before(t.until) {
			t.until = prev.s.CreatedAt.Add(m.Absolute)
		}
		m.cache[key] = t
	}
	return prev, had
}

// touch records activity on the stored session, if it still exists, and
// answers it.
func (m *Sessions) touch(key string, now time.Time) (Session, error) {
	var s Session
	gone := false
	err := m.Store.Update(func(tx *store.Tx) error {
		s, gone = Session{}, false
		err := tx.Get(store.Sessions, key, &s)
		if errors.Is(err, store.ErrNotFound) {
			gone = true // ended meanwhile: write nothing
			return nil
		}
		if err != nil || !s.LastSeen.Before(now) {
			return err
		}
		s.LastSeen = now
		return tx.Put(store.Sessions, key, s)
	})
	if err != nil {
		return Session{}, err
	}
	if gone {
		if prev, had := m.bury(key, vanished, ""); had && prev.dead {
			return prev.live()
		}
		return Session{}, ErrNoSession
	}
	s.Key = key
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.cache[key]
	switch {
	case ok && c.dead:
		return c.live()
	case ok:
		if s.LastSeen.After(c.s.LastSeen) {
			c.s.LastSeen = s.LastSeen
			m.cache[key] = c
		}
		return c.s, nil
	}
	if m.cache == nil {
		m.cache = map[string]cached{}
	}
	m.cache[key] = cached{s: s}
	return s, nil
}

// Rotate gives s a new token (and key), ending the old one, e.g. when
// acting-for changes. It fails with ErrNoSession when the old session has
// ended meanwhile (a logout racing with the change).
func (m *Sessions) Rotate(s Session) (string, Session, error) {
	old := s.Key
	tok := NewToken()
	s.Key = HashToken(tok)
	s.LastSeen = m.Now()
	if prev, had := m.bury(old, rotated, s.Key); had && prev.dead {
		return "", Session{}, ErrNoSession
	}
	gone := false
	err := m.Store.Update(func(tx *store.Tx) error {
		gone = !tx.Has(store.Sessions, old)
		if gone {
			return nil
		}
		if err := tx.Delete(store.Sessions, old); err != nil {
			return err
		}
		return tx.Put(store.Sessions, s.Key, s)
	})
	if err != nil || gone {
		m.mu.Lock()
		if c := m.cache[old]; c.dead && c.end == rotated && c.next == s.Key {
			if err != nil {
				// Nothing was written: the old session lives on (unless a
				// logout came meanwhile, which replaced this tombstone).
				delete(m.cache, old)
			} else {
				c.end, c.next = vanished, "" // it had ended: not a rotation
				m.cache[old] = c
			}
		}
		m.mu.Unlock()
		if err != nil {
			return "", Session{}, err
		}
		return "", Session{}, ErrNoSession
	}
	if _, err := m.remember(s); err != nil {
		return "", Session{}, err // logged out while rotating
	}
	return tok, s, nil
}

// End ends the session a token names: logout. A token rotated away a
// moment ago (its request raced with an acting-for change) ends the
// session it was rotated into as well.
func (m *Sessions) End(token string) error {
	if token == "" || len(token) > 100 {
		return nil
	}
	return m.Delete(HashToken(token))
}

// Delete ends a session by key, and what it was rotated into.
func (m *Sessions) Delete(key string) error {
	var keys []string
	for k := key; k != "" && len(keys) < 8; {
		keys = append(keys, k)
		prev, had := m.bury(k, loggedOut, "")
		k = ""
		if had && prev.dead && prev.end == rotated {
			k = prev.next
		}
	}
	return m.Store.Update(func(tx *store.Tx) error {
		for _, k := range keys {
			if err := tx.Delete(store.Sessions, k); err != nil {
				return err
			}
		}
		return nil
	})
}

// Sweep deletes expired sessions and returns how many it removed. It also
// evicts expired sessions and old tombstones from memory.
func (m *Sessions) Sweep() (int, error) {
	now := m.Now()
	m.evict(now)
	var dead []string
	err := m.Store.View(func(tx *store.Tx) error {
		return tx.Scan(store.Sessions, "", func(k string, raw []byte) error {
			var s Session
			if err := jsonUnmarshal(raw, &s); err != nil {
				dead = append(dead, k)
				return nil
			}
			if !now.Before(m.ExpiresAt(s)) {
				dead = append(dead, k)
			}
			return nil
		})
	})
	if err != nil || len(dead) == 0 {
		return 0, err
	}
	return len(dead), m.Store.UpdateAlone(func(tx *store.Tx) error {
		for _, k := range dead {
			if err := tx.Delete(store.Sessions, k); err != nil {
				return err
			}
		}
		return nil
	})
}

// evict drops expired sessions and tombstones past their time from memory.
// An expired session needs no tombstone: the store copy is expired too,
// so loading it again refuses it.
func (m *Sessions) evict(now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, c := range m.cache {
		if c.dead && !now.Before(c.until) || !c.dead && !now.Before(m.ExpiresAt(c.s)) {
			delete(m.cache, k)
		}
	}
}

// cached reports how many entries memory holds (sessions and tombstones).
func (m *Sessions) cachedLen() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.cache)
}

// CSRFToken derives the anti-forgery token bound to a session key or a
// pre-session cookie value.
func CSRFToken(secret []byte, binding string) string {
	m := csrfMAC(secret)
	defer m.put()
	return string(m.token(binding))
}

// csrfMACs are HMACs keyed with the installation's secret, each with room
// for a token, for CSRFToken and CheckCSRF: a state-changing request
// checks one, and a new HMAC with its key schedule, digest and strings
// was about ten allocations of every such request.
var csrfMACs atomic.Pointer[csrfPool]

type csrfPool struct {
	secret []byte
	pool   sync.Pool // *csrfMACState
}

type csrfMACState struct {
	pool *csrfPool
	mac  hash.Hash
	in   []byte                        // "csrf:" + binding
	sum  [sha256.Size]byte             // the HMAC
	tok  [(sha256.Size*8 + 5) / 6]byte // the HMAC in base64 (RawURLEncoding)
	pres []byte                        // a presented token
}

// csrfMAC is an HMAC keyed with secret, from the pool of the last secret
// asked for (one per installation; tests make more).
func csrfMAC(secret []byte) *csrfMACState {
	p := csrfMACs.Load()
	if p == nil || !bytes.Equal(p.secret, secret) {
		p = &csrfPool{secret: bytes.Clone(secret)}
		csrfMACs.Store(p)
	}
	if m, ok := p.pool.Get().(*csrfMACState); ok {
		m.mac.Reset()
		return m
	}
	return &csrfMACState{pool: p, mac: hmac.New(sha256.New, p.secret)}
}

func (m *csrfMACState) put() { m.pool.pool.Put(m) }

// token is CSRFToken's bytes, valid until m is put back.
func (m *csrfMACState) token(binding string) []byte {
	m.in = append(append(m.in[:0], "csrf:"...), binding...)
	m.mac.Write(m.in)
	base64.RawURLEncoding.Encode(m.tok[:], m.mac.Sum(m.sum[:0]))
	return m.tok[:]
}

// Secret is the installation's key for CSRF tokens, made and stored at
// the first start so tokens outlive a restart.
func Secret(st *store.Store) ([]byte, error) {
	var secret string
	err := st.UpdateAlone(func(tx *store.Tx) error {
		err := tx.Get(store.Settings, "secret", &secret)
		if errors.Is(err, store.ErrNotFound) {
			secret = NewToken()
			return tx.Put(store.Settings, "secret", secret)
		}
		return err
	})
	return []byte(secret), err
}

// CheckCSRF compares a presented token in constant time.
func CheckCSRF(secret []byte, binding, presented string) bool {
	if binding == "" || presented == "" {
		return false
	}
	m := csrfMAC(secret)
	defer m.put()
	m.pres = append(m.pres[:0], presented...)
	return hmac.Equal(m.token(binding), m.pres)
}

// AccountKey is the rate-limit key of a login name (a henkilötunnus or a
// staff username) as typed: the same account however it is written, and
// a hash, so memory holds no henkilötunnus.
func AccountKey(user string) string {
	return HashToken(strings.ToUpper(strings.TrimSpace(user)))
}
