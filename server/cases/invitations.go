package cases

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"asiointi/server/audit"
	"asiointi/server/catalog"
	"asiointi/server/identity"
	"asiointi/server/notify"
	"asiointi/server/population"
	"asiointi/server/store"
)

// Invitation statuses; a case's party list shows the same words.
const (
	InvitationWaiting  = "waiting"
	InvitationOpened   = "opened"
	InvitationApproved = "approved"
	InvitationDeclined = "declined"
	InvitationExpired  = "expired"
	// InvitationRevoked: the application was changed and sent again; a
	// new invitation asks about the new version.
	InvitationRevoked = "revoked"
)

// Invitation asks one party of a case to approve it. Whom it asks is the
// party, or for a minor their guardian (Guardian). The link sent outside
// the app carries a token that is stored only as a hash (Tokens).
type Invitation struct {
	ID      string `json:"id"`
	Case    string `json:"case"`
	Service string `json:"service"`
	// Round counts the versions of the application sent for approval.
	Round int    `json:"round"`
	Party string `json:"party"` // the draft party's id
	Name  string `json:"name"`  // the party's name
	Hetu  string `json:"hetu"`  // the party's henkilötunnus
	// Person is the party's register id, when known.
	Person   string `json:"person,omitempty"`
	Guardian *Ref   `json:"guardian,omitempty"`
	Email    string `json:"email,omitempty"`
	Phone    string `json:"phone,omitempty"`
	// Applicant is who sent the application.
	Applicant Ref    `json:"applicant"`
	Status    string `json:"status"`
	// Answers is the hash of the answers this invitation asks about; an
	// approval is bound to it.
	Answers   string     `json:"answers"`
	CreatedAt time.Time  `json:"createdAt"`
	ExpiresAt time.Time  `json:"expiresAt"`
	Reminded  bool       `json:"reminded,omitempty"`
	OpenedAt  *time.Time `json:"openedAt,omitempty"`
	// AnsweredAt and By record the approval or decline: when and who.
	AnsweredAt *time.Time `json:"answeredAt,omitempty"`
	By         *Ref       `json:"by,omitempty"`
	Reason     string     `json:"reason,omitempty"`
	// Tokens holds, per channel, the hash of the last link token sent.
	Tokens map[string]string `json:"tokens,omitempty"`
}

// Open tells whether the invitation still waits for an answer at now.
func (inv *Invitation) Open(now time.Time) bool {
	return (inv.Status == InvitationWaiting || inv.Status == InvitationOpened) && now.Before(inv.ExpiresAt)
}

// Invitee is the person id the invitation asks ("" when the register
// does not know them).
func (inv *Invitation) Invitee() string {
	if inv.Guardian != nil {
		return inv.Guardian.ID
	}
	return inv.Person
}

// recipient is the notification user id of the invitee: their person id,
// or one made for the invitation when the register does not know them.
func (inv *Invitation) recipient() string {
	if id := inv.Invitee(); id != "" {
		return id
	}
	return "invitee-" + inv.ID
}

// Errors of invitations, mapped to HTTP statuses by handlers.
var (
	// ErrNotInvitee: the logged-in person is not the one invited (403).
	ErrNotInvitee = errors.New("cases: not the invited person")
	// ErrInvitationClosed: already answered, expired or replaced (409).
	ErrInvitationClosed = errors.New("cases: the invitation is no longer open")
	// ErrAnswersChanged: the application changed after the party saw it (409).
	ErrAnswersChanged = errors.New("cases: the application has changed")
	// ErrBadToken: an unknown, expired, used or revoked link token.
	ErrBadToken = errors.New("cases: the link is not valid")
)

// MaxReason bounds a decline's reason.
const MaxReason = 2000

// invitationDays is how long an invitation stays valid.
func invitationDays(svc *catalog.Service) int {
	if svc != nil && svc.InvitationDays > 0 {
		return svc.InvitationDays
	}
	return 14
}

// answersHash is the hash an approval is bound to: the answers as JSON
// (encoding/json sorts map keys, so equal answers hash equal).
func answersHash(answers map[string]any) (string, error) {
	raw, err := json.Marshal(answers)
	if err != nil {
		return "", err
	}
	h := sha256.Sum256(raw)
	return hex.EncodeToString(h[:]), nil
}

// newInvitations makes one invitation per party for round of c.
func newInvitations(c *Case, parties []DraftParty, round int, hash string, days int, now time.Time) []*Invitation {
	var out []*Invitation
	for _, p := range parties {
		out = append(out, &Invitation{ID: store.NewID(now), Case: c.ID, Service: c.Service, Round: round,
			Party: p.ID, Name: p.Name, Hetu: p.Hetu, Person: p.Person, Guardian: p.Guardian,
			Email: p.Email, Phone: p.Phone, Applicant: c.Actor, Status: InvitationWaiting, Answers: hash,
			CreatedAt: now, ExpiresAt: now.AddDate(0, 0, days)})
	}
	return out
}

// partyRows are a case's party list from its invitations.
func partyRows(invs []*Invitation) []Party {
	out := make([]Party, 0, len(invs))
	for _, inv := range invs {
		out = append(out, Party{ID: inv.Party, Name: inv.Name, Status: inv.Status, Person: inv.Person, Invitee: inv.Invitee()})
	}
	return out
}

// putInvitation writes an invitation and its indexes.
func putInvitation(tx *store.Tx, inv *Invitation) error {
	if err := tx.Put(store.Invitations, inv.ID, inv); err != nil {
		return err
	}
	if err := tx.PutRaw(store.InvitationsByCase, inv.Case+"/"+inv.ID, nil); err != nil {
		return err
	}
	if id := inv.Invitee(); id != "" {
		if err := tx.PutRaw(store.InvitationsByUser, id+"/"+inv.ID, nil); err != nil {
			return err
		}
		// The party sees the application in "my applications" (access).
		if err := tx.PutRaw(store.CasesByUser, userKey(id, inv.Case), nil); err != nil {
			return err
		}
	}
	return nil
}

// invite writes new invitations of c and sends each of them.
func invite(tx *store.Tx, c *Case, ref string, invs []*Invitation, now time.Time) error {
	for _, inv := range invs {
		if err := putInvitation(tx, inv); err != nil {
			return err
		}
		if err := notifyInvitee(tx, inv, ref, notify.KindInvitation, now); err != nil {
			return err
		}
		ev := Event{ID: store.NewID(now), Case: c.ID, Type: "party-invited", At: now, Actor: c.Actor, Note: inv.Name}
		if err := tx.Put(store.Events, eventKey(c.ID, ev.ID), ev); err != nil {
			return err
		}
	}
	return nil
}

// notifyInvitee sends an invitation (or its reminder) to whom it asks,
// on every channel there is for them. In the app the link needs no
// token; outside it InvitationLink makes one at delivery.
func notifyInvitee(tx *store.Tx, inv *Invitation, ref, kind string, now time.Time) error {
	n := notify.Notification{User: inv.recipient(), Kind: kind, At: now, Link: "/invitations/" + inv.ID,
		Params: map[string]string{"service": inv.Service, "reference": ref, "actor": inv.Applicant.Name,
			"invitation": inv.ID, "expiresAt": inv.ExpiresAt.Format(time.RFC3339Nano)},
		Contact: inv.contact()}
	return notify.Record(tx, n)
}

// contact is how outside channels reach whom the invitation asks, when
// the applicant gave an address or the register does not know them.
func (inv *Invitation) contact() *notify.Contact {
	if inv.Guardian == nil && (inv.Email != "" || inv.Phone != "" || inv.Person == "") {
		return &notify.Contact{Email: inv.Email, Phone: inv.Phone}
	}
	return nil
}

// caseInvitations lists the invitations of a case, oldest first.
func caseInvitations(tx *store.Tx, caseID string) ([]*Invitation, error) {
	var out []*Invitation
	err := tx.Scan(store.InvitationsByCase, caseID+"/", func(k string, _ []byte) error {
		var inv Invitation
		if err := tx.Get(store.Invitations, strings.TrimPrefix(k, caseID+"/"), &inv); err != nil {
			return err
		}
		out = append(out, &inv)
		return nil
	})
	return out, err
}

// currentRound keeps the invitations of the case's latest round.
func currentRound(invs []*Invitation) []*Invitation {
	round := 0
	for _, inv := range invs {
		round = max(round, inv.Round)
	}
	var out []*Invitation
	for _, inv := range invs {
		if inv.Round == round {
			out = append(out, inv)
		}
	}
	return out
}

// InvitationLink is the notify.LinkFunc of invitations: a fresh 256-bit
// token for the channel (the one sent before on it stops working), its
// hash stored with the invitation. A closed invitation sends nothing.
func (s *Service) InvitationLink(_ context.Context, n notify.Notification, channel string) (string, string, error) {
	id := n.Params["invitation"]
	tok := identity.NewToken()
	hash := identity.HashToken(tok)
	now := s.Now()
	err := s.Store.Update(func(tx *store.Tx) error {
		var inv Invitation
		if err := tx.Get(store.Invitations, id, &inv); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("%w: invitation %s is gone", notify.ErrPermanent, id)
			}
			return err
		}
		if !inv.Open(now) {
			return fmt.Errorf("%w: invitation %s is closed", notify.ErrPermanent, id)
		}
		if old := inv.Tokens[channel]; old != "" {
			if err := tx.Delete(store.InvitationTokens, old); err != nil {
				return err
			}
		}
		if inv.Tokens == nil {
			inv.Tokens = map[string]string{}
		}
		inv.Tokens[channel] = hash
		if err := tx.PutRaw(store.InvitationTokens, hash, []byte(inv.ID)); err != nil {
			return err
		}
		return tx.Put(store.Invitations, inv.ID, &inv)
	})
	if err != nil {
		return "", "", err
	}
	return "/i/" + tok, tok, nil
}

// dropTokens makes every link of a closed invitation stop working.
func dropTokens(tx *store.Tx, inv *Invitation) error {
	for _, h := range inv.Tokens {
		if err := tx.Delete(store.InvitationTokens, h); err != nil {
			return err
		}
	}
	inv.Tokens = nil
	return nil
}

// InvitationTeaser is what an invitation link shows before login: the
// service only.
type InvitationTeaser struct {
	ID      string
	Service string
}

// ByToken finds the open invitation a link token belongs to, reading
// only: opening a link changes nothing (mail scanners open links).
// Unknown, used, expired and revoked tokens are ErrBadToken.
func (s *Service) ByToken(token string) (*InvitationTeaser, error) {
	if token == "" || len(token) > 100 {
		return nil, ErrBadToken
	}
	now := s.Now()
	var out *InvitationTeaser
	err := s.Store.View(func(tx *store.Tx) error {
		raw, err := tx.GetRaw(store.InvitationTokens, identity.HashToken(token))
		if err != nil {
			return ErrBadToken
		}
		var inv Invitation
		if err := tx.Get(store.Invitations, string(raw), &inv); err != nil {
			return ErrBadToken
		}
		if !inv.Open(now) {
			return ErrBadToken
		}
		out = &InvitationTeaser{ID: inv.ID, Service: inv.Service}
		return nil
	})
	return out, err
}

// isInvitee: the person is the one the invitation asks (their
// henkilötunnus matches the party's, or they are the minor's guardian).
func isInvitee(inv *Invitation, p population.Person) bool {
	if inv.Guardian != nil {
		return p.ID == inv.Guardian.ID
	}
	return p.Hetu != "" && p.Hetu == inv.Hetu
}

// invitationFor loads an invitation for the logged-in person: anyone but
// the invitee gets ErrNotInvitee (unknown ids are ErrNotFound).
func (s *Service) invitationFor(tx *store.Tx, id string, user population.Person) (*Invitation, error) {
	if !store.ValidID(id) {
		return nil, ErrNotFound
	}
	var inv Invitation
	if err := tx.Get(store.Invitations, id, &inv); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	if !isInvitee(&inv, user) {
		return nil, ErrNotInvitee
	}
	return &inv, nil
}

// InvitationView is an invitation with the application it asks about.
type InvitationView struct {
	Invitation *Invitation
	Case       *Case
	// Others are the other parties asked, with their states.
	Others []Party
}

// Invitation shows the invitee their invitation and the whole
// application. Anyone else gets ErrNotInvitee.
func (s *Service) Invitation(id, user string) (*InvitationView, error) {
	p, err := s.Register.Person(user)
	if err != nil {
		return nil, ErrNotInvitee
	}
	var v InvitationView
	err = s.Store.View(func(tx *store.Tx) error {
		inv, err := s.invitationFor(tx, id, p)
		if err != nil {
			return err
		}
		var c Case
		if err := tx.Get(store.Cases, inv.Case, &c); err != nil {
			return err
		}
		for _, o := range c.Parties {
			if o.ID != inv.Party {
				v.Others = append(v.Others, o)
			}
		}
		v.Invitation, v.Case = inv, &c
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.recordPartyRead(v.Case, Ref{ID: p.ID, Name: p.Name()}); err != nil {
		return nil, err
	}
	return &v, nil
}

// recordPartyRead writes in the access log of the person the application
// is for that a party read it (DESIGN.md: every read of someone else's
// personal data is logged and shown to the person it concerns).
func (s *Service) recordPartyRead(c *Case, reader Ref) error {
	subject := c.Subject()
	if reader.ID == subject.ID || reader.ID == c.Actor.ID {
		return nil
	}
	now := s.Now()
	return s.Store.Update(func(tx *store.Tx) error {
		return audit.RecordAccess(tx, now, audit.Access{Actor: audit.Actor{ID: reader.ID, Name: reader.Name, Role: "resident"},
			Subject: subject.ID, Kind: audit.KindCase, Purpose: audit.PurposeParty, Case: c.ID, Reference: c.Reference})
	})
}

// Invitations lists the person's invitations, newest first.
func (s *Service) Invitations(user string) ([]*Invitation, error) {
	var out []*Invitation
	err := s.Store.View(func(tx *store.Tx) error {
		return tx.ScanReverse(store.InvitationsByUser, user+"/", func(k string, _ []byte) error {
			var inv Invitation
			if err := tx.Get(store.Invitations, strings.TrimPrefix(k, user+"/"), &inv); err != nil {
				return nil
			}
			if inv.Status == InvitationRevoked {
				return nil
			}
			out = append(out, &inv)
			return nil
		})
	})
	now := s.Now()
	for _, inv := range out { // shown as expired before housekeeping marks it
		if (inv.Status == InvitationWaiting || inv.Status == InvitationOpened) && !now.Before(inv.ExpiresAt) {
			inv.Status = InvitationExpired
		}
	}
	return out, err
}

// OpenInvitations counts the person's invitations that wait for their
// answer now (the navigation's "requests to approve").
func (s *Service) OpenInvitations(user string) (int, error) {
	list, err := s.Invitations(user)
	n := 0
	for _, inv := range list {
		if inv.Status == InvitationWaiting || inv.Status == InvitationOpened {
			n++
		}
	}
	return n, err
}

// CheckInvitee tells whether the person is the one the invitation asks;
// a wrong person is ErrNotInvitee and the invitation stays as it was.
func (s *Service) CheckInvitee(id, user string) error {
	p, err := s.Register.Person(user)
	if err != nil {
		return ErrNotInvitee
	}
	return s.Store.View(func(tx *store.Tx) error {
		_, err := s.invitationFor(tx, id, p)
		return err
	})
}

// Opened records that the invitee opened their invitation (once): the
// applicant's party list shows it.
func (s *Service) Opened(id, user string) error {
	p, err := s.Register.Person(user)
	if err != nil {
		return ErrNotInvitee
	}
	now := s.Now()
	return s.Store.Update(func(tx *store.Tx) error {
		inv, err := s.invitationFor(tx, id, p)
		if err != nil {
			return err
		}
		if inv.Status != InvitationWaiting || !inv.Open(now) {
			return nil
		}
		inv.Status, inv.OpenedAt = InvitationOpened, &now
		return s.partyChanged(tx, inv, now, "")
	})
}

// Answer is an approval or a decline.
type Answer struct {
	Approve bool
	Reason  string
	// Answers, when not empty, is the hash of the answers the party saw:
	// an approval of an application changed since is ErrAnswersChanged.
	Answers string
}

// Answer records the invitee's approval or decline as a case event with
// time and identity. When it is the last approval, the case goes to
// handling (submitted) and everyone is told; a decline tells the
// applicant, with the reason. Exactly one of concurrent answers counts:
// the rest get ErrInvitationClosed.
func (s *Service) Answer(id string, actor Ref, a Answer) (*Invitation, error) {
	p, err := s.Register.Person(actor.ID)
	if err != nil {
		return nil, ErrNotInvitee
	}
	a.Reason = strings.TrimSpace(a.Reason)
	if utf8.RuneCountInString(a.Reason) > MaxReason {
		a.Reason = string([]rune(a.Reason)[:MaxReason])
	}
	if a.Approve {
		a.Reason = ""
	}
	now := s.Now()
	var out *Invitation
	err = s.Store.Update(func(tx *store.Tx) error {
		inv, err := s.invitationFor(tx, id, p)
		if err != nil {
			return err
		}
		if !inv.Open(now) {
			return ErrInvitationClosed
		}
		if a.Answers != "" && a.Answers != inv.Answers {
			return ErrAnswersChanged
		}
		inv.Status = InvitationDeclined
		if a.Approve {
			inv.Status = InvitationApproved
		}
		by := actor
		inv.AnsweredAt, inv.By, inv.Reason = &now, &by, a.Reason
		if err := dropTokens(tx, inv); err != nil {
			return err
		}
		out = inv
		return s.partyChanged(tx, inv, now, a.Reason)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// partyChanged writes an invitation whose status changed, the case's
// party list, its event and the notices: opened, approved (the last one
// sends the case to handling), declined, expired.
func (s *Service) partyChanged(tx *store.Tx, inv *Invitation, now time.Time, reason string) error {
	if err := tx.Put(store.Invitations, inv.ID, inv); err != nil {
		return err
	}
	var c Case
	if err := tx.Get(store.Cases, inv.Case, &c); err != nil {
		return err
	}
	for i := range c.Parties {
		if c.Parties[i].ID == inv.Party {
			c.Parties[i].Status = inv.Status
		}
	}
	c.UpdatedAt = now
	params := map[string]string{"service": c.Service, "reference": c.Reference, "party": inv.Name}
	note := func(kind string) notify.Notification {
		return notify.Notification{User: c.Actor.ID, Kind: kind, At: now, Link: "/cases/" + c.ID, Params: params}
	}
	var evs []Event
	ev := func(typ string, actor Ref) Event {
		e := Event{ID: store.NewID(now), Case: c.ID, Type: typ, At: now, Actor: actor}
		if inv.Guardian != nil && actor.ID == inv.Guardian.ID {
			e.Principal = &Ref{ID: inv.Person, Name: inv.Name}
		}
		return e
	}
	switch inv.Status {
	case InvitationOpened:
		params["answer"] = "opened"
		if err := notify.Record(tx, note(notify.KindPartyAnswered)); err != nil {
			return err
		}
	case InvitationApproved:
		evs = append(evs, ev("party-approved", *inv.By))
		if by := *inv.By; inv.Guardian != nil && by.ID == inv.Guardian.ID && inv.Person != "" {
			// A guardian approved for a minor party: in the child's "done
			// in my name", and the child is told.
			if err := logDoneFor(tx, DoneFor{Principal: inv.Person, At: now, Actor: by, Action: ActionApproved,
				Service: c.Service, Case: c.ID, Reference: c.Reference}); err != nil {
				return err
			}
			if err := notify.Record(tx, notify.Notification{User: inv.Person, Kind: notify.KindProxyApproved, At: now, Link: "/cases/" + c.ID,
				Params: map[string]string{"service": c.Service, "reference": c.Reference, "actor": by.Name}}); err != nil {
				return err
			}
		}
		params["answer"] = "approved"
		if err := notify.Record(tx, note(notify.KindPartyAnswered)); err != nil {
			return err
		}
		all := c.Status == StatusAwaitingSignatures
		for _, p := range c.Parties {
			all = all && p.Status == InvitationApproved
		}
		if all {
			c.Status = StatusSubmitted
			e := Event{ID: store.NewID(now), Case: c.ID, Type: "status-changed", At: now, Actor: *inv.By,
				From: StatusAwaitingSignatures, To: StatusSubmitted, Note: "all-approved"}
			evs = append(evs, e)
			if err := s.allApproved(tx, &c, now); err != nil {
				return err
			}
		}
	case InvitationDeclined:
		e := ev("party-declined", *inv.By)
		e.Note = reason
		evs = append(evs, e)
		if reason != "" {
			params["reason"] = reason
		}
		if err := notify.Record(tx, note(notify.KindPartyDeclined)); err != nil {
			return err
		}
	case InvitationExpired:
		e := ev("party-expired", Ref{ID: "system", Name: ""})
		e.Note = inv.Name
		evs = append(evs, e)
		if err := notify.Record(tx, note(notify.KindInvitationExpired)); err != nil {
			return err
		}
	}
	for _, e := range evs {
		if err := tx.Put(store.Events, eventKey(c.ID, e.ID), e); err != nil {
			return err
		}
	}
	if err := tx.Put(store.Cases, c.ID, &c); err != nil {
		return err
	}
	if err := indexCase(tx, &c); err != nil { // the last approval puts it in the handlers' inbox
		return err
	}
	return s.aggregate(tx, &c, now)
}

// allApproved tells the applicant and every party that the application
// went to handling.
func (s *Service) allApproved(tx *store.Tx, c *Case, now time.Time) error {
	params := map[string]string{"service": c.Service, "reference": c.Reference, "actor": c.Actor.Name}
	if err := notify.Record(tx, notify.Notification{User: c.Actor.ID, Kind: notify.KindAllApproved, At: now,
		Link: "/cases/" + c.ID, Params: params}); err != nil {
		return err
	}
	invs, err := caseInvitations(tx, c.ID)
	if err != nil {
		return err
	}
	for _, inv := range currentRound(invs) {
		if id := inv.Invitee(); id != "" {
			if err := notify.Record(tx, notify.Notification{User: id, Kind: notify.KindPartySubmitted, At: now,
				Link: "/cases/" + c.ID, Params: params}); err != nil {
				return err
			}
		}
	}
	return nil
}
