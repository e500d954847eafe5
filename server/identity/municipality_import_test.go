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
	file, err := os.ReadFile("../../deploy/municipality.example.json")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := identity.InlineLogo(file, "../../deploy")
	if err != nil {
		t.Fatal(err)
	}
	svg, err := os.ReadFile("../../deploy/kuusimaki-logo.svg")
	if err != nil {
		t.Fatal(err)
	}
	offered := func(id string) bool { return id != "no-such" }
	m, err := identity.ParseMunicipality(raw, offered)
	if err != nil || m.ID != "kuusimaki" || m.RefPrefix != "KUU" || len(m.Services) != 4 || m.DataProtection.Email == "" {
		t.Fatalf("the example: %+v, %v", m, err)
	}
	if m.Logo == nil || m.Logo.Type != "image/svg+xml" || !bytes.Equal(m.Logo.Data, svg) {
		t.Fatalf("the example's logo: %+v", m.Logo)
	}
	noLogo := bytes.Replace(file, []byte(`"logo": "kuusimaki-logo.svg",`), nil, 1)
	if m, err := identity.ParseMunicipality(noLogo, offered); err != nil || m.Logo != nil {
		t.Fatalf("without a logo: %+v, %v", m.Logo, err)
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
		{"logo not inlined", `"logo": "data:`, `"logo": "x.svg", "website": "`, `logo: "x.svg": name an SVG or PNG file`},
		{"logo not base64", `;base64,`, `;base64,*`, "logo: the data: URI is not base64"},
		{"logo of another type", `"logo": "data:image/svg+xml;`, `"logo": "data:image/png;`, "logo: the file is image/svg+xml, not image/png"},
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
	if raw, err = identity.InlineLogo(raw, "../../deploy"); err != nil {
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

// TestInlineLogo: the logo file a municipality file names is read next to
// it and checked with the rest; one that is missing, too big or active is
// refused, naming the logo.
func TestInlineLogo(t *testing.T) {
	file, err := os.ReadFile("../../deploy/municipality.example.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, tc := range []struct{ name, content, want string }{
		{"missing", "", "logo: open"},
		{"too big", `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><!--` + strings.Repeat("x", 70<<10) + `--></svg>`, "logo: the file is 65 KiB; a logo may be at most 64 KiB"},
		{"script", `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><script>alert(1)</script></svg>`, "logo: the SVG has a <script> element"},
		{"a JPEG", "\xff\xd8\xff\xe0", "logo: not an SVG or PNG file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := strings.ReplaceAll(tc.name, " ", "-") + ".svg"
			if tc.content != "" {
				if err := os.WriteFile(dir+"/"+name, []byte(tc.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			raw, err := identity.InlineLogo(bytes.Replace(file, []byte("kuusimaki-logo.svg"), []byte(name), 1), dir)
			if err == nil {
				_, err = identity.ParseMunicipality(raw, func(string) bool { return true })
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
	// Not a JSON object: left for ParseMunicipality to tell.
	if raw, err := identity.InlineLogo([]byte("[1]"), dir); err != nil || string(raw) != "[1]" {
		t.Errorf("not an object: %q %v", raw, err)
	}
}
