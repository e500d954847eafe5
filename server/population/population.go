// Package population is the embedded local implementation of the national
// population data the platform needs (DVV): people, their addresses,
// guardianships, organisation roles, mandates (Suomi.fi Mandates, demo) and
// property ownership. Demo mode seeds it into the store once.
package population

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"time"

	"asiointi/i18n"
)

// Address is a postal address; street and city carry both official names
// in a bilingual municipality.
type Address struct {
	Street     i18n.Text `json:"street"`
	PostalCode string    `json:"postalCode"`
	City       i18n.Text `json:"city"`
}

// Person is one resident as the population register knows them.
type Person struct {
	ID        string  `json:"id"`
	Hetu      string  `json:"hetu"`
	FirstName string  `json:"firstName"`
	LastName  string  `json:"lastName"`
	BirthDate string  `json:"birthDate"`
	Language  string  `json:"language"`
	Address   Address `json:"address"`
	// AddressProtected is the population register's non-disclosure of
	// address (turvakielto): no address of this person is shown or
	// prefilled anywhere, and none is stored.
	AddressProtected bool `json:"addressProtected,omitempty"`
	// HomeMunicipality is the municipality number of the home
	// municipality, as e-Identification tells it.
	HomeMunicipality string `json:"homeMunicipality,omitempty"`
	Email            string `json:"email,omitempty"`
	Phone            string `json:"phone,omitempty"`
	// Guardians lists person ids of the guardians (minors only).
	Guardians []string `json:"guardians,omitempty"`
	// Roles are positions in organisations (e.g. PJ = chair).
	Roles []Role `json:"roles,omitempty"`
	// Mandates this person has received from others.
	Mandates []Mandate `json:"mandates,omitempty"`
	// Properties this person owns (property ids).
	Properties []string `json:"properties,omitempty"`
}

// Name is "First Last".
func (p Person) Name() string { return p.FirstName + " " + p.LastName }

// Age on the given day.
func (p Person) Age(on time.Time) int {
	b, err := time.Parse("2006-01-02", p.BirthDate)
	if err != nil {
		return 0
	}
	y := on.Year() - b.Year()
	if on.YearDay() < b.YearDay() && (on.Month() < b.Month() || (on.Month() == b.Month() && on.Day() < b.Day())) {
		y--
	}
	return y
}

// Role is a position in an organisation.
type Role struct {
	Organization string `json:"organization"` // business id
	Role         string `json:"role"`
}

// Mandate is a Suomi.fi mandate the holder received from Principal.
type Mandate struct {
	Principal string   `json:"principal"` // person id or business id
	Issues    []string `json:"issues"`
	ValidFrom string   `json:"validFrom"`
	ValidTo   string   `json:"validTo,omitempty"`
	// Document is the reference of the scanned paper power of attorney
	// when an official recorded the mandate from one ("" for a mandate
	// from Suomi.fi Mandates); RecordedBy and RecordedAt say who and when.
	Document   string `json:"document,omitempty"`
	RecordedBy string `json:"recordedBy,omitempty"`
	RecordedAt string `json:"recordedAt,omitempty"`
	// Scan is the scanned paper document, when the official uploaded it
	// (its content is in the store's blobs, identity.PaperMandateScan).
	Scan *Scan `json:"scan,omitempty"`
}

// Scan is a scanned document: its id, the file name it was uploaded
// with, its type (from its content), size and SHA-256.
type Scan struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	MIME   string `json:"mime"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Organization is a registered organisation (YTJ/PRH data).
type Organization struct {
	BusinessID string    `json:"businessId"`
	Name       string    `json:"name"`
	Form       i18n.Text `json:"form"`
}

// Property is a real estate unit with its owners.
type Property struct {
	ID     string    `json:"id"`
	Name   i18n.Text `json:"name"`
	Owners []string  `json:"owners"`
}

// Staff is a municipal official who can log in. The username is the
// login identity, unique in the installation; the role and its units are
// held in one municipality (units are that municipality's catalogue units).
type Staff struct {
	Username string `json:"username"`
	Name     string `json:"name"`
	// Municipality is the id of the municipality whose official the
	// person is: their Role and Units apply to its services only.
	Municipality string    `json:"municipality"`
	Role         string    `json:"role"` // handler | manager | admin
	Units        []string  `json:"units"`
	Title        i18n.Text `json:"title"`
	// Language is the one the person reads staff messages in (the daily
	// digest); fi when empty.
	Language string `json:"language,omitempty"`
	// Roles are the person's first roles by service id (demo data): the
	// seed writes them into the roles an admin then changes (see
	// identity.SetRole); the store's roles are the truth afterwards.
	Roles map[string]string `json:"roles,omitempty"`
}

// Municipality is one municipality the installation serves: its stable
// id, brand and contact details. Several small municipalities may share
// one installation; every service, form, case and staff role names the
// municipality it belongs to by ID.
type Municipality struct {
	// ID is the municipality's stable key in the store and in content
	// (services.json names its municipality by it): lower-case words
	// joined by hyphens, e.g. "esimerkkila". It never changes once data
	// refers to it; the name may.
	ID           string    `json:"id"`
	Name         i18n.Text `json:"name"`
	ShortName    i18n.Text `json:"shortName"`
	Slogan       i18n.Text `json:"slogan"`
	Address      i18n.Text `json:"address"`
	Phone        string    `json:"phone"`
	Email        string    `json:"email"`
	Website      string    `json:"website"`
	PrimaryColor string    `json:"primaryColor"`
	OpeningHours i18n.Text `json:"openingHours"`
	// DataProtection is the data protection officer's contact, named in
	// every privacy notice.
	DataProtection Contact `json:"dataProtection"`
	// RefPrefix starts the reference of every case of the municipality
	// ("ESI-2027-000001"); no two municipalities share one.
	RefPrefix string `json:"refPrefix"`
	// Services are the ids of the shipped catalogue's services the
	// municipality offers (asiointi import-municipality); none means every
	// service of its own catalogue (the demo municipality's).
	Services []string `json:"services,omitempty"`
	// Logo is the municipality's own logo: in the page header, on the
	// printed page's letterhead and on the PDF receipt (none: the name
	// alone). package logo checks it.
	Logo *Logo `json:"logo,omitempty"`
}

// Logo is an image file: an SVG (Type "image/svg+xml") or a PNG
// ("image/png").
type Logo struct {
	Type string `json:"type"`
	Data []byte `json:"data"`
}

// Contact is a named contact point of the municipality.
type Contact struct {
	Name  i18n.Text `json:"name"`
	Email string    `json:"email"`
	Phone string    `json:"phone"`
}

// Data is the whole demo register.
type Data struct {
	Municipality  Municipality   `json:"municipality"`
	People        []Person       `json:"people"`
	Organizations []Organization `json:"organizations"`
	Properties    []Property     `json:"properties"`
	Staff         []Staff        `json:"staff"`
}

//go:embed demo.json
var demoJSON []byte

// demoLogo is the demo municipality's logo.
//
//go:embed demo-logo.svg
var demoLogo []byte

// Demo returns the demo municipality's register.
func Demo() (*Data, error) {
	var d Data
	if err := json.Unmarshal(demoJSON, &d); err != nil {
		return nil, fmt.Errorf("population: demo data: %w", err)
	}
	d.Municipality.Logo = &Logo{Type: "image/svg+xml", Data: demoLogo}
	return &d, nil
}
