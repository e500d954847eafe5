package identity_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"asiointi/server/identity"
)

// TestParseMunicipality: the example file is accepted; every refusal names
// the field at fault.
func TestParseMunicipality(t *testing.T) {
	raw, err := os.ReadFile("../../deploy/municipality.example.json")
	if err != nil {
		t.Fatal(err)
	}
	offered := func(id string) bool { return id != "no-such" }
	m, err := identity.ParseMunicipality(raw, offered)
	if err != nil || m.ID != "kuusimaki" || m.RefPrefix != "KUU" || len(m.Services) != 4 || m.DataProtection.Email == "" {
		t.Fatalf("the example: %+v, %v", m, err)
	}
	for _, tc := range []struct{ name, old, new, want string }{
		{"swedish name missing", `"sv": "Granbacka kommun", `, ``, "name: the sv text is missing"},
		{"unknown language", `"en": "Kuusimäki"}`, `"en": "Kuusimäki", "de": "Fichtenberg"}`, `shortName: unknown language "de"`},
		{"bad id", `"kuusimaki"`, `"Kuusimäki"`, "id:"},
		{"bad reference prefix", `"KUU"`, `"kuu"`, "refPrefix:"},
		{"no phone", `"phone": "+358 9 555 1000"`, `"phone": " "`, "phone: missing"},
		{"bad e-mail", `"kirjaamo@kuusimaki.example.fi"`, `"kirjaamo"`, "email:"},
		{"no data protection e-mail", `"tietosuoja@kuusimaki.example.fi"`, `""`, "dataProtection.email:"},
		{"data protection name missing", `"sv": "Dataskyddsombudet i Granbacka kommun", `, ``, "dataProtection.name: the sv text is missing"},
		{"website not https", `"https://www.kuusimaki`, `"http://www.kuusimaki`, "website:"},
		{"bad colour", `"#1d5e3a"`, `"green"`, "primaryColor:"},
		{"no services", `["early-education", "home-help", "building-notification", "sports-shift"]`, `[]`, "services: name the services"},
		{"unknown service", `"sports-shift"]`, `"sports-shift", "no-such"]`, `services: no service "no-such"`},
		{"service twice", `"sports-shift"]`, `"sports-shift", "home-help"]`, `services: "home-help" named twice`},
		{"unknown field", `"phone":`, `"fax": "1", "phone":`, `unknown field "fax"`},
		{"trailing data", "}\n", "} {}", "unexpected data"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := bytes.Replace(raw, []byte(tc.old), []byte(tc.new), 1)
			if bytes.Equal(bad, raw) {
				t.Fatalf("%q is not in the example", tc.old)
			}
			if _, err := identity.ParseMunicipality(bad, offered); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestImportMunicipality: the first import makes the municipality the
// served one; later ones update its details; another id or reference
// prefix is refused.
func TestImportMunicipality(t *testing.T) {
	st := openStore(t)
	if _, err := identity.ServedMunicipality(st); !errors.Is(err, identity.ErrNoMunicipality) {
		t.Fatalf("a new store: %v", err)
	}
	raw, err := os.ReadFile("../../deploy/municipality.example.json")
	if err != nil {
		t.Fatal(err)
	}
	m, err := identity.ParseMunicipality(raw, func(string) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	if created, err := identity.ImportMunicipality(st, m); err != nil || !created {
		t.Fatalf("first import: %v %v", created, err)
	}
	m.Phone = "+358 9 555 2000"
	if created, err := identity.ImportMunicipality(st, m); err != nil || created {
		t.Fatalf("new details: %v %v", created, err)
	}
	if got, err := identity.ServedMunicipality(st); err != nil || got.Phone != m.Phone {
		t.Errorf("served: %+v %v", got, err)
	}
	other := m
	other.ID = "naapurila"
	if _, err := identity.ImportMunicipality(st, other); err == nil || !strings.Contains(err.Error(), `serves "kuusimaki"`) {
		t.Errorf("another id: %v", err)
	}
	prefix := m
	prefix.RefPrefix = "KUS"
	if _, err := identity.ImportMunicipality(st, prefix); err == nil || !strings.Contains(err.Error(), "reference prefix") {
		t.Errorf("another prefix: %v", err)
	}
}
