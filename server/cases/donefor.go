package cases

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"asiointi/server/identity"
	"asiointi/server/store"
)

// Actions someone took in another's name ("done in my name"). Starting a
// draft and editing it are logged but not notified; the others are
// finished actions, and the principal is told of each.
const (
	ActionStarted            = "started"
	ActionEdited             = "edited" // autosaves, one entry per draft
	ActionSubmitted          = "submitted"
	ActionSupplementAnswered = "supplement-answered"
	ActionApproved           = "approved"
	ActionWithdrawn          = "withdrawn"
	ActionViewed             = "viewed"
)

// DoneFor is one entry of the log of what was done in a principal's name
// (bucket done_for, key "principal id/entry id"). It is written in the
// same transaction as the action. The edits of one draft are one entry:
// Count saves between From and At.
type DoneFor struct {
	ID        string    `json:"id"`
	Principal string    `json:"principal"`
	At        time.Time `json:"at"`
	Actor     Ref       `json:"actor"`
	// Role is the actor's role in the organisation acted for, if any.
	Role      string    `json:"role,omitempty"`
	Action    string    `json:"action"`
	Service   string    `json:"service"`
	Draft     string    `json:"draft,omitempty"`
	Case      string    `json:"case,omitempty"`
	Reference string    `json:"reference,omitempty"`
	From      time.Time `json:"from,omitempty"`
	Count     int       `json:"count,omitempty"`
}

// proxied tells whether owner acts in someone else's name.
func proxied(owner Ref, principal *Ref) bool { return principal != nil && principal.ID != owner.ID }

// logDoneFor writes an entry of the principal's log in tx.
func logDoneFor(tx *store.Tx, e DoneFor) error {
	if e.ID == "" {
		e.ID = store.NewID(e.At)
	}
	return tx.Put(store.DoneFor, e.Principal+"/"+e.ID, e)
}

// editKey is the key of a draft's one edit summary in its principal's log.
func editKey(principal, draft string) string { return principal + "/" + draft + "-edits" }

// logEdit counts one more save of a draft made in someone else's name
// (nothing for a draft of one's own), with the owner's role in the
// organisation it is for, if any.
func logEdit(tx *store.Tx, d *Draft, role string, at time.Time) error {
	if !proxied(d.Owner, d.Principal) {
		return nil
	}
	var e DoneFor
	err := tx.Get(store.DoneFor, editKey(d.Principal.ID, d.ID), &e)
	switch {
	case errors.Is(err, store.ErrNotFound):
		e = DoneFor{ID: d.ID + "-edits", Principal: d.Principal.ID, Actor: d.Owner, Action: ActionEdited,
			Service: d.Service, Draft: d.ID, From: at}
	case err != nil:
		return err
	}
	e.At = at
	e.Count++
	if role != "" {
		e.Role = role
	}
	return tx.Put(store.DoneFor, editKey(d.Principal.ID, d.ID), e)
}

// roleIn is the viewer's role in the organisation org by their relations
// (viewerOf), "" for none.
func (v viewer) roleIn(org string) string {
	for _, r := range v.rels {
		if r.ID == org && r.Kind == identity.PrincipalOrganization && r.Role != "" {
			return r.Role
		}
	}
	return ""
}

// roleIn is the owner's role in the organisation principal, "" for
// other principals.
func (s *Service) roleIn(owner Ref, principal *Ref, now time.Time) string {
	if principal == nil || principal.Kind != identity.PrincipalOrganization {
		return ""
	}
	rels, err := s.relations(owner.ID, principal.ID, now)
	if err != nil {
		return ""
	}
	for _, r := range rels {
		if r.Role != "" {
			return r.Role
		}
	}
	return ""
}

// DoneForQuery filters and pages a principal's log.
type DoneForQuery struct {
	Actor    string    // only this actor's actions; "" all
	From, To time.Time // the period (zero: open); To is exclusive
	Before   string    // the cursor: entries after this one (Cursor)
	Limit    int       // entries per page (default and max 50)
}

// Cursor is the paging cursor after e (newest first).
func (e DoneFor) Cursor() string {
	return e.At.UTC().Format("2006-01-02T15:04:05.000000000Z") + "~" + e.ID
}

// DoneForPage is one page of a principal's log.
type DoneForPage struct {
	Entries []DoneFor
	Next    string // the cursor of the next page; "" at the end
	Actors  []Ref  // everyone who acted in the principal's name, for the filter
}

// ErrNotYours: the log asked for is not one the person may read.
var ErrNotYours = fmt.Errorf("%w: not the person's own log or their child's", ErrNotFound)

// DoneForMe is what others did in the name of principal, newest first,
// for viewer: their own log, or (while they are the guardian of a minor)
// their child's, or that of an organisation they hold a role in. Anyone
// else gets ErrNotYours.
func (s *Service) DoneForMe(viewer, principal string, q DoneForQuery) (*DoneForPage, error) {
	if principal == "" {
		principal = viewer
	}
	if principal != viewer {
		rels, err := s.relations(viewer, principal, s.Now())
		if err != nil {
			return nil, err
		}
		ok := false
		for _, r := range rels {
			ok = ok || r.Kind == identity.PrincipalGuardian || (r.Kind == identity.PrincipalOrganization && r.Role != "")
		}
		if !ok {
			return nil, ErrNotYours
		}
	}
	if q.Limit <= 0 || q.Limit > 50 {
		q.Limit = 50
	}
	var all []DoneFor
	err := s.Store.View(func(tx *store.Tx) (err error) {
		all, err = store.Values[DoneFor](tx, store.DoneFor, principal+"/")
		return err
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Cursor() > all[j].Cursor() })
	page := &DoneForPage{}
	seen := map[string]bool{}
	for _, e := range all {
		if !seen[e.Actor.ID] {
			seen[e.Actor.ID] = true
			page.Actors = append(page.Actors, e.Actor)
		}
		if (q.Actor != "" && e.Actor.ID != q.Actor) || (!q.From.IsZero() && e.At.Before(q.From)) ||
			(!q.To.IsZero() && !e.At.Before(q.To)) || (q.Before != "" && e.Cursor() >= q.Before) {
			continue
		}
		if len(page.Entries) == q.Limit {
			page.Next = page.Entries[len(page.Entries)-1].Cursor()
			continue
		}
		page.Entries = append(page.Entries, e)
	}
	sort.Slice(page.Actors, func(i, j int) bool {
		return strings.ToLower(page.Actors[i].Name) < strings.ToLower(page.Actors[j].Name)
	})
	return page, nil
}
