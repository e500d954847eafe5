// Package mydata gathers everything the service holds about one person —
// what, why (the purpose and the legal basis), from where, since when and
// until when — for the "my data" page, its API and its download. It reads
// the store directly (one read transaction), so that what it shows is
// what is stored: the bucket-walk test (coverage_test.go) checks that
// every record about a person that any bucket holds appears in the output
// (Data.Covers), and fails for a bucket nobody has classified (Coverage).
package mydata

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"asiointi/i18n"
	"asiointi/server/audit"
	"asiointi/server/cases"
	"asiointi/server/catalog"
	"asiointi/server/datefmt"
	"asiointi/server/forms"
	"asiointi/server/identity"
	"asiointi/server/legal"
	"asiointi/server/notify"
	"asiointi/server/population"
	"asiointi/server/store"
)

// SchemaVersion is the version of the structure of Data (and of the
// JSON Schema served beside the download, schema.json). A change that is
// not additive makes a new version.
const SchemaVersion = 1

// SchemaPath is where the JSON Schema of the download is served.
const SchemaPath = "/api/v1/me/data.schema.json"

// Topics group the items, in page order.
const (
	TopicIdentity      = "identity"
	TopicApplications  = "applications"
	TopicDrafts        = "drafts"
	TopicMandates      = "mandates"
	TopicOrganisations = "organisations"
	TopicInvitations   = "invitations"
	TopicNotifications = "notifications"
	TopicDevices       = "devices"
	TopicSessions      = "sessions"
	TopicAccessLog     = "access-log"
)

// Topics is every topic in page order.
var Topics = []string{TopicIdentity, TopicApplications, TopicDrafts, TopicMandates, TopicOrganisations,
	TopicInvitations, TopicNotifications, TopicDevices, TopicSessions, TopicAccessLog}

// Sources: where a value came from.
const (
	SourceYou          = "you"        // the person gave it
	SourcePopulation   = "population" // the population register
	SourceContact      = "contact-details"
	SourceLandRegister = "land-register"
	SourceBusiness     = "organization" // the business register
	SourceEarlierCase  = "earlier-case" // prefilled from an earlier application
	SourceOfficial     = "official"     // an official of the municipality
	SourceCoApplicant  = "co-applicant" // someone who named the person on their application
	SourceProxy        = "proxy"        // someone acting for the person (a mandate)
	SourceGuardian     = "guardian"     // the person's guardian acting for them
	SourceService      = "service"      // the service recorded it (a login, a notification)
	SourceMandates     = "mandates"     // the mandate register
	SourceShared       = "shared"       // someone who shared their application with the person
)

// Data is everything about one person.
type Data struct {
	Schema      string    `json:"$schema"`
	Version     int       `json:"version"`
	GeneratedAt time.Time `json:"generatedAt"`
	Lang        string    `json:"lang"`
	Person      Person    `json:"person"`
	Items       []Item    `json:"items"`
	Mandates    []Mandate `json:"mandates"`
	Devices     []Device  `json:"devices"`
	Consents    []Consent `json:"consents"`
	// Deletions are the coming deletions, soonest first.
	Deletions []Deletion `json:"deletions"`
	AccessLog AccessLog  `json:"accessLog"`

	origins map[string]bool // "bucket\x00key" of every record shown
}

// Person is whose data it is.
type Person struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Guardian is set when a guardian reads their minor child's data.
	Guardian *Ref `json:"guardian,omitempty"`
}

// Ref names someone.
type Ref struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name"`
}

// Item is one piece of data.
type Item struct {
	Topic   string `json:"topic"`
	Concept string `json:"concept"`
	// Group is the heading the item belongs under within its topic (an
	// application's service and reference, a device), "" for none.
	Group string `json:"group,omitempty"`
	Field string `json:"field,omitempty"` // the form field, for an answer
	Label string `json:"label"`
	Value string `json:"value"`
	// Purpose is why the municipality has it; for an answer the purpose
	// text of the form version that was used.
	Purpose    string `json:"purpose"`
	LegalBasis string `json:"legalBasis"` // the citation as the definition writes it
	// LegalBasisName and LegalBasisURL are its readable name and the text
	// of the law (Finlex, EUR-Lex).
	LegalBasisName string    `json:"legalBasisName"`
	LegalBasisURL  string    `json:"legalBasisUrl,omitempty"`
	Source         string    `json:"source"`               // a Source… constant
	SourceName     string    `json:"sourceName,omitempty"` // who, when a person
	SourceText     string    `json:"sourceText"`           // the source in words
	StoredAt       time.Time `json:"storedAt"`
	// RetainUntil is the day it will be deleted (YYYY-MM-DD, Helsinki);
	// RetainText says it in words, also when there is no date.
	RetainUntil string   `json:"retainUntil,omitempty"`
	RetainText  string   `json:"retainText"`
	Case        *CaseRef `json:"case,omitempty"`
	// File is a document the item is about (a scanned power of attorney).
	File *File `json:"file,omitempty"`
}

// CaseRef is the application or draft an item belongs to.
type CaseRef struct {
	ID          string `json:"id"`
	Kind        string `json:"kind"` // "application" | "draft"
	Reference   string `json:"reference,omitempty"`
	Service     string `json:"service"`
	ServiceName string `json:"serviceName"`
	Status      string `json:"status,omitempty"`
	FormVersion int    `json:"formVersion"`
	// Editable: the person may correct or supplement it now (an open
	// draft, or an application whose handler asked for a supplement).
	Editable bool `json:"editable"`
}

// Mandate is a relation to act for someone, given or held.
type Mandate struct {
	Direction string   `json:"direction"` // "held": I may act for them; "given": they may act for me
	Kind      string   `json:"kind"`      // guardian | mandate | organization
	Who       Ref      `json:"who"`
	Role      string   `json:"role,omitempty"`
	Issues    []string `json:"issues,omitempty"`
	ValidFrom string   `json:"validFrom,omitempty"`
	ValidTo   string   `json:"validTo,omitempty"`
	// Document is the record number of a paper power of attorney an
	// official recorded, Scan its scanned document.
	Document string `json:"document,omitempty"`
	Scan     *File  `json:"scan,omitempty"`
}

// File is a stored document the person may open: its name, type, size,
// and Link, its path after /{lang}.
type File struct {
	Name string `json:"name"`
	MIME string `json:"mime"`
	Size int64  `json:"size"`
	Link string `json:"link"`
}

// Device is a browser the person gets push notifications on.
type Device struct {
	ID        string    `json:"id"`
	Device    string    `json:"device"`
	CreatedAt time.Time `json:"createdAt"`
}

// Consent is a consent given on a form, which the person may withdraw.
type Consent struct {
	Case        CaseRef    `json:"case"`
	Field       string     `json:"field"`
	Allows      string     `json:"allows"` // the field's label: what it allows
	Purpose     string     `json:"purpose"`
	LegalBasis  string     `json:"legalBasis"`
	Since       time.Time  `json:"since"`
	WithdrawnAt *time.Time `json:"withdrawnAt,omitempty"`
}

// Deletion is a coming deletion.
type Deletion struct {
	On    string   `json:"on"` // YYYY-MM-DD
	What  string   `json:"what"`
	Case  *CaseRef `json:"case,omitempty"`
	Topic string   `json:"topic"`
}

// AccessLog sums up who has read the person's data (the list itself is
// /api/v1/me/access-log).
type AccessLog struct {
	Reads  int        `json:"reads"`
	Latest *time.Time `json:"latest,omitempty"`
}

// Covers reports whether the record at bucket/key is shown.
func (d *Data) Covers(bucket, key string) bool { return d.origins[bucket+"\x00"+key] }

func (d *Data) from(bucket string, keys ...string) {
	for _, k := range keys {
		d.origins[bucket+"\x00"+k] = true
	}
}

// Collector reads a person's data.
type Collector struct {
	Store   *store.Store
	Forms   *cases.Forms
	Catalog *catalog.Catalog
	Msg     *i18n.Bundle
	// Notices words a notification (notify.Renderer.Text).
	Notices func(lang string, n notify.Notification) string
	// SessionEnds is when a session ends if nothing happens.
	SessionEnds func(s identity.Session) time.Time
	Now         func() time.Time
}

// ErrNoPerson: the subject is not a person the register knows.
var ErrNoPerson = errors.New("mydata: no such person")

// collecting is one Collect call's state.
type collecting struct {
	c    *Collector
	tx   *store.Tx
	lang string
	now  time.Time
	d    *Data
	p    population.Person
}

func (k *collecting) t(id string, data ...map[string]any) string {
	return k.c.Msg.T(k.lang, id, data...)
}

// Collect gathers subject's data in lang. guardian, when not nil, is the
// guardian reading their minor child's data (the caller has checked the
// relation, see MayRead).
func (c *Collector) Collect(subject, lang string, guardian *Ref) (*Data, error) {
	now := c.now()
	d := &Data{Schema: SchemaPath, Version: SchemaVersion, GeneratedAt: now.UTC(), Lang: lang, Person: Person{Guardian: guardian},
		Items: []Item{}, Mandates: []Mandate{}, Devices: []Device{}, Consents: []Consent{}, Deletions: []Deletion{},
		origins: map[string]bool{}}
	err := c.Store.View(func(tx *store.Tx) error {
		k := &collecting{c: c, tx: tx, lang: lang, now: now, d: d}
		if err := tx.Get(store.People, subject, &k.p); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return ErrNoPerson
			}
			return err
		}
		d.Person.ID, d.Person.Name = k.p.ID, k.p.Name()
		for _, step := range []func() error{k.identity, k.cases, k.drafts, k.mandates, k.invitations,
			k.notifications, k.devices, k.sessions, k.accessLog} {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	k := &collecting{c: c, lang: lang, now: now, d: d}
	k.deletions()
	return d, nil
}

// basis fills an item's legal basis.
func (k *collecting) basis(it *Item, citation string) {
	b := legal.Parse(citation)
	it.LegalBasis, it.LegalBasisName, it.LegalBasisURL = citation, b.Title(k.lang), b.URL(k.lang)
}

// source fills an item's source.
func (k *collecting) source(it *Item, kind, name string) {
	it.Source, it.SourceName = kind, name
	it.SourceText = k.t(sourceMsg[kind], map[string]any{"Name": name})
}

var sourceMsg = map[string]string{
	SourceYou:          "myData.source.you",
	SourcePopulation:   "myData.source.population",
	SourceContact:      "myData.source.contact",
	SourceLandRegister: "myData.source.land",
	SourceBusiness:     "myData.source.business",
	SourceEarlierCase:  "myData.source.earlierCase",
	SourceOfficial:     "myData.source.official",
	SourceCoApplicant:  "myData.source.coApplicant",
	SourceProxy:        "myData.source.proxy",
	SourceGuardian:     "myData.source.guardian",
	SourceService:      "myData.source.service",
	SourceMandates:     "myData.source.mandates",
	SourceShared:       "myData.source.shared",
}

// retain fills an item's deletion day (zero: no date, with why in words).
func (k *collecting) retain(it *Item, until time.Time, noDate string) {
	if until.IsZero() {
		it.RetainText = k.t(noDate)
		return
	}
	it.RetainUntil = until.In(datefmt.Helsinki()).Format(time.DateOnly)
	it.RetainText = datefmt.Date(until, k.lang)
}

func (k *collecting) add(it Item) { k.d.Items = append(k.d.Items, it) }

// platform is the purpose and legal basis of what the service itself
// keeps (the general privacy notice's purposes).
var platform = map[string]struct{ purpose, basis string }{
	TopicIdentity:      {"myData.purpose.identity", "EU 2016/679 6(1)(e)"},
	TopicMandates:      {"myData.purpose.mandates", "EU 2016/679 6(1)(e)"},
	TopicOrganisations: {"myData.purpose.organisations", "EU 2016/679 6(1)(e)"},
	TopicInvitations:   {"myData.purpose.invitations", "EU 2016/679 6(1)(e)"},
	TopicNotifications: {"privacy.general.notifications", "EU 2016/679 6(1)(e)"},
	TopicDevices:       {"privacy.general.devices", "EU 2016/679 6(1)(a)"},
	TopicSessions:      {"privacy.general.sessions", "EU 2016/679 6(1)(e)"},
	TopicAccessLog:     {"privacy.general.access", "906/2019"},
}

// item starts an item of a platform topic.
func (k *collecting) item(topic, concept, label, value string, storedAt time.Time) Item {
	it := Item{Topic: topic, Concept: concept, Label: k.t(label), Value: value, StoredAt: storedAt.UTC(),
		Purpose: k.t(platform[topic].purpose)}
	k.basis(&it, platform[topic].basis)
	return it
}

// identity: the register's data about the person.
func (k *collecting) identity() error {
	p := k.p
	k.d.from(store.People, p.ID)
	k.d.from(store.PeopleByHetu, p.Hetu)
	seeded := k.seededAt()
	add := func(concept, label, value, src string) {
		if value == "" {
			return
		}
		it := k.item(TopicIdentity, concept, label, value, seeded)
		k.source(&it, src, "")
		k.retain(&it, time.Time{}, "myData.retain.register")
		k.add(it)
	}
	add("person.name", "myData.label.name", p.Name(), SourcePopulation)
	add("person.hetu", "myData.label.hetu", p.Hetu, SourcePopulation)
	if bd, err := time.ParseInLocation(time.DateOnly, p.BirthDate, datefmt.Helsinki()); err == nil {
		add("person.birthDate", "myData.label.birthDate", datefmt.Date(bd, k.lang), SourcePopulation)
	}
	if p.AddressProtected {
		add("person.address", "myData.label.address", k.t("myData.value.addressProtected"), SourcePopulation)
	} else {
		a := strings.TrimSpace(p.Address.Street.In(k.lang) + ", " + p.Address.PostalCode + " " + p.Address.City.In(k.lang))
		add("person.address", "myData.label.address", strings.Trim(a, ", "), SourcePopulation)
	}
	add("person.homeMunicipality", "myData.label.homeMunicipality", p.HomeMunicipality, SourcePopulation)
	add("person.language", "myData.label.language", p.Language, SourcePopulation)
	add("contact.email", "myData.label.email", p.Email, SourceContact)
	add("contact.phone", "myData.label.phone", p.Phone, SourceContact)
	// Properties the land register says the person owns.
	for _, id := range p.Properties {
		var pr population.Property
		if err := k.tx.Get(store.Settings, "property:"+id, &pr); err != nil {
			continue
		}
		k.d.from(store.Settings, "property:"+id)
		it := k.item(TopicIdentity, "property.owner", "myData.label.property", pr.Name.In(k.lang)+" ("+pr.ID+")", seeded)
		k.source(&it, SourceLandRegister, "")
		k.retain(&it, time.Time{}, "myData.retain.register")
		k.add(it)
	}
	return k.tx.Scan(store.Settings, "property:", func(key string, raw []byte) error {
		var pr population.Property
		if err := json.Unmarshal(raw, &pr); err == nil && slices.Contains(pr.Owners, k.p.ID) && !k.d.Covers(store.Settings, key) {
			k.d.from(store.Settings, key)
			it := k.item(TopicIdentity, "property.owner", "myData.label.property", pr.Name.In(k.lang)+" ("+pr.ID+")", seeded)
			k.source(&it, SourceLandRegister, "")
			k.retain(&it, time.Time{}, "myData.retain.register")
			k.add(it)
		}
		return nil
	})
}

// seededAt is when the register data was loaded (the demo's seeding).
func (k *collecting) seededAt() time.Time {
	var s string
	if err := k.tx.Get(store.Settings, "seeded", &s); err == nil {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

func (k *collecting) serviceName(id string) string {
	if svc, ok := k.c.Catalog.Service(id); ok {
		return svc.Name.In(k.lang)
	}
	return id
}

// cases: every application the person sent, that was sent in their name,
// or that names them as a party (the cases_by_user index).
func (k *collecting) cases() error {
	var ids []string
	err := k.tx.Scan(store.CasesByUser, k.p.ID+"/", func(key string, _ []byte) error {
		ids = append(ids, key[len(k.p.ID)+1:])
		k.d.from(store.CasesByUser, key)
		return nil
	})
	if err != nil {
		return err
	}
	for i := len(ids) - 1; i >= 0; i-- { // newest first
		var c cases.Case
		if err := k.tx.Get(store.Cases, ids[i], &c); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			return err
		}
		if err := k.oneCase(&c); err != nil {
			return err
		}
	}
	return nil
}

func (k *collecting) oneCase(c *cases.Case) error {
	k.d.from(store.Cases, c.ID)
	k.d.from(store.CasesByRef, c.Reference)
	k.d.from(store.CaseIndex, "r/"+c.ID) // the handlers' inbox row of it
	if k.p.ID == c.Subject().ID && c.RetentionDue != 0 {
		k.d.from(store.Due, cases.DueKeyOfCase(c))
	}
	if c.DraftID != "" {
		k.d.from(store.Drafts, c.DraftID)
		k.d.from(store.DraftsSent, c.DraftID)
		k.d.from(store.DraftData, c.DraftID)
	}
	ref := &CaseRef{ID: c.ID, Kind: "application", Reference: c.Reference, Service: c.Service,
		ServiceName: k.serviceName(c.Service), Status: c.Status, FormVersion: c.FormVersion,
		Editable: c.Status == cases.StatusSupplementRequested && c.Subject().ID == k.p.ID}
	group := ref.ServiceName + " " + c.Reference
	def, ok := k.c.Forms.Version(c.Service, c.FormVersion)
	if !ok {
		return fmt.Errorf("mydata: case %s: form %s version %d is not loaded", c.ID, c.Service, c.FormVersion)
	}
	// Who gave the answers, as seen from the person.
	src, name := SourceYou, ""
	switch {
	case c.Actor.ID == k.p.ID:
	case c.Principal != nil && c.Principal.ID == k.p.ID && c.Principal.Kind == identity.PrincipalGuardian:
		src, name = SourceGuardian, c.Actor.Name
	case c.Principal != nil && c.Principal.ID == k.p.ID:
		src, name = SourceProxy, c.Actor.Name
	default:
		src, name = SourceCoApplicant, c.Actor.Name
	}
	atts := map[string]cases.Attachment{}
	for _, a := range c.Attachments {
		atts[a.ID] = a
		k.d.from(store.Attachments, a.Draft+"/"+a.ID)
		k.d.from(store.Blobs, a.Blob)
		k.d.from(store.Counters, "blobref/"+a.Blob)
	}
	retainUntil := c.RetainUntil
	withdrawn := c.ConsentsWithdrawn
	k.answers(def, c.Answers, func(f *forms.Field, it *Item) {
		it.Topic, it.Group, it.Case = TopicApplications, group, ref
		it.StoredAt = c.SubmittedAt.UTC()
		if s, ok := cases.SourceOf(c.Sources, f.ID, c.Answers[f.ID]); ok {
			k.prefillSource(it, s)
		} else {
			k.source(it, src, name)
		}
		until := retainUntil
		if r, err := f.RetainUntil(c.SubmittedAt); err == nil && r.Before(until) {
			until = r
		}
		k.retain(it, until, "")
		if f.Type == forms.TypeCheckbox && legal.Parse(f.LegalBasis).Consent() && c.Subject().ID == k.p.ID {
			if v, _ := c.Answers[f.ID].(bool); v || withdrawn[f.ID] != nil {
				k.d.Consents = append(k.d.Consents, Consent{Case: *ref, Field: f.ID, Allows: f.Label.In(k.lang),
					Purpose: f.Purpose.In(k.lang), LegalBasis: it.LegalBasisName, Since: c.SubmittedAt.UTC(), WithdrawnAt: withdrawn[f.ID]})
			}
		}
	}, atts)
	// What officials added: the decision and a supplement request.
	if c.Decision != nil {
		it := Item{Topic: TopicApplications, Group: group, Case: ref, Concept: "case.decision", Label: k.t("myData.label.decision"),
			Value: k.t(outcomeMsg[c.Decision.Outcome]) + " " + c.Decision.Text, StoredAt: c.Decision.At.UTC(),
			Purpose: k.t("myData.purpose.decision")}
		k.basis(&it, "EU 2016/679 6(1)(e)")
		k.source(&it, SourceOfficial, c.Decision.By.Name)
		k.retain(&it, retainUntil, "")
		k.add(it)
	}
	if c.Supplement != nil {
		it := Item{Topic: TopicApplications, Group: group, Case: ref, Concept: "case.supplementRequest", Label: k.t("myData.label.supplement"),
			Value: c.Supplement.Message, StoredAt: c.Supplement.RequestedAt.UTC(), Purpose: k.t("myData.purpose.decision")}
		k.basis(&it, "EU 2016/679 6(1)(e)")
		k.source(&it, SourceOfficial, c.Supplement.By.Name)
		k.retain(&it, retainUntil, "")
		k.add(it)
	}
	// The application's history: each event names who did what when.
	n := 0
	err := k.tx.Scan(store.Events, c.ID+"/", func(key string, _ []byte) error {
		k.d.from(store.Events, key)
		n++
		return nil
	})
	if err != nil {
		return err
	}
	it := Item{Topic: TopicApplications, Group: group, Case: ref, Concept: "case.history", Label: k.t("myData.label.history"),
		Value: k.t("myData.value.events", map[string]any{"Count": n}), StoredAt: c.SubmittedAt.UTC(),
		Purpose: k.t("myData.purpose.history")}
	k.basis(&it, "906/2019")
	k.source(&it, SourceService, "")
	k.retain(&it, retainUntil, "")
	k.add(it)
	// The case's invitations and its own index entries go with it.
	if err := k.tx.Scan(store.InvitationsByCase, c.ID+"/", func(key string, _ []byte) error {
		k.d.from(store.InvitationsByCase, key)
		return nil
	}); err != nil {
		return err
	}
	k.d.Deletions = append(k.d.Deletions, Deletion{On: retainUntil.In(datefmt.Helsinki()).Format(time.DateOnly),
		What: k.t("myData.deletion.case", map[string]any{"Reference": c.Reference}), Case: ref, Topic: TopicApplications})
	return nil
}

var outcomeMsg = map[string]string{
	cases.OutcomeApproved: "myData.outcome.approved",
	cases.OutcomePartly:   "myData.outcome.partly",
	cases.OutcomeRejected: "myData.outcome.rejected",
}

var invitationMsg = map[string]string{
	cases.InvitationWaiting:  "myData.invitation.waiting",
	cases.InvitationOpened:   "myData.invitation.opened",
	cases.InvitationApproved: "myData.invitation.approved",
	cases.InvitationDeclined: "myData.invitation.declined",
	cases.InvitationExpired:  "myData.invitation.expired",
	cases.InvitationRevoked:  "myData.invitation.revoked",
}

// prefillSource words a prefilled value's source.
func (k *collecting) prefillSource(it *Item, s cases.PrefillSource) {
	switch s.Source {
	case cases.SourcePopulation:
		k.source(it, SourcePopulation, "")
	case cases.SourceContactDetails:
		k.source(it, SourceContact, "")
	case cases.SourceLandRegister:
		k.source(it, SourceLandRegister, "")
	case cases.SourceOrganization:
		k.source(it, SourceBusiness, "")
	default:
		k.source(it, SourceEarlierCase, s.Reference)
	}
}

// answers makes an item of every answered data field of def in data,
// group items included ("Members 1: Name"), and lets each be finished.
func (k *collecting) answers(def *forms.Definition, data map[string]any, finish func(f *forms.Field, it *Item), atts map[string]cases.Attachment) {
	lookup := func(id string) (forms.Attachment, bool) {
		a, ok := atts[id]
		return a.Form(), ok
	}
	steps := def.Summary(data, k.lang, lookup, func(id string) string { return k.t(id) })
	var walk func(prefix string, items []forms.SummaryItem)
	walk = func(prefix string, items []forms.SummaryItem) {
		for _, si := range items {
			f, _, ok := def.Lookup(topField(si.FieldID))
			if !ok {
				continue
			}
			if sub := subField(f, si.FieldID); sub != nil {
				f = sub
			}
			if len(si.Items) > 0 {
				for i, row := range si.Items {
					walk(fmt.Sprintf("%s%s %d: ", prefix, si.Label, i+1), row)
				}
				continue
			}
			if si.Value == "" {
				continue
			}
			it := Item{Concept: f.Concept, Field: si.FieldID, Label: prefix + si.Label, Value: si.Value,
				Purpose: f.Purpose.In(k.lang)}
			k.basis(&it, f.LegalBasis)
			finish(f, &it)
			k.add(it)
		}
	}
	for _, st := range steps {
		walk("", st.Items)
	}
}

// topField is the top-level field of a summary path ("members.0.hetu").
func topField(path string) string {
	id, _, _ := strings.Cut(path, ".")
	return id
}

// subField is the group member a path names, nil for a top-level field.
func subField(group *forms.Field, path string) *forms.Field {
	parts := strings.Split(path, ".")
	if len(parts) != 3 {
		return nil
	}
	for i := range group.Fields {
		if group.Fields[i].ID == parts[2] {
			return &group.Fields[i]
		}
	}
	return nil
}

// drafts: the person's unfinished applications, and those someone is
// writing in their name.
func (k *collecting) drafts() error {
	seen := map[string]bool{}
	var ids []string
	for _, b := range []string{store.DraftsByUser, store.DraftsBySubject} {
		err := k.tx.Scan(b, k.p.ID+"/", func(key string, _ []byte) error {
			k.d.from(b, key)
			if id := key[len(k.p.ID)+1:]; !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(ids)))
	for _, id := range ids {
		var d cases.Draft
		if err := k.tx.Get(store.Drafts, id, &d); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			return err
		}
		if d.CaseID != "" {
			continue // its case shows it
		}
		if err := k.oneDraft(&d); err != nil {
			return err
		}
	}
	return nil
}

func (k *collecting) oneDraft(d *cases.Draft) error {
	k.d.from(store.Drafts, d.ID)
	k.d.from(store.DraftData, d.ID)
	if d.Due != 0 {
		k.d.from(store.Due, cases.DueKeyOfDraft(d))
	}
	ref := &CaseRef{ID: d.ID, Kind: "draft", Service: d.Service, ServiceName: k.serviceName(d.Service), FormVersion: d.FormVersion,
		Editable: d.Owner.ID == k.p.ID}
	group := ref.ServiceName + " – " + k.t("myData.draft")
	def, ok := k.c.Forms.Version(d.Service, d.FormVersion)
	if !ok {
		return fmt.Errorf("mydata: draft %s: form %s version %d is not loaded", d.ID, d.Service, d.FormVersion)
	}
	var data map[string]any
	if raw, err := k.tx.GetRaw(store.DraftData, d.ID); err == nil {
		if err := json.Unmarshal(raw, &data); err != nil {
			return err
		}
	}
	atts := map[string]cases.Attachment{}
	err := k.tx.Scan(store.Attachments, d.ID+"/", func(key string, raw []byte) error {
		var a cases.Attachment
		if err := json.Unmarshal(raw, &a); err != nil {
			return err
		}
		atts[a.ID] = a
		k.d.from(store.Attachments, key)
		k.d.from(store.Blobs, a.Blob)
		k.d.from(store.Counters, "blobref/"+a.Blob)
		return nil
	})
	if err != nil {
		return err
	}
	src, name := SourceYou, ""
	if d.Owner.ID != k.p.ID {
		src, name = SourceProxy, d.Owner.Name
		if d.Principal != nil && d.Principal.Kind == identity.PrincipalGuardian {
			src = SourceGuardian
		}
	}
	k.answers(def, data, func(f *forms.Field, it *Item) {
		it.Topic, it.Group, it.Case = TopicDrafts, group, ref
		it.StoredAt = d.UpdatedAt.UTC()
		if s, ok := cases.SourceOf(d.Prefill, f.ID, data[f.ID]); ok {
			k.prefillSource(it, s)
		} else {
			k.source(it, src, name)
		}
		k.retain(it, d.ExpiresAt, "")
	}, atts)
	// The people the draft names as parties.
	if err := k.tx.Scan(store.DraftParties, d.ID+"/", func(key string, _ []byte) error {
		k.d.from(store.DraftParties, key)
		return nil
	}); err != nil {
		return err
	}
	k.d.Deletions = append(k.d.Deletions, Deletion{On: d.ExpiresAt.In(datefmt.Helsinki()).Format(time.DateOnly),
		What: k.t("myData.deletion.draft", map[string]any{"Service": ref.ServiceName}), Case: ref, Topic: TopicDrafts})
	return nil
}

// mandates: whom the person may act for (held) and who may act for them
// (given), and the organisations they hold a role in.
func (k *collecting) mandates() error {
	seeded := k.seededAt()
	held := func(m Mandate, concept, label, src string, srcName ...string) {
		k.d.Mandates = append(k.d.Mandates, m)
		topic := TopicMandates
		if m.Kind == identity.PrincipalOrganization {
			topic = TopicOrganisations
		}
		value := m.Who.Name
		if m.Role != "" {
			value += " (" + m.Role + ")"
		}
		if len(m.Issues) > 0 {
			value += " – " + k.t("myData.value.issues", map[string]any{"Count": len(m.Issues)})
		}
		it := k.item(topic, concept, label, value, seeded)
		k.source(&it, src, strings.Join(srcName, ""))
		it.File = m.Scan
		var until time.Time
		if m.ValidTo != "" {
			until, _ = time.ParseInLocation(time.DateOnly, m.ValidTo, datefmt.Helsinki())
		}
		k.retain(&it, until, "myData.retain.register")
		k.add(it)
	}
	// Children (guardianship index) and guardians.
	if err := k.tx.Scan(store.Guardianship, k.p.ID+"/", func(key string, _ []byte) error {
		k.d.from(store.Guardianship, key)
		var c population.Person
		if err := k.tx.Get(store.People, key[len(k.p.ID)+1:], &c); err != nil {
			return nil
		}
		k.d.from(store.People, c.ID)
		held(Mandate{Direction: "held", Kind: identity.PrincipalGuardian, Who: Ref{c.ID, c.Name()}}, "guardianship.ward", "myData.label.child", SourcePopulation)
		return nil
	}); err != nil {
		return err
	}
	for _, g := range k.p.Guardians {
		var gp population.Person
		if err := k.tx.Get(store.People, g, &gp); err != nil {
			continue
		}
		k.d.from(store.Guardianship, g+"/"+k.p.ID)
		held(Mandate{Direction: "given", Kind: identity.PrincipalGuardian, Who: Ref{gp.ID, gp.Name()}}, "guardianship.guardian", "myData.label.guardian", SourcePopulation)
	}
	for _, m := range k.p.Mandates {
		k.d.from(store.MandatesByPrincipal, m.Principal+"/"+k.p.ID)
		who := Ref{ID: m.Principal, Name: m.Principal}
		kind := identity.PrincipalMandate
		var pp population.Person
		var o population.Organization
		if err := k.tx.Get(store.People, m.Principal, &pp); err == nil {
			who.Name = pp.Name()
		} else if err := k.tx.Get(store.Settings, "org:"+m.Principal, &o); err == nil {
			who.Name, kind = o.Name, identity.PrincipalOrganization
		}
		src, name := k.paper(m)
		held(Mandate{Direction: "held", Kind: kind, Who: who, Issues: m.Issues, ValidFrom: m.ValidFrom, ValidTo: m.ValidTo,
			Document: m.Document, Scan: k.scan(k.p.ID, m)}, "mandate.held", "myData.label.mandateHeld", src, name)
	}
	for _, r := range k.p.Roles {
		var o population.Organization
		name := r.Organization
		if err := k.tx.Get(store.Settings, "org:"+r.Organization, &o); err == nil {
			name = o.Name
		}
		k.d.from(store.OrgRoles, r.Organization+"/"+k.p.ID)
		held(Mandate{Direction: "held", Kind: identity.PrincipalOrganization, Who: Ref{r.Organization, name}, Role: r.Role},
			"organization.role", "myData.label.role", SourceBusiness)
	}
	// Mandates others hold from the person: the register keeps them on
	// the holder's record.
	return k.tx.Scan(store.People, "", func(key string, raw []byte) error {
		if key == k.p.ID || !strings.Contains(string(raw), `"`+k.p.ID+`"`) {
			return nil
		}
		var other population.Person
		if err := json.Unmarshal(raw, &other); err != nil {
			return err
		}
		for _, m := range other.Mandates {
			if m.Principal == k.p.ID {
				k.d.from(store.People, key)
				src, name := k.paper(m)
				k.d.from(store.MandatesByPrincipal, k.p.ID+"/"+other.ID)
				held(Mandate{Direction: "given", Kind: identity.PrincipalMandate, Who: Ref{other.ID, other.Name()}, Issues: m.Issues,
					ValidFrom: m.ValidFrom, ValidTo: m.ValidTo, Document: m.Document, Scan: k.scan(other.ID, m)},
					"mandate.given", "myData.label.mandateGiven", src, name)
			}
		}
		return nil
	})
}

// paper is the source of a mandate: an official who recorded it from a
// paper power of attorney (with their name), or Suomi.fi Mandates.
func (k *collecting) paper(m population.Mandate) (string, string) {
	if m.Document == "" {
		return SourceMandates, ""
	}
	var st population.Staff
	if err := k.tx.Get(store.Staff, m.RecordedBy, &st); err == nil {
		return SourceOfficial, st.Name
	}
	return SourceOfficial, ""
}

// scan is the scanned paper power of attorney of a mandate the holder
// holds, if an official stored one (its content is the person's data
// too).
func (k *collecting) scan(holder string, m population.Mandate) *File {
	if m.Scan == nil {
		return nil
	}
	k.d.from(store.Blobs, identity.ScanBlob(holder, m.Scan.ID))
	return &File{Name: m.Scan.Name, MIME: m.Scan.MIME, Size: m.Scan.Size, Link: "/my/mandates/" + holder + "/" + m.Scan.ID}
}

// shareIDs are the ids of the shares that may concern the person, by the
// indexes of store.Shares: those with them ("p/<person>/") and those of
// the applications of the cases_by_user index ("c/<case>/"), so the cost
// follows the person's own data, not the store's.
func (k *collecting) shareIDs() ([]string, error) {
	seen := map[string]bool{}
	var ids []string
	add := func(key string, _ []byte) error {
		id := key[strings.LastIndexByte(key, '/')+1:]
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
		return nil
	}
	if err := k.tx.Scan(store.Shares, "p/"+k.p.ID+"/", add); err != nil {
		return nil, err
	}
	var caseIDs []string
	if err := k.tx.Scan(store.CasesByUser, k.p.ID+"/", func(key string, _ []byte) error {
		caseIDs = append(caseIDs, key[len(k.p.ID)+1:])
		return nil
	}); err != nil {
		return nil, err
	}
	for _, c := range caseIDs {
		if err := k.tx.Scan(store.Shares, "c/"+c+"/", add); err != nil {
			return nil, err
		}
	}
	sort.Strings(ids) // ids grow with time: oldest first, as the scan of "s/" listed them
	return ids, nil
}

// invitations: the approvals the person was asked for, and the places
// someone named the person as a party.
func (k *collecting) invitations() error {
	err := k.tx.Scan(store.InvitationsByUser, k.p.ID+"/", func(key string, _ []byte) error {
		k.d.from(store.InvitationsByUser, key)
		var inv cases.Invitation
		if err := k.tx.Get(store.Invitations, key[len(k.p.ID)+1:], &inv); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			return err
		}
		k.invitation(&inv)
		return nil
	})
	if err != nil {
		return err
	}
	// Applications shared read-only: with the person (their index) and by
	// them (the shares of their own applications, by the cases' index).
	ids, err := k.shareIDs()
	if err != nil {
		return err
	}
	for _, id := range ids {
		key := "s/" + id
		var sh cases.Share
		if err := k.tx.Get(store.Shares, key, &sh); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			return err
		}
		if sh.By.ID != k.p.ID && sh.Invitee.ID != k.p.ID {
			continue
		}
		k.d.from(store.Shares, key, "p/"+sh.Invitee.ID+"/"+sh.ID)
		label, value, src, name := "myData.label.shared", sh.Invitee.Name, SourceYou, ""
		if sh.Invitee.ID == k.p.ID {
			label, value, src, name = "myData.label.sharedWithYou", k.serviceName(sh.Service)+" "+sh.Reference, SourceShared, sh.By.Name
		}
		if sh.RevokedAt != nil {
			value += " – " + k.t("myData.value.revoked")
		}
		it := k.item(TopicInvitations, "share", label, value, sh.CreatedAt)
		it.Group = k.serviceName(sh.Service) + " " + sh.Reference
		k.source(&it, src, name)
		k.retain(&it, sh.ExpiresAt, "")
		k.add(it)
	}
	// Drafts of others that name the person as a party.
	err = k.tx.Scan(store.DraftParties, "", func(key string, raw []byte) error {
		if k.d.Covers(store.DraftParties, key) {
			return nil
		}
		var p cases.DraftParty
		if err := json.Unmarshal(raw, &p); err != nil {
			return err
		}
		if p.Person != k.p.ID && p.Hetu != k.p.Hetu {
			return nil
		}
		k.d.from(store.DraftParties, key)
		owner, service, until := "", "", time.Time{}
		if d, err := cases.StoredDraft(k.tx, strings.SplitN(key, "/", 2)[0]); err == nil {
			owner, service, until = d.Owner.Name, k.serviceName(d.Service), d.ExpiresAt
		}
		for _, v := range []struct{ concept, label, value string }{
			{"person.name", "myData.label.name", p.Name}, {"person.hetu", "myData.label.hetu", p.Hetu},
			{"contact.email", "myData.label.email", p.Email}, {"contact.phone", "myData.label.phone", p.Phone}} {
			if v.value == "" {
				continue
			}
			it := k.item(TopicInvitations, v.concept, v.label, v.value, p.AddedAt)
			it.Group = service
			k.source(&it, SourceCoApplicant, owner)
			k.retain(&it, until, "myData.retain.withCase")
			k.add(it)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Invitations to others on the person's own applications, and
	// invitations naming the person found by henkilötunnus.
	return k.tx.Scan(store.Invitations, "", func(key string, raw []byte) error {
		if k.d.Covers(store.Invitations, key) {
			return nil
		}
		s := string(raw)
		if !strings.Contains(s, `"`+k.p.ID+`"`) && !strings.Contains(s, `"`+k.p.Hetu+`"`) {
			return nil
		}
		var inv cases.Invitation
		if err := json.Unmarshal(raw, &inv); err != nil {
			return err
		}
		k.invitation(&inv)
		return nil
	})
}

func (k *collecting) invitation(inv *cases.Invitation) {
	k.d.from(store.Invitations, inv.ID)
	var until time.Time
	var c cases.Case
	if err := k.tx.Get(store.Cases, inv.Case, &c); err == nil {
		until = c.RetainUntil
	}
	if inv.Applicant.ID == k.p.ID { // one the person's application sent
		it := k.item(TopicInvitations, "party.invitationSent", "myData.label.invitationSent",
			inv.Name+" – "+k.t(invitationMsg[inv.Status]), inv.CreatedAt)
		it.Group = k.serviceName(inv.Service)
		k.source(&it, SourceYou, "")
		k.retain(&it, until, "myData.retain.withCase")
		k.add(it)
		return
	}
	it := k.item(TopicInvitations, "party.invitationReceived", "myData.label.invitation",
		k.serviceName(inv.Service)+" – "+k.t(invitationMsg[inv.Status]), inv.CreatedAt)
	k.source(&it, SourceCoApplicant, inv.Applicant.Name)
	k.retain(&it, until, "myData.retain.withCase")
	k.add(it)
	for _, v := range []struct{ concept, label, value string }{
		{"person.hetu", "myData.label.hetu", inv.Hetu}, {"contact.email", "myData.label.email", inv.Email}, {"contact.phone", "myData.label.phone", inv.Phone}} {
		if v.value == "" {
			continue
		}
		it := k.item(TopicInvitations, v.concept, v.label, v.value, inv.CreatedAt)
		it.Group = k.serviceName(inv.Service)
		k.source(&it, SourceCoApplicant, inv.Applicant.Name)
		k.retain(&it, until, "myData.retain.withCase")
		k.add(it)
	}
}

// notifications: the person's notices, the deliveries owed to them,
// their channel choices and the demo outbox's copies.
func (k *collecting) notifications() error {
	n, unread := 0, 0
	var newest time.Time
	err := k.tx.Scan(store.Notices, k.p.ID+"/", func(key string, raw []byte) error {
		var no notify.Notification
		if err := json.Unmarshal(raw, &no); err != nil {
			return err
		}
		k.d.from(store.Notices, key)
		n++
		if !no.Read {
			unread++
		}
		if no.At.After(newest) {
			newest = no.At
		}
		text := no.Kind
		if k.c.Notices != nil {
			text = k.c.Notices(k.lang, no)
		}
		it := k.item(TopicNotifications, "notification", "myData.label.notification", text, no.At)
		k.source(&it, SourceService, "")
		keep := notify.KeepNotice
		if no.Read {
			keep = notify.KeepRead
		}
		k.retain(&it, no.At.Add(keep), "")
		k.add(it)
		return nil
	})
	if err != nil {
		return err
	}
	k.d.from(store.Counters, "unread/"+k.p.ID)
	var prefs notify.Preferences
	if err := k.tx.Get(store.NotifyPrefs, k.p.ID, &prefs); err == nil {
		k.d.from(store.NotifyPrefs, k.p.ID)
		var kinds []string
		for kind, chans := range prefs.On {
			kinds = append(kinds, kind+": "+strings.Join(chans, ", "))
		}
		sort.Strings(kinds)
		it := k.item(TopicNotifications, "notification.preferences", "myData.label.preferences", strings.Join(kinds, "; "), time.Time{})
		k.source(&it, SourceYou, "")
		k.retain(&it, time.Time{}, "myData.retain.untilChanged")
		k.add(it)
	}
	// Deliveries waiting for a channel.
	if err := k.tx.Scan(store.Outbox, "", func(key string, raw []byte) error {
		var dl notify.Delivery
		if err := json.Unmarshal(raw, &dl); err != nil || dl.User != k.p.ID {
			return err
		}
		k.d.from(store.Outbox, key)
		it := k.item(TopicNotifications, "notification.delivery", "myData.label.delivery", dl.Channel, time.Time{})
		k.source(&it, SourceService, "")
		k.retain(&it, time.Time{}, "myData.retain.delivery")
		k.add(it)
		return nil
	}); err != nil {
		return err
	}
	// The demo outbox: the e-mail and SMS "sent" to the person.
	return k.tx.Scan(store.DevOutbox, "", func(key string, raw []byte) error {
		var r notify.Recorded
		if err := json.Unmarshal(raw, &r); err != nil {
			return err
		}
		if r.To == "" || (r.To != k.p.Email && r.To != k.p.Phone && r.To != k.p.ID) {
			return nil
		}
		k.d.from(store.DevOutbox, key)
		it := k.item(TopicNotifications, "notification.message", "myData.label.message", r.Subject, r.At)
		k.source(&it, SourceService, "")
		k.retain(&it, r.At.Add(notify.KeepRecorded), "")
		k.add(it)
		return nil
	})
}

// devices: the push subscriptions.
func (k *collecting) devices() error {
	return k.tx.Scan(store.PushSubs, k.p.ID+"/", func(key string, raw []byte) error {
		var s notify.Subscription
		if err := json.Unmarshal(raw, &s); err != nil {
			return err
		}
		k.d.from(store.PushSubs, key)
		k.d.Devices = append(k.d.Devices, Device{ID: s.ID, Device: s.Device, CreatedAt: s.CreatedAt.UTC()})
		name := s.Device
		if name == "" {
			name = k.t("myData.value.unknownDevice")
		}
		it := k.item(TopicDevices, "device.push", "myData.label.device", name, s.CreatedAt)
		k.source(&it, SourceYou, "")
		k.retain(&it, time.Time{}, "myData.retain.device")
		k.add(it)
		return nil
	})
}

// sessions: the person's logins that have not ended.
func (k *collecting) sessions() error {
	return k.tx.Scan(store.Sessions, "", func(key string, raw []byte) error {
		var s identity.Session
		if err := json.Unmarshal(raw, &s); err != nil {
			return err
		}
		if s.UserID != k.p.ID && s.ActingFor != k.p.ID {
			return nil
		}
		k.d.from(store.Sessions, key)
		value := datefmt.DateTime(s.CreatedAt, k.lang)
		src, name := SourceService, ""
		if s.UserID != k.p.ID {
			src, name = SourceProxy, s.Name
			if s.ActingAs == identity.PrincipalGuardian {
				src = SourceGuardian
			}
		}
		it := k.item(TopicSessions, "session", "myData.label.session", value, s.CreatedAt)
		k.source(&it, src, name)
		var ends time.Time
		if k.c.SessionEnds != nil {
			ends = k.c.SessionEnds(s)
		}
		k.retain(&it, ends, "")
		k.add(it)
		return nil
	})
}

// accessLog sums up the reads of the person's data by others.
func (k *collecting) accessLog() error {
	return k.tx.Scan(store.AccessBySubject, k.p.ID+"/", func(key string, _ []byte) error {
		k.d.from(store.AccessBySubject, key)
		seq := key[len(k.p.ID)+1:]
		k.d.from(store.AccessLog, seq)
		var a audit.Access
		if err := k.tx.Get(store.AccessLog, seq, &a); err != nil {
			return err
		}
		if a.Actor.ID == k.p.ID {
			return nil
		}
		k.d.AccessLog.Reads++
		at := a.At
		k.d.AccessLog.Latest = &at
		return nil
	})
}

// deletions sorts the coming deletions.
func (k *collecting) deletions() {
	sort.SliceStable(k.d.Deletions, func(i, j int) bool { return k.d.Deletions[i].On < k.d.Deletions[j].On })
}

// ErrRefused: the session may not read that person's data.
var ErrRefused = errors.New("mydata: refused")

// Reader decides whose data a session reads: the person's own, or, for a
// guardian acting for their minor child, the child's (the relation is
// checked again on the day; a child who has turned 18 is their own). A
// guardian's reading is an entry in the child's access log.
type Reader struct {
	Collector *Collector
	Directory *identity.Directory
}

// Read collects the data the session may see, in lang; kind is what the
// access log calls the reading (audit.KindMyData or audit.KindExport).
func (r *Reader) Read(sess identity.Session, lang, kind string) (*Data, error) {
	if sess.Kind != identity.Resident {
		return nil, ErrRefused
	}
	subject := sess.UserID
	var guardian *Ref
	if sess.ActingFor != "" && sess.ActingAs == identity.PrincipalGuardian {
		now := r.Collector.now()
		p, err := r.Directory.MayActFor(sess, sess.ActingFor, now)
		if err != nil || p.Kind != identity.PrincipalGuardian {
			return nil, ErrRefused
		}
		subject, guardian = p.ID, &Ref{ID: sess.UserID, Name: sess.Name}
		err = r.Collector.Store.Update(func(tx *store.Tx) error {
			return audit.RecordAccess(tx, now, audit.Access{Actor: audit.Actor{ID: sess.UserID, Name: sess.Name, Role: "resident"},
				ActingFor: subject, Subject: subject, Kind: kind, Purpose: audit.PurposeGuardian})
		})
		if err != nil {
			return nil, err
		}
	}
	return r.Collector.Collect(subject, lang, guardian)
}

func (c *Collector) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}
