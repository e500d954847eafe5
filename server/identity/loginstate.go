package identity

import (
	"encoding/json"
	"errors"
	"time"

	"asiointi/server/store"
)

// LoginStates keeps what a login or logout with an outside identity
// provider needs between the redirect out and the answer back (the SAML
// request id, the OIDC state, nonce and PKCE verifier, where to go
// afterwards), under the hash of a random token that only the browser's
// cookie holds, and the one-time ids already used (SAML assertions), so a
// replayed answer is refused. Every record expires.
type LoginStates struct {
	Store *store.Store
	Now   func() time.Time
}

// ErrNoLoginState means the token names no attempt in flight: unknown,
// used already, or expired.
var ErrNoLoginState = errors.New("identity: no such login attempt")

// ErrReplayed means a one-time id was used already.
var ErrReplayed = errors.New("identity: already used")

type loginRecord struct {
	Expires time.Time       `json:"expires"`
	Data    json.RawMessage `json:"data,omitempty"`
}

// Begin records v for ttl under a new token, which it returns.
func (l *LoginStates) Begin(kind string, v any, ttl time.Duration) (string, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	tok := NewToken()
	rec := loginRecord{Expires: l.Now().Add(ttl), Data: raw}
	err = l.Store.Update(func(tx *store.Tx) error { return tx.Put(store.LoginState, kind+"/"+HashToken(tok), rec) })
	return tok, err
}

// Take reads the attempt a token names into v and removes it: an attempt
// is answered once. It fails with ErrNoLoginState when there is none (or
// it has expired).
func (l *LoginStates) Take(kind, token string, v any) error {
	if token == "" || len(token) > 100 {
		return ErrNoLoginState
	}
	key := kind + "/" + HashToken(token)
	var rec loginRecord
	found := false
	err := l.Store.Update(func(tx *store.Tx) error {
		rec, found = loginRecord{}, false
		err := tx.Get(store.LoginState, key, &rec)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		found = true
		return tx.Delete(store.LoginState, key)
	})
	if err != nil {
		return err
	}
	if !found || !l.Now().Before(rec.Expires) {
		return ErrNoLoginState
	}
	return json.Unmarshal(rec.Data, v)
}

// Consume records a one-time id as used until expires; it fails with
// ErrReplayed when the id was used already.
func (l *LoginStates) Consume(id string, expires time.Time) error {
	key := "used/" + id
	now := l.Now()
	replayed := false
	err := l.Store.Update(func(tx *store.Tx) error {
		replayed = false
		var rec loginRecord
		err := tx.Get(store.LoginState, key, &rec)
		if err == nil && now.Before(rec.Expires) {
			replayed = true
			return nil
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return tx.Put(store.LoginState, key, loginRecord{Expires: expires})
	})
	if err != nil {
		return err
	}
	if replayed {
		return ErrReplayed
	}
	return nil
}

// Sweep removes expired records and answers how many.
func (l *LoginStates) Sweep() (int, error) {
	now := l.Now()
	var dead []string
	err := l.Store.View(func(tx *store.Tx) error {
		return tx.Scan(store.LoginState, "", func(k string, raw []byte) error {
			var rec loginRecord
			if err := json.Unmarshal(raw, &rec); err != nil || !now.Before(rec.Expires) {
				dead = append(dead, k)
			}
			return nil
		})
	})
	if err != nil || len(dead) == 0 {
		return 0, err
	}
	return len(dead), l.Store.Update(func(tx *store.Tx) error {
		for _, k := range dead {
			if err := tx.Delete(store.LoginState, k); err != nil {
				return err
			}
		}
		return nil
	})
}

// EndWhere ends every stored session for which match is true (a logout
// the identity provider started, naming its own session), and answers
// their keys.
func (m *Sessions) EndWhere(match func(Session) bool) ([]string, error) {
	var keys []string
	err := m.Store.View(func(tx *store.Tx) error {
		return tx.Scan(store.Sessions, "", func(k string, raw []byte) error {
			var s Session
			if err := json.Unmarshal(raw, &s); err == nil && match(s) {
				keys = append(keys, k)
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if err := m.Delete(k); err != nil {
			return nil, err
		}
	}
	return keys, nil
}
