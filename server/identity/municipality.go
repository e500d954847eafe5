package identity

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"asiointi/i18n"

	"asiointi/server/logo"
	"asiointi/server/population"
	"asiointi/server/store"
)

// The municipalities of the installation live in the settings bucket:
//
//	"municipality:<id>"  one municipality (population.Municipality)
//	"municipality"       the id of the default municipality, as a JSON string
//
// The default municipality is the one the server serves, and the owner of
// every record written before records named their municipality (drafts
// and cases without one belong to it). Data files written before
// municipalities had ids held the whole record at "municipality":
// UpgradeMunicipality moves it.
const (
	defaultMunicipalityKey = "municipality"
	municipalityPrefix     = "municipality:"
)

// Municipality loads the default municipality: the one this installation
// serves.
func Municipality(s *store.Store) (population.Municipality, error) {
	var m population.Municipality
	err := s.View(func(tx *store.Tx) error {
		var id string
		if err := tx.Get(store.Settings, defaultMunicipalityKey, &id); err != nil {
			return err
		}
		return tx.Get(store.Settings, municipalityPrefix+id, &m)
	})
	return m, err
}

// MunicipalityByID loads a municipality of the installation by its id;
// ErrUnknown when there is none.
func MunicipalityByID(s *store.Store, id string) (population.Municipality, error) {
	var m population.Municipality
	err := s.View(func(tx *store.Tx) error { return tx.Get(store.Settings, municipalityPrefix+id, &m) })
	if errors.Is(err, store.ErrNotFound) {
		return m, ErrUnknown
	}
	return m, err
}

// AddMunicipality stores another municipality of the installation (the
// default one comes with the seed). It refuses a municipality without an
// id or reference prefix, an id already stored, and a reference prefix
// another municipality uses: a case reference names one case of the
// installation.
func AddMunicipality(s *store.Store, m population.Municipality) error {
	return s.UpdateAlone(func(tx *store.Tx) error { return putMunicipality(tx, m) })
}

func putMunicipality(tx *store.Tx, m population.Municipality) error {
	if m.ID == "" || m.RefPrefix == "" {
		return errors.New("identity: a municipality needs an id and a reference prefix")
	}
	if tx.Has(store.Settings, municipalityPrefix+m.ID) {
		return fmt.Errorf("identity: municipality %q exists already", m.ID)
	}
	others, err := store.Values[population.Municipality](tx, store.Settings, municipalityPrefix)
	if err != nil {
		return err
	}
	for _, o := range others {
		if o.RefPrefix == m.RefPrefix {
			return fmt.Errorf("identity: municipality %q uses the reference prefix %q already", o.ID, m.RefPrefix)
		}
	}
	return tx.Put(store.Settings, municipalityPrefix+m.ID, m)
}

// UpgradeMunicipality brings a data file written before municipalities had
// ids to today's layout, inside the caller's transaction: the record held
// at "municipality" gets the id legacyID (unless it has one) and is stored
// under it, "municipality" names it as the default, and staff records
// without a municipality get it. It returns the default municipality's
// id, "" when the store has none yet (a new store before seeding). On a
// store in today's layout it changes nothing.
func UpgradeMunicipality(tx *store.Tx, legacyID string) (string, error) {
	raw, err := tx.GetRaw(store.Settings, defaultMunicipalityKey)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var id string
	if jsonUnmarshal(raw, &id) == nil {
		return id, nil // today's layout
	}
	var m population.Municipality
	if err := jsonUnmarshal(raw, &m); err != nil {
		return "", fmt.Errorf("identity: settings %q: %w", defaultMunicipalityKey, err)
	}
	if m.ID == "" {
		m.ID = legacyID
	}
	if err := putMunicipality(tx, m); err != nil {
		return "", err
	}
	if err := tx.Put(store.Settings, defaultMunicipalityKey, m.ID); err != nil {
		return "", err
	}
	staff, err := store.Values[population.Staff](tx, store.Staff, "")
	if err != nil {
		return "", err
	}
	for _, st := range staff { // written after the scan: no writes under a cursor
		if st.Municipality != "" {
			continue
		}
		st.Municipality = m.ID
		if err := tx.Put(store.Staff, st.Username, st); err != nil {
			return "", err
		}
	}
	return m.ID, nil
}

// ErrNoMunicipality means the data file has no municipality yet: a new
// production installation loads its own (ImportMunicipality).
var ErrNoMunicipality = errors.New("the data file has no municipality: load one with `asiointi import-municipality FILE` (README: Going to production)")

// ServedMunicipality is Municipality, ErrNoMunicipality when the store has
// none yet.
func ServedMunicipality(s *store.Store) (population.Municipality, error) {
	m, err := Municipality(s)
	if errors.Is(err, store.ErrNotFound) {
		return m, ErrNoMunicipality
	}
	return m, err
}

var (
	municipalityID = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	refPrefix      = regexp.MustCompile(`^[A-Z]{2,5}$`)
	hexColor       = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
)

// ParseMunicipality reads and checks a municipality file (the
// population.Municipality JSON): a stable id, a reference prefix of two to
// five capital letters, name, short name, address and opening hours in
// Finnish, Swedish and English (a slogan, if any, too), phone, e-mail, an
// https website, a #rrggbb colour, the data protection officer's name in
// the three languages and e-mail, at least one service, each offered
// (offered tells which service ids the installation ships), and the
// logo, if any, as a data: URI (InlineLogo puts the file named there in;
// package logo checks it). Unknown fields
// are refused, so that a misspelt name does not drop content; every
// problem is named, one per line.
func ParseMunicipality(raw []byte, offered func(service string) bool) (population.Municipality, error) {
	var file struct {
		population.Municipality
		Logo string `json:"logo"` // a data: URI (InlineLogo)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&file); err != nil {
		return file.Municipality, fmt.Errorf("municipality: %w", err)
	}
	m := file.Municipality
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return m, errors.New("municipality: unexpected data after the municipality")
	}
	var problems []string
	bad := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	if !municipalityID.MatchString(m.ID) {
		bad("id: %q must be lower-case words joined by hyphens, e.g. \"kuusimaki\"", m.ID)
	}
	if !refPrefix.MatchString(m.RefPrefix) {
		bad("refPrefix: %q must be two to five capital letters (A–Z), e.g. \"KUU\"", m.RefPrefix)
	}
	text := func(field string, t i18n.Text, optional bool) {
		if optional && len(t) == 0 {
			return
		}
		missing, unknown := t.Check()
		for _, l := range missing {
			bad("%s: the %s text is missing", field, l)
		}
		for _, l := range unknown {
			bad("%s: unknown language %q", field, l)
		}
	}
	text("name", m.Name, false)
	text("shortName", m.ShortName, false)
	text("slogan", m.Slogan, true)
	text("address", m.Address, false)
	text("openingHours", m.OpeningHours, false)
	text("dataProtection.name", m.DataProtection.Name, false)
	if strings.TrimSpace(m.Phone) == "" {
		bad("phone: missing")
	}
	email := func(field, v string) {
		if at := strings.Index(v, "@"); at < 1 || at == len(v)-1 || strings.ContainsAny(v, " <>") {
			bad("%s: %q is not an e-mail address", field, v)
		}
	}
	email("email", m.Email)
	email("dataProtection.email", m.DataProtection.Email)
	if u, err := url.Parse(m.Website); err != nil || u.Scheme != "https" || u.Host == "" {
		bad("website: %q must be an https address", m.Website)
	}
	if !hexColor.MatchString(m.PrimaryColor) {
		bad("primaryColor: %q must be a colour #rrggbb", m.PrimaryColor)
	}
	if len(m.Services) == 0 {
		bad("services: name the services the municipality offers (ids of the shipped catalogue)")
	}
	seen := map[string]bool{}
	for _, id := range m.Services {
		switch {
		case seen[id]:
			bad("services: %q named twice", id)
		case !offered(id):
			bad("services: no service %q in the shipped catalogue", id)
		}
		seen[id] = true
	}
	if file.Logo != "" {
		l, err := parseLogo(file.Logo)
		if err != nil {
			bad("logo: %v", err)
		} else {
			m.Logo = &l
		}
	}
	if len(problems) > 0 {
		return m, errors.New("municipality:\n" + strings.Join(problems, "\n"))
	}
	return m, nil
}

// ImportMunicipality makes m the installation's municipality: on a new
// data file it is stored and becomes the default (the one served); the
// served municipality may load its details again (names, contacts,
// services), but never another id or reference prefix (cases carry it).
// It tells whether the municipality was new.
func ImportMunicipality(s *store.Store, m population.Municipality) (bool, error) {
	created := false
	err := s.UpdateAlone(func(tx *store.Tx) error {
		created = false
		var current string
		err := tx.Get(store.Settings, defaultMunicipalityKey, &current)
		switch {
		case errors.Is(err, store.ErrNotFound):
			if err := putMunicipality(tx, m); err != nil {
				return err
			}
			created = true
			return tx.Put(store.Settings, defaultMunicipalityKey, m.ID)
		case err != nil:
			return err
		case current != m.ID:
			return fmt.Errorf("municipality: this installation serves %q; its id cannot change to %q", current, m.ID)
		}
		var old population.Municipality
		if err := tx.Get(store.Settings, municipalityPrefix+m.ID, &old); err != nil {
			return err
		}
		if old.RefPrefix != m.RefPrefix {
			return fmt.Errorf("municipality: the reference prefix is %q and cannot change (case references carry it)", old.RefPrefix)
		}
		return tx.Put(store.Settings, municipalityPrefix+m.ID, m)
	})
	return created, err
}

// InlineLogo puts the logo file a municipality file names ("logo":
// "logo.svg", a path relative to dir, the municipality file's folder) into
// it as a data: URI, so that the municipality travels as one document (to
// a running server's admin socket too). A file without a logo, one that
// has it inline already and one that is not a JSON object (ParseMunicipality
// says what is wrong) come back as they are.
func InlineLogo(raw []byte, dir string) ([]byte, error) {
	name, start, end := logoField(raw)
	if name == "" || strings.HasPrefix(name, "data:") {
		return raw, nil
	}
	if !filepath.IsAbs(name) {
		name = filepath.Join(dir, name)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("municipality:\nlogo: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, logo.MaxBytes+1)) // Parse tells a larger file's size
	if err != nil {
		return nil, fmt.Errorf("municipality:\nlogo: %w", err)
	}
	typ := logo.SVG
	if bytes.HasPrefix(data, []byte("\x89PNG")) {
		typ = logo.PNG
	}
	uri, err := json.Marshal("data:" + typ + ";base64," + base64.StdEncoding.EncodeToString(data))
	if err != nil {
		return nil, err
	}
	out := append(bytes.Clone(raw[:start]), ": "...)
	out = append(out, uri...)
	return append(out, raw[end:]...), nil
}

// logoField finds the top-level "logo" string of a JSON object: its value
// and where its ": value" is in raw (the rest of the file is kept as it
// is, so that what ParseMunicipality says about it fits the file); "" when
// there is none.
func logoField(raw []byte) (name string, start, end int) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return "", 0, 0
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return "", 0, 0
		}
		start := int(dec.InputOffset())
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return "", 0, 0
		}
		if key == "logo" && json.Unmarshal(v, &name) == nil {
			return name, start, int(dec.InputOffset())
		}
	}
	return "", 0, 0
}

// parseLogo reads a logo given as a data: URI and checks it.
func parseLogo(uri string) (population.Logo, error) {
	typ, data, ok := strings.Cut(strings.TrimPrefix(uri, "data:"), ";base64,")
	if !strings.HasPrefix(uri, "data:") || !ok {
		return population.Logo{}, fmt.Errorf("%q: name an SVG or PNG file next to the municipality file", uri)
	}
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return population.Logo{}, fmt.Errorf("the data: URI is not base64: %w", err)
	}
	l, err := logo.Parse(raw)
	if err != nil {
		return l, err
	}
	if typ != l.Type {
		return population.Logo{}, fmt.Errorf("the file is %s, not %s", l.Type, typ)
	}
	return l, nil
}
