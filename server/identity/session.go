// Package identity holds who is logged in: server-side sessions, the people
// and staff they log in as, and the acting-for principal.
package identity

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"sync"
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
	Key        string    `json:"-"`
	UserID     string    `json:"userId"`
	Kind       string    `json:"kind"`
	Name       string    `json:"name"`
	Role       string    `json:"role,omitempty"`
	ActingFor  string    `json:"actingFor,omitempty"`
	ActingAs   string    `json:"actingAs,omitempty"` // guardian | mandate | organization
	ActingName string    `json:"actingName,omitempty"`
	Kiosk      bool      `json:"kiosk,omitempty"`
	CreatedAt  time.Time `json:"createdAt"`
	LastSeen   time.Time `json:"lastSeen"`
}

// ErrNoSession means the token is unknown or has expired.
var ErrNoSession = errors.New("identity: no session")

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

// Sessions manages sessions in the store. One process owns the store, so
// a copy of each live session is kept in memory and written through: a
// request reads no JSON to find out who is asking.
type Sessions struct {
	cache     sync.Map // key → Session
	Store     *store.Store
	Idle      time.Duration
	KioskIdle time.Duration
	Absolute  time.Duration
	// Touch is how stale LastSeen may get before a request writes it.
	Touch time.Duration
	Now   func() time.Time
}

// Create stores a new session and returns its token.
func (m *Sessions) Create(s Session) (string, Session, error) {
	tok := NewToken()
	now := m.Now()
	s.Key = HashToken(tok)
	s.CreatedAt, s.LastSeen = now, now
	err := m.Store.Update(func(tx *store.Tx) error { return tx.Put(store.Sessions, s.Key, s) })
	if err == nil {
		m.cache.Store(s.Key, s)
	}
	return tok, s, err
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

// Get loads the session for a token, refusing expired ones, and records
// activity (at most once per Touch interval, to keep reads cheap).
func (m *Sessions) Get(token string) (Session, error) {
	if token == "" || len(token) > 100 {
		return Session{}, ErrNoSession
	}
	key := HashToken(token)
	var s Session
	if c, ok := m.cache.Load(key); ok {
		s = c.(Session)
	} else {
		err := m.Store.View(func(tx *store.Tx) error { return tx.Get(store.Sessions, key, &s) })
		if errors.Is(err, store.ErrNotFound) {
			return Session{}, ErrNoSession
		}
		if err != nil {
			return Session{}, err
		}
		s.Key = key
		m.cache.Store(key, s)
	}
	now := m.Now()
	if !now.Before(m.ExpiresAt(s)) {
		_ = m.Delete(key)
		return Session{}, ErrNoSession
	}
	if now.Sub(s.LastSeen) >= m.Touch {
		s.LastSeen = now
		if err := m.Save(s); err != nil {
			return Session{}, err
		}
	}
	return s, nil
}

// Save writes s back (acting-for changes, activity).
func (m *Sessions) Save(s Session) error {
	err := m.Store.Update(func(tx *store.Tx) error { return tx.Put(store.Sessions, s.Key, s) })
	if err == nil {
		m.cache.Store(s.Key, s)
	}
	return err
}

// Rotate gives s a new token (and key), deleting the old one, e.g. when
// acting-for changes.
func (m *Sessions) Rotate(s Session) (string, Session, error) {
	old := s.Key
	tok := NewToken()
	s.Key = HashToken(tok)
	s.LastSeen = m.Now()
	err := m.Store.Update(func(tx *store.Tx) error {
		if err := tx.Delete(store.Sessions, old); err != nil {
			return err
		}
		return tx.Put(store.Sessions, s.Key, s)
	})
	if err == nil {
		m.cache.Delete(old)
		m.cache.Store(s.Key, s)
	}
	return tok, s, err
}

// Delete ends a session by key.
func (m *Sessions) Delete(key string) error {
	m.cache.Delete(key)
	return m.Store.Update(func(tx *store.Tx) error { return tx.Delete(store.Sessions, key) })
}

// Sweep deletes expired sessions and returns how many it removed.
func (m *Sessions) Sweep() (int, error) {
	now := m.Now()
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
	for _, k := range dead {
		m.cache.Delete(k)
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

// CSRFToken derives the anti-forgery token bound to a session key or a
// pre-session cookie value.
func CSRFToken(secret []byte, binding string) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("csrf:" + binding))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// CheckCSRF compares a presented token in constant time.
func CheckCSRF(secret []byte, binding, presented string) bool {
	if binding == "" || presented == "" {
		return false
	}
	return hmac.Equal([]byte(CSRFToken(secret, binding)), []byte(presented))
}
