package mandates

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"asiointi/server/store"
)

// Link is the application's side of the per-person flow the protocol
// needs, kept in the store (bucket mandate_sessions, key the person's
// id): Begin registers a Mandates session for the logged-in person and
// gives the URL to send the browser to; Complete checks the state the
// browser brings back, exchanges the code for a token and reads whom the
// person chose; Allowed asks, on every check of the right, whether the
// person may still act for the principal on an issue; End unregisters
// the session at logout. A person has one Mandates session at a time: a
// new Begin ends the old one.
type Link struct {
	Client *Client
	Store  *store.Store
	Now    func() time.Time
	// Timeout bounds each call (default 10 s).
	Timeout time.Duration
}

// record is a person's Mandates session in the store.
type record struct {
	Kind      string            `json:"kind"` // Persons or Organizations
	Session   Session           `json:"session"`
	State     string            `json:"state"` // the browser's round trip, until Complete
	Token     string            `json:"token,omitempty"`
	Chosen    *Delegate         `json:"chosen,omitempty"`
	ChosenOrg *OrganizationRole `json:"chosenOrg,omitempty"`
	At        time.Time         `json:"at"`
}

// Errors of the flow.
var (
	// ErrNoSession: the person has no Mandates session (or chose no one).
	ErrNoSession = errors.New("mandates: no Mandates session for the person")
	// ErrBadState: the browser came back with a state this person was not
	// sent with (a forged or replayed return).
	ErrBadState = errors.New("mandates: the return does not match the request")
	// ErrNoneChosen: the person came back without choosing anyone.
	ErrNoneChosen = errors.New("mandates: nobody was chosen")
)

func (l *Link) ctx(parent context.Context) (context.Context, context.CancelFunc) {
	d := l.Timeout
	if d <= 0 {
		d = 10 * time.Second
	}
	return context.WithTimeout(parent, d)
}

func (l *Link) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

func (l *Link) load(user string) (record, error) {
	var r record
	err := l.Store.View(func(tx *store.Tx) error { return tx.Get(store.MandateSessions, user, &r) })
	if errors.Is(err, store.ErrNotFound) {
		return r, ErrNoSession
	}
	return r, err
}

// Begin registers a Mandates session of kind (Persons: to act for a
// person; Organizations: for an organisation) for the person (id user,
// henkilötunnus hetu) and returns where to send their browser; it comes
// back to redirect with a code and the state.
func (l *Link) Begin(parent context.Context, user, hetu, kind, redirect, lang string) (string, error) {
	if kind != Persons && kind != Organizations {
		return "", fmt.Errorf("mandates: unknown session kind %q", kind)
	}
	if old, err := l.load(user); err == nil {
		l.unregister(parent, old) // a new choice replaces the old session
	}
	ctx, cancel := l.ctx(parent)
	defer cancel()
	s, err := l.Client.Register(ctx, kind, hetu)
	if err != nil {
		return "", err
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	r := record{Kind: kind, Session: s, State: hex.EncodeToString(b), At: l.now()}
	if err := l.Store.Update(func(tx *store.Tx) error { return tx.Put(store.MandateSessions, user, r) }); err != nil {
		return "", err
	}
	return l.Client.AuthorizeURL(s, redirect, lang, r.State), nil
}

// Choice is whom the person chose in Suomi.fi Mandates: a person
// (henkilötunnus) or an organisation (business id) with the person's
// roles in it.
type Choice struct {
	Person       string
	Organization *OrganizationRole
}

// Complete finishes the browser's round trip: the state must be the one
// Begin sent, the code is exchanged for a token (at redirect, the same
// URL Begin named), and whom the user chose is returned (a person's
// delegate list, or an organisation's roles).
func (l *Link) Complete(parent context.Context, user, code, state, redirect string) (Choice, error) {
	r, err := l.load(user)
	if err != nil {
		return Choice{}, err
	}
	if r.State == "" || subtle.ConstantTimeCompare([]byte(r.State), []byte(state)) != 1 || code == "" {
		return Choice{}, ErrBadState
	}
	ctx, cancel := l.ctx(parent)
	defer cancel()
	tok, err := l.Client.Token(ctx, code, redirect)
	if err != nil {
		return Choice{}, err
	}
	var out Choice
	if r.Kind == Organizations {
		os, err := l.Client.OrganizationRoles(ctx, r.Session, tok)
		if err != nil {
			return Choice{}, err
		}
		if len(os) == 0 || os[0].Identifier == "" || len(os[0].Roles) == 0 {
			return Choice{}, ErrNoneChosen
		}
		r.ChosenOrg, out.Organization = &os[0], &os[0]
	} else {
		ds, err := l.Client.Delegates(ctx, r.Session, tok)
		if err != nil {
			return Choice{}, err
		}
		if len(ds) == 0 || ds[0].PersonID == "" {
			return Choice{}, ErrNoneChosen
		}
		r.Chosen, out.Person = &ds[0], ds[0].PersonID
	}
	r.State, r.Token = "", tok
	if err := l.Store.Update(func(tx *store.Tx) error { return tx.Put(store.MandateSessions, user, r) }); err != nil {
		return Choice{}, err
	}
	return out, nil
}

// Chosen is the principal the person chose in Suomi.fi Mandates in their
// current session (ErrNoSession when none).
func (l *Link) Chosen(user string) (Delegate, error) {
	r, err := l.load(user)
	if err != nil {
		return Delegate{}, err
	}
	if r.Chosen == nil {
		return Delegate{}, ErrNoSession
	}
	return *r.Chosen, nil
}

// Allowed asks Suomi.fi Mandates whether the person may act for the
// principal (henkilötunnus) on every issue now: the answer of the
// service at the moment of the call, so a mandate revoked or expired
// since it was chosen is refused. ErrNoSession when the person chose no
// one there; ErrUnavailable when the service does not answer.
func (l *Link) Allowed(parent context.Context, user, principal string, issues []string) (bool, error) {
	r, err := l.load(user)
	if err != nil {
		return false, err
	}
	if r.Token == "" {
		return false, ErrNoSession
	}
	ctx, cancel := l.ctx(parent)
	defer cancel()
	res, err := l.Client.Authorization(ctx, r.Session, r.Token, principal, issues)
	if err != nil {
		var api *APIError
		if errors.As(err, &api) && api.Status == 401 {
			return false, fmt.Errorf("%w: %v", ErrNoSession, err) // the token ended
		}
		return false, err
	}
	return res == Allowed, nil
}

// OrganizationRoles asks Suomi.fi Mandates which roles the person holds
// now in the organisation (business id) they chose there: the service's
// answer at the moment of the call, so a role that ended or a mandate
// revoked since the choice is gone (no roles, nil error). ErrNoSession
// when the person chose no organisation there, or another one;
// ErrUnavailable when the service does not answer.
func (l *Link) OrganizationRoles(parent context.Context, user, businessID string) ([]string, error) {
	r, err := l.load(user)
	if err != nil {
		return nil, err
	}
	if r.Token == "" || r.ChosenOrg == nil || r.ChosenOrg.Identifier != businessID {
		return nil, ErrNoSession
	}
	ctx, cancel := l.ctx(parent)
	defer cancel()
	os, err := l.Client.OrganizationRoles(ctx, r.Session, r.Token)
	if err != nil {
		var api *APIError
		if errors.As(err, &api) && api.Status == 401 {
			return nil, fmt.Errorf("%w: %v", ErrNoSession, err) // the token ended
		}
		return nil, err
	}
	var roles []string
	for _, o := range os {
		if o.Identifier == businessID {
			roles = append(roles, o.Roles...)
		}
	}
	return roles, nil
}

// End unregisters the person's Mandates session, if any, and forgets it
// (at logout). The session is forgotten even when the service does not
// answer.
func (l *Link) End(parent context.Context, user string) error {
	r, err := l.load(user)
	if errors.Is(err, ErrNoSession) {
		return nil
	}
	if err != nil {
		return err
	}
	uerr := l.unregister(parent, r)
	if err := l.Store.Update(func(tx *store.Tx) error { return tx.Delete(store.MandateSessions, user) }); err != nil {
		return err
	}
	return uerr
}

func (l *Link) unregister(parent context.Context, r record) error {
	ctx, cancel := l.ctx(parent)
	defer cancel()
	return l.Client.Unregister(ctx, r.Kind, r.Session)
}

// ChosenOrganization is the organisation the person chose in their
// current Mandates session, with their roles in it
// (identity.MandatesChoice).
func (l *Link) ChosenOrganization(user string) (string, []string, bool) {
	r, err := l.load(user)
	if err != nil || r.ChosenOrg == nil {
		return "", nil, false
	}
	return r.ChosenOrg.Identifier, r.ChosenOrg.Roles, true
}

// ChosenHetu is the henkilötunnus of the principal the person chose in
// their current Mandates session (identity.MandatesChoice).
func (l *Link) ChosenHetu(user string) (string, bool) {
	d, err := l.Chosen(user)
	if err != nil {
		return "", false
	}
	return d.PersonID, true
}
