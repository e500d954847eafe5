package cases

import (
	"errors"
	"slices"
	"strings"
	"time"

	"asiointi/server/audit"
	"asiointi/server/fincode"
	"asiointi/server/identity"
	"asiointi/server/notify"
	"asiointi/server/store"
)

// Sharing a case view: the person an application is about (or who sent
// it for them) lets someone else — a relative, an assistant — read it,
// read-only, until a day or until it is revoked. A share is bound to the
// invitee's identity: it names them by henkilötunnus, they must be a
// person the register knows, and they see it after logging in as
// themself ("shared with me"). No link or token exists that could be
// passed on. Every view by the invitee is an entry in the access log of
// the people the application is about.
//
// Keys in store.Shares: "s/<share id>" → the share; "c/<case id>/<share
// id>" and "p/<invitee id>/<share id>" → nothing (the indexes).
const ShareDays = 30

// MaxShares bounds the shares of one application.
const MaxShares = 10

// Share is one person's read-only access to an application.
type Share struct {
	ID        string     `json:"id"`
	Case      string     `json:"case"`
	Reference string     `json:"reference"`
	Service   string     `json:"service"`
	By        Ref        `json:"by"`      // who shared it
	Invitee   Ref        `json:"invitee"` // with whom (register id and name)
	CreatedAt time.Time  `json:"createdAt"`
	ExpiresAt time.Time  `json:"expiresAt"`
	RevokedAt *time.Time `json:"revokedAt,omitempty"`
}

// Active reports whether the share lets its invitee read the case at now.
func (s *Share) Active(now time.Time) bool { return s.RevokedAt == nil && now.Before(s.ExpiresAt) }

// Refusals of sharing.
var (
	// ErrShareInvitee: the henkilötunnus is not valid, not a person the
	// register knows, does not match the name, or is the sharer's own.
	ErrShareInvitee = errors.New("cases: no such person to share with")
	// ErrTooManyShares: the application has MaxShares active shares.
	ErrTooManyShares = errors.New("cases: too many shares")
)

func shareKey(id string) string               { return "s/" + id }
func shareCaseKey(caseID, id string) string   { return "c/" + caseID + "/" + id }
func sharePersonKey(person, id string) string { return "p/" + person + "/" + id }

// sharerCase loads a case that who may share: one about them or sent by them.
func (s *Service) sharerCase(tx *store.Tx, caseID string, who Ref) (*Case, error) {
	c, a, err := s.caseFor(tx, viewer{Ref: who}, caseID)
	if err != nil {
		return nil, err
	}
	if a != ResidentAccess || (who.ID != c.Actor.ID && who.ID != c.Subject().ID) {
		return nil, ErrNotFound
	}
	return c, nil
}

// ShareCase lets the person with henkilötunnus hetu (and that last name,
// as a check against a typo) read the application for ShareDays.
func (s *Service) ShareCase(caseID string, who Ref, name, hetu string) (*Share, error) {
	hetu = strings.ToUpper(strings.TrimSpace(hetu))
	if !fincode.ValidHetu(hetu) {
		return nil, ErrShareInvitee
	}
	p, err := s.Register.PersonByHetu(hetu)
	if err != nil || p.ID == who.ID || !strings.Contains(strings.ToLower(name), strings.ToLower(p.LastName)) {
		return nil, ErrShareInvitee
	}
	now := s.Now()
	var out *Share
	err = s.Store.Update(func(tx *store.Tx) error {
		c, err := s.sharerCase(tx, caseID, who)
		if err != nil {
			return err
		}
		list, err := caseShares(tx, c.ID)
		if err != nil {
			return err
		}
		active := 0
		for _, sh := range list {
			if sh.Active(now) {
				if sh.Invitee.ID == p.ID { // already shared: extend it
					sh.ExpiresAt = now.AddDate(0, 0, ShareDays)
					out = sh
					return tx.Put(store.Shares, shareKey(sh.ID), sh)
				}
				active++
			}
		}
		if active >= MaxShares {
			return ErrTooManyShares
		}
		sh := &Share{ID: store.NewID(now), Case: c.ID, Reference: c.Reference, Service: c.Service, By: who,
			Invitee: Ref{ID: p.ID, Name: p.Name(), Kind: identity.Resident}, CreatedAt: now, ExpiresAt: now.AddDate(0, 0, ShareDays)}
		if err := tx.Put(store.Shares, shareKey(sh.ID), sh); err != nil {
			return err
		}
		if err := tx.PutRaw(store.Shares, shareCaseKey(c.ID, sh.ID), nil); err != nil {
			return err
		}
		out = sh
		if err := tx.PutRaw(store.Shares, sharePersonKey(p.ID, sh.ID), nil); err != nil {
			return err
		}
		return sharedTold(tx, c, sh)
	})
	return out, err
}

// sharedTold tells, in the transaction of a new share, the person it lets
// read the application, and the person the application is about when
// someone else (who sent it for them) shared it: their data is shown to
// a third person.
func sharedTold(tx *store.Tx, c *Case, sh *Share) error {
	params := map[string]string{"service": c.Service, "reference": c.Reference, "actor": sh.By.Name, "party": sh.Invitee.Name}
	if err := notify.Record(tx, notify.Notification{User: sh.Invitee.ID, Kind: notify.KindCaseShared, At: sh.CreatedAt,
		Link: "/shared/" + c.ID, Params: params}); err != nil {
		return err
	}
	subject := c.Subject()
	if subject.ID == sh.By.ID || subject.Kind == identity.PrincipalOrganization {
		return nil
	}
	return notify.Record(tx, notify.Notification{User: subject.ID, Kind: notify.KindProxyShared, At: sh.CreatedAt,
		Link: "/cases/" + c.ID, Params: params})
}

func caseShares(tx *store.Tx, caseID string) ([]*Share, error) {
	var out []*Share
	err := tx.Scan(store.Shares, "c/"+caseID+"/", func(k string, _ []byte) error {
		var sh Share
		if err := tx.Get(store.Shares, shareKey(k[strings.LastIndexByte(k, '/')+1:]), &sh); err != nil {
			return err
		}
		out = append(out, &sh)
		return nil
	})
	return out, err
}

// CaseShares lists an application's shares for who may share it.
func (s *Service) CaseShares(caseID string, who Ref) ([]*Share, error) {
	var out []*Share
	err := s.Store.View(func(tx *store.Tx) error {
		if _, err := s.sharerCase(tx, caseID, who); err != nil {
			return err
		}
		var err error
		out, err = caseShares(tx, caseID)
		return err
	})
	return out, err
}

// RevokeShare ends a share at once.
func (s *Service) RevokeShare(caseID, shareID string, who Ref) error {
	now := s.Now()
	return s.Store.Update(func(tx *store.Tx) error {
		if _, err := s.sharerCase(tx, caseID, who); err != nil {
			return err
		}
		var sh Share
		if !store.ValidID(shareID) || tx.Get(store.Shares, shareKey(shareID), &sh) != nil || sh.Case != caseID {
			return ErrNotFound
		}
		if sh.RevokedAt != nil {
			return nil
		}
		at := now.UTC()
		sh.RevokedAt = &at
		return tx.Put(store.Shares, shareKey(sh.ID), &sh)
	})
}

// SharedWithMe lists the active shares whose invitee is person.
func (s *Service) SharedWithMe(person string) ([]*Share, error) {
	now := s.Now()
	var out []*Share
	err := s.Store.View(func(tx *store.Tx) error {
		return tx.Scan(store.Shares, "p/"+person+"/", func(k string, _ []byte) error {
			var sh Share
			if err := tx.Get(store.Shares, shareKey(k[strings.LastIndexByte(k, '/')+1:]), &sh); err != nil {
				return err
			}
			if sh.Active(now) {
				out = append(out, &sh)
			}
			return nil
		})
	})
	return out, err
}

// SharedCase is an application shared with who, read-only, recording the
// view in the access log of each person the application is about. Access
// is decided where every other is (caseFor, SharedRead): a share that is
// revoked or expired, someone else's, or an id not shared is ErrNotFound.
func (s *Service) SharedCase(caseID string, who Ref) (*Case, error) {
	now := s.Now()
	var c *Case
	err := s.Store.Update(func(tx *store.Tx) error {
		var err error
		if c, _, err = s.caseFor(tx, viewer{Ref: who, viaShare: now}, caseID); err != nil {
			return err
		}
		var entries []audit.Access
		for _, p := range shownPeople(c) {
			if p == who.ID || slices.ContainsFunc(entries, func(a audit.Access) bool { return a.Subject == p }) {
				continue
			}
			entries = append(entries, audit.Access{At: now, Actor: audit.Actor{ID: who.ID, Name: who.Name, Role: "resident"},
				Subject: p, Kind: audit.KindCase, Purpose: audit.PurposeShared, Case: c.ID, Reference: c.Reference})
		}
		return audit.RecordAccess(tx, now, entries...)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// activeShare: the case caseID is shared with person, actively at now
// (the person's index is as long as the shares they were given).
func activeShare(tx *store.Tx, person, caseID string, now time.Time) bool {
	ok := false
	err := tx.Scan(store.Shares, "p/"+person+"/", func(k string, _ []byte) error {
		var sh Share
		if err := tx.Get(store.Shares, shareKey(k[strings.LastIndexByte(k, '/')+1:]), &sh); err != nil {
			return err
		}
		if sh.Case == caseID && sh.Active(now) {
			ok = true
			return store.ErrStop
		}
		return nil
	})
	return err == nil && ok
}

// deleteShares removes an application's shares (retention).
func deleteShares(tx *store.Tx, caseID string) error {
	list, err := caseShares(tx, caseID)
	if err != nil {
		return err
	}
	for _, sh := range list {
		for _, k := range []string{shareKey(sh.ID), shareCaseKey(caseID, sh.ID), sharePersonKey(sh.Invitee.ID, sh.ID)} {
			if err := tx.Delete(store.Shares, k); err != nil {
				return err
			}
		}
	}
	return nil
}
