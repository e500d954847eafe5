package cases

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"asiointi/server/forms"
	"asiointi/server/identity"
	"asiointi/server/population"
	"asiointi/server/store"
)

// Register is the population and organisation data that prefill reads
// and the acting-for relations that the on-behalf check looks up
// (identity.Directory).
type Register interface {
	Person(id string) (population.Person, error)
	Organization(businessID string) (population.Organization, error)
	Principals(p population.Person, on time.Time) ([]identity.Principal, error)
	// ActorsFor lists, in tx, who may now act for an organisation in a
	// service (its role or mandate issue): whom its applications concern.
	ActorsFor(tx *store.Tx, businessID, role, issue string, on time.Time) ([]population.Person, error)
	// PersonByHetu and Property find co-applicants (parties.go).
	PersonByHetu(hetu string) (population.Person, error)
	Property(id string) (population.Property, error)
}

// Sources of prefilled values: each names the register or record the
// value really comes from.
const (
	// SourcePopulation: the population register, for what it holds:
	// names, personal identity codes, addresses and guardianships.
	SourcePopulation = "population"
	// SourceContactDetails: the e-mail address and phone number the
	// person has given us as their contact details (not a register's).
	SourceContactDetails = "contact-details"
	// SourceLandRegister: the land register (properties and owners).
	SourceLandRegister = "land-register"
	// SourceOrganization: the business register (YTJ).
	SourceOrganization = "organization"
	// SourceEarlierCase: an earlier application of the same person.
	SourceEarlierCase = "earlier-case"
)

// Whom a prefilled value is about (PrefillSource.About).
const (
	// AboutSubject: the one the form is for, the principal when acting for
	// someone (a person or an organisation).
	AboutSubject = "subject"
	// AboutActor: the person filling in the form.
	AboutActor = "actor"
)

// conceptAbout tells whom a data concept is about: person.*, child.*,
// organization.* and property.* describe the subject; contact.* and
// contactPerson.* the person filling in the form.
func conceptAbout(concept string) string {
	if strings.HasPrefix(concept, "contact.") || strings.HasPrefix(concept, "contactPerson.") {
		return AboutActor
	}
	return AboutSubject
}

// registerSource is the register a prefill concept is answered from
// ("" for a concept no register holds): the one rule registerValue
// follows and privacy notices name (SourcesOf).
func registerSource(concept string) string {
	switch {
	case strings.HasPrefix(concept, "organization."):
		if concept == "organization.name" || concept == "organization.businessId" {
			return SourceOrganization
		}
		return ""
	case concept == "property.id":
		return SourceLandRegister
	case concept == "contactPerson.name":
		return SourcePopulation
	case strings.HasPrefix(concept, "contactPerson."):
		concept = strings.Replace(concept, "contactPerson.", "contact.", 1)
	case strings.HasPrefix(concept, "person.") || strings.HasPrefix(concept, "child."):
		concept = concept[strings.Index(concept, ".")+1:]
	}
	switch concept {
	case "name.first", "name.last", "name.full", "hetu", "address.street", "address.postalCode", "address.city":
		return SourcePopulation
	case "contact.email", "contact.phone":
		return SourceContactDetails
	}
	return ""
}

// SourcesOf names where a prefilled value of concept can come from: its
// register, if one holds it, and the person's earlier applications.
func SourcesOf(concept string) []string {
	if src := registerSource(concept); src != "" {
		return []string{src, SourceEarlierCase}
	}
	return []string{SourceEarlierCase}
}

// registerValue answers a concept from the registers: person.* and
// child.* describe the person the form is for (the principal when acting
// for someone), contact.* the person filling it in, organization.* the
// organisation acted for, property.id the subject's property, and
// contactPerson.* the person filling it in when they act for someone
// else (the one to keep informed). It returns the value and its source.
func registerValue(concept string, subject, actor *population.Person, org *population.Organization, forOther bool) (any, string, bool) {
	src := registerSource(concept)
	var p *population.Person
	switch {
	case strings.HasPrefix(concept, "person.") || strings.HasPrefix(concept, "child."):
		p = subject
		concept = concept[strings.Index(concept, ".")+1:]
	case strings.HasPrefix(concept, "contact."):
		p = actor
	case strings.HasPrefix(concept, "contactPerson."):
		if !forOther {
			return nil, "", false
		}
		p = actor
		switch concept {
		case "contactPerson.name":
			concept = "name.full"
		case "contactPerson.phone":
			concept = "contact.phone"
		case "contactPerson.email":
			concept = "contact.email"
		}
	case strings.HasPrefix(concept, "organization."):
		if org == nil {
			return nil, "", false
		}
		switch concept {
		case "organization.name":
			return org.Name, src, true
		case "organization.businessId":
			return org.BusinessID, src, true
		}
		return nil, "", false
	case concept == "property.id":
		if subject != nil && len(subject.Properties) > 0 {
			return subject.Properties[0], src, true
		}
		return nil, "", false
	}
	if p == nil {
		return nil, "", false
	}
	if isAddressConcept(concept) && p.AddressProtected {
		return nil, "", false // non-disclosure: never prefilled
	}
	var v string
	switch concept {
	case "name.first":
		v = p.FirstName
	case "name.last":
		v = p.LastName
	case "name.full":
		v = p.Name()
	case "hetu":
		v = p.Hetu
	case "address.street":
		v = p.Address.Street["fi"]
	case "address.postalCode":
		v = p.Address.PostalCode
	case "address.city":
		v = p.Address.City["fi"]
	case "contact.email":
		v = p.Email
	case "contact.phone":
		v = p.Phone
	}
	if v == "" {
		return nil, "", false
	}
	return v, src, true
}

// prefill finds known values for the draft's prefill fields: the register
// first, then the owner's own earlier answers to the same concept for the
// same subject (newest first).
func (s *Service) prefill(def *forms.Definition, d *Draft) (map[string]PrefillSource, error) {
	out := map[string]PrefillSource{}
	var want []*forms.Field
	for _, f := range def.DataFields() {
		if f.Prefill && f.Concept != "" {
			want = append(want, f)
		}
	}
	if len(want) == 0 {
		return out, nil
	}
	var subject, actor *population.Person
	var org *population.Organization
	if s.Register != nil {
		if p, err := s.Register.Person(d.Owner.ID); err == nil {
			actor = &p
		}
		subject = actor
		if d.Principal != nil {
			subject = nil
			if p, err := s.Register.Person(d.Principal.ID); err == nil {
				subject = &p
			} else if o, err := s.Register.Organization(d.Principal.ID); err == nil {
				org = &o
			}
		}
	}
	protected := subject != nil && subject.AddressProtected
	for _, f := range want {
		if v, src, ok := registerValue(f.Concept, subject, actor, org, d.Principal != nil); ok {
			out[f.ID] = PrefillSource{Source: src, About: conceptAbout(f.Concept), Value: v}
		}
	}
	if protected {
		// Non-disclosure of address: not even the person's own earlier
		// answers bring an address back onto the screen.
		kept := want[:0:0]
		for _, f := range want {
			if !isAddressConcept(f.Concept) {
				kept = append(kept, f)
			}
		}
		want = kept
	}
	// Earlier answers of this owner for this subject, for what the
	// registers did not answer (none to look for when they answered all).
	if !slices.ContainsFunc(want, func(f *forms.Field) bool { _, done := out[f.ID]; return !done }) {
		return out, nil
	}
	subjectID, prefix := d.Subject().ID, d.Owner.ID+"/"
	buf := earlierBufs.Get().(*[]byte)
	defer earlierBufs.Put(buf)
	err := s.Store.View(func(tx *store.Tx) error {
		return tx.ScanReverse(store.CasesByUser, prefix, func(k string, _ []byte) error {
			// Each case is read into the one buffer: nothing read from
			// it is kept (readEarlier's values are copies).
			raw, grown, err := tx.GetRawInto(store.Cases, strings.TrimPrefix(k, prefix), *buf)
			if cap(grown) <= maxEarlierBuf {
				*buf = grown
			}
			if err != nil {
				return nil
			}
			c, ok := s.readEarlier(raw, d.Owner.ID, subjectID)
			if !ok {
				return nil
			}
			missing := 0
			for _, f := range want {
				if _, done := out[f.ID]; done {
					continue
				}
				if v, ok := c.known(f.Concept); ok && compatible(f, v) {
					out[f.ID] = PrefillSource{Source: SourceEarlierCase, About: conceptAbout(f.Concept), Case: c.id(), Reference: c.reference(), Value: v}
				} else {
					missing++
				}
			}
			if missing == 0 {
				return store.ErrStop
			}
			return nil
		})
	})
	if err != nil && !errors.Is(err, store.ErrStop) {
		return nil, err
	}
	return out, nil
}

// earlierBufs hold the decompressed record of the earlier case prefill
// is reading (a larger one than maxEarlierBuf is left to the collector).
var earlierBufs = sync.Pool{New: func() any { return new([]byte) }}

const maxEarlierBuf = 64 << 10

// earlierCase is what prefill reads of an earlier case: its id and
// reference and its answers by concept (Case.Known, withKnown). A create
// reads the owner's cases newest first until every concept it asks for
// is answered, past the cases of theirs that are not their own
// applications for the same subject (sent by a proxy, or for someone
// else): it reads from the record only the members it needs
// (objectMembers), and of the answers only those asked for, rather than
// decoding each whole case.
type earlierCase struct {
	raw []byte
	// Member values in raw (nil when absent).
	idRaw, refRaw, answers []byte
	def                    *forms.Definition // of the answers; nil: none
	knownMap               map[string]any    // a record's own Known (older records), or the whole decoding's
	whole                  *Case             // when decoded whole (decodeEarlier)
}

// earlierMembers are the members of a case record that readEarlier reads,
// by bit.
var earlierMembers = [...]string{"id", "reference", "service", "formVersion", "actor", "principal", "answers", "known"}

// readEarlier reads raw, the record of a case in the owner's list of
// cases: ok when it is the owner's own application for subject, as
// decoding the whole Case would tell (then c answers what its Known
// would). A record it does not read member by member (escaped or repeated
// members, ids that are not plain ASCII, values of another type) it
// decodes whole, as before; a malformed one is skipped, as before.
func (s *Service) readEarlier(raw []byte, owner, subject string) (c earlierCase, ok bool) {
	var vals [len(earlierMembers)][]byte
	seen, twice := 0, false
	if objectMembers(raw, func(m member) {
		for i, name := range earlierMembers {
			if string(m.key(raw)) == name {
				twice = twice || seen&(1<<i) != 0
				seen |= 1 << i
				vals[i] = m.value(raw)
			}
		}
	}) < 0 || twice {
		return s.decodeEarlier(raw, owner, subject)
	}
	id, ref, service, version, actor, principal, answers, known := vals[0], vals[1], vals[2], vals[3], vals[4], vals[5], vals[6], vals[7]
	actorID, ok := idOf(actor)
	if !ok {
		return s.decodeEarlier(raw, owner, subject)
	}
	subjectID := actorID
	if principal != nil && !isNull(principal) {
		if subjectID, ok = idOf(principal); !ok {
			return s.decodeEarlier(raw, owner, subject)
		}
	}
	if string(subjectID) != subject || string(actorID) != owner {
		return c, false
	}
	// The owner's own: one prefill takes answers from; as whole.
	if !json.Valid(raw) {
		return c, false
	}
	c = earlierCase{raw: raw, idRaw: id, refRaw: ref}
	for _, v := range [][]byte{id, ref, service} {
		if _, ok := plainString(v); !ok && v != nil {
			return s.decodeEarlier(raw, owner, subject)
		}
	}
	if known != nil && !isNull(known) {
		var m map[string]any
		if err := unmarshal(known, &m); err != nil {
			return earlierCase{}, false
		}
		if m != nil {
			c.knownMap = m
			return c, true
		}
	}
	if answers == nil || isNull(answers) {
		return c, true
	}
	if objectMembers(answers, func(member) {}) < 0 {
		return s.decodeEarlier(raw, owner, subject)
	}
	v := 0
	if version != nil {
		n, err := strconv.Atoi(string(version))
		if err != nil {
			return s.decodeEarlier(raw, owner, subject)
		}
		v = n
	}
	name, _ := plainString(service)
	if def, ok := s.Forms.Version(string(name), v); ok {
		c.def, c.answers = def, answers
	}
	return c, true
}

// decodeEarlier is readEarlier by decoding the whole case (encoding/json,
// as the store's Get).
func (s *Service) decodeEarlier(raw []byte, owner, subject string) (earlierCase, bool) {
	var whole Case
	if err := unmarshal(raw, &whole); err != nil || whole.Subject().ID != subject || whole.Actor.ID != owner {
		return earlierCase{}, false
	}
	s.withKnown(&whole)
	return earlierCase{knownMap: whole.Known, whole: &whole}, true
}

// known is the case's answer to a data concept: as knownConcepts maps
// it, the answer to the last field of the form, in form order, with the
// concept (files and groups are not reused).
func (c *earlierCase) known(concept string) (any, bool) {
	if c.def == nil {
		v, ok := c.knownMap[concept]
		return v, ok
	}
	for si := len(c.def.Steps) - 1; si >= 0; si-- {
		fields := c.def.Steps[si].Fields
		for fi := len(fields) - 1; fi >= 0; fi-- {
			f := &fields[fi]
			if !knownField(f) || f.Concept != concept {
				continue
			}
			var raw []byte
			objectMembers(c.answers, func(m member) { // the last of a repeated key, as decoding keeps
				if string(m.key(c.answers)) == f.ID {
					raw = m.value(c.answers)
				}
			})
			if raw == nil {
				continue
			}
			var v any
			if err := unmarshal(raw, &v); err != nil {
				return nil, false
			}
			return v, true
		}
	}
	return nil, false
}

// id is the case's id.
func (c *earlierCase) id() string {
	if c.whole != nil {
		return c.whole.ID
	}
	s, _ := plainString(c.idRaw)
	return string(s)
}

// reference is the case's reference.
func (c *earlierCase) reference() string {
	if c.whole != nil {
		return c.whole.Reference
	}
	s, _ := plainString(c.refRaw)
	return string(s)
}

// idOf is the "id" member of the JSON object v (a Ref) as it is written,
// when it is a plain string (plainString); "" when there is none.
func idOf(v []byte) ([]byte, bool) {
	var id []byte
	ok := true
	if objectMembers(v, func(m member) {
		if string(m.key(v)) == "id" {
			id, ok = plainString(m.value(v))
		}
	}) < 0 {
		return nil, false
	}
	return id, ok
}

// plainString is the content of v, a JSON string of printable ASCII
// without escapes (what ids, references and service names are), which is
// then what decoding it gives; ok is false for any other value.
func plainString(v []byte) ([]byte, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return nil, false
	}
	s := v[1 : len(v)-1]
	for _, b := range s {
		if b < 0x20 || b > 0x7e || b == '"' || b == '\\' {
			return nil, false
		}
	}
	return s, true
}

func isNull(v []byte) bool { return string(v) == "null" }

// isAddressConcept reports whether a data concept is part of an address
// (address.street, person.address.city, ...).
func isAddressConcept(concept string) bool {
	return strings.HasPrefix(concept, "address.") || strings.Contains(concept, ".address.")
}

// compatible reports whether an earlier answer fits this field (an option
// that no longer exists is not reused).
func compatible(f *forms.Field, v any) bool {
	switch f.Type {
	case forms.TypeSelect, forms.TypeRadio:
		s, ok := v.(string)
		if !ok {
			return false
		}
		_, ok = f.Option(s)
		return ok
	case forms.TypeCheckbox:
		_, ok := v.(bool)
		return ok
	case forms.TypeNumber:
		_, ok := v.(float64)
		return ok
	case forms.TypeCheckboxes:
		_, ok := v.([]any)
		return ok
	}
	_, ok := v.(string)
	return ok
}

// prefillHash is a digest of a prefilled value (its JSON encoding, which
// is the same for the value as prefilled and as saved and read back).
func prefillHash(v any) string {
	var h [32]byte
	if !prefillDigest(&h, v) {
		return ""
	}
	return string(h[:])
}

// prefillDigest writes prefillHash(v) into h; false when v does not
// encode. SourceOf compares it for every prefilled answer a page shows:
// it allocates nothing for the usual values (a pooled encoder).
func prefillDigest(h *[32]byte, v any) bool {
	e := hashEncoders.Get().(*hashEncoder)
	defer hashEncoders.Put(e)
	e.buf.Reset()
	if err := e.enc.Encode(v); err != nil { // json.Marshal's bytes and a newline
		return false
	}
	b := e.buf.Bytes()
	sum := sha256.Sum256(b[:len(b)-1])
	hex.Encode(h[:], sum[:16])
	return true
}

// hashEncoder is an encoding/json encoder into a buffer of its own.
type hashEncoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

var hashEncoders = sync.Pool{New: func() any {
	e := &hashEncoder{}
	e.enc = json.NewEncoder(&e.buf)
	return e
}}

// SourceOf is where the answer v to field id came from, the one rule for
// every view (the form, my data, the handler's view): the prefill source
// while v is still the value that was prefilled (or the field was
// locked); ok is false when the field was not prefilled or the person has
// changed the value since — then it is the person's own answer. A source
// recorded before sources kept a hash is taken to hold.
func SourceOf(pre map[string]PrefillSource, id string, v any) (PrefillSource, bool) {
	src, ok := pre[id]
	if !ok {
		return src, false
	}
	if src.Locked || src.Hash == "" {
		return src, true
	}
	var h [32]byte
	return src, prefillDigest(&h, v) && string(h[:]) == src.Hash
}

// casePrefill is the draft's prefill sources, each marked Locked when
// the form kept the register's value (a case keeps them: Case.Sources).
func casePrefill(d *Draft) map[string]PrefillSource {
	if len(d.Prefill) == 0 {
		return nil
	}
	out := make(map[string]PrefillSource, len(d.Prefill))
	for id, src := range d.Prefill {
		_, src.Locked = d.Locked[id]
		out[id] = src
	}
	return out
}
