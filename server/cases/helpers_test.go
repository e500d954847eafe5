package cases_test

import (
	"bytes"
	"errors"
	"sync"
	"testing"
	"time"

	"asiointi/server/cases"
	"asiointi/server/catalog"
	"asiointi/server/identity"
	"asiointi/server/population"
	"asiointi/server/store"
	"asiointi/server/store/storetest"
)

// t0 is the default test time: a Monday in February 2027, inside the
// summer-job-voucher application window (2027-01-15 … 2027-03-31).
var t0 = time.Date(2027, 2, 1, 10, 0, 0, 0, time.UTC)

// clock is the injected Service.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *clock) Add(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

// Henkilötunnukset of the demo people (server/population/demo.json).
const (
	hetuAino   = "140386-902R"
	hetuMikko  = "021184-9139"
	hetuEetu   = "210620A925C"
	hetuElla   = "090111A936M"
	hetuHelmi  = "050840-948K"
	hetuJuhani = "300468-951T"
	hetuSven   = "171279-9677"
	hetuMaria  = "030392-974H"
	orgID      = "2345678-0"
	orgName    = "Esimerkkilän Urheiluseura ry"
)

// env is one test's world: a fresh store seeded with the demo people and a
// Service on it with an injected clock.
type env struct {
	t   testing.TB
	dir string
	st  *store.Store
	cat *catalog.Catalog
	reg *identity.Directory
	clk *clock
	svc *cases.Service
}

func newEnv(t testing.TB) *env { return newEnvAt(t, t0, store.Options{}) }

func newEnvAt(t testing.TB, now time.Time, opt store.Options) *env {
	t.Helper()
	return newEnvWith(t, now, opt, nil)
}

// soleOwner makes Aino the only owner of her property (demo data: Aino
// and Sven own it), so that her building notification has no one else to
// approve it.
func soleOwner(d *population.Data) { d.Properties[0].Owners = []string{"aino"} }

// newSoleOwnerEnv is newEnv with soleOwner.
func newSoleOwnerEnv(t testing.TB) *env { return newEnvWith(t, t0, store.Options{}, soleOwner) }

// newEnvWith is newEnvAt with the demo register changed by change (nil:
// as it is).
func newEnvWith(t testing.TB, now time.Time, opt store.Options, change func(*population.Data)) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), clk: &clock{t: now}}
	st, err := storetest.Open(t, e.dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.st.Close() })
	e.st = st
	demo, err := population.Demo()
	if err != nil {
		t.Fatal(err)
	}
	if change != nil {
		change(demo)
	}
	if _, err := identity.Seed(st, demo, now); err != nil {
		t.Fatal(err)
	}
	if e.cat, err = catalog.Load(); err != nil {
		t.Fatal(err)
	}
	e.build()
	return e
}

// build (re)creates the Service on the current store.
func (e *env) build() {
	e.t.Helper()
	fs, err := cases.LoadForms(e.st, e.cat)
	if err != nil {
		e.t.Fatal(err)
	}
	e.reg = &identity.Directory{Store: e.st}
	e.svc = &cases.Service{Store: e.st, Catalog: e.cat, Forms: fs, Register: e.reg, RefPrefix: "ESI", Now: e.clk.Now}
}

// reopen closes the store and opens it again (a restart).
func (e *env) reopen() {
	e.t.Helper()
	if err := e.st.Close(); err != nil {
		e.t.Fatal(err)
	}
	st, err := storetest.Open(e.t, e.dir, store.Options{})
	if err != nil {
		e.t.Fatal(err)
	}
	e.st = st
	e.build()
}

func (e *env) person(hetu string) population.Person {
	e.t.Helper()
	p, err := e.reg.PersonByHetu(hetu)
	if err != nil {
		e.t.Fatalf("person %s: %v", hetu, err)
	}
	return p
}

// ref is a resident acting for themself.
func (e *env) ref(hetu string) cases.Ref {
	p := e.person(hetu)
	return cases.Ref{ID: p.ID, Name: p.Name(), Kind: "resident"}
}

// principal is a person acted for (guardianship or mandate).
func (e *env) principal(hetu, kind string) *cases.Ref {
	p := e.person(hetu)
	return &cases.Ref{ID: p.ID, Name: p.Name(), Kind: kind}
}

func orgRef() *cases.Ref {
	return &cases.Ref{ID: orgID, Name: orgName, Kind: "organization"}
}

func (e *env) create(service string, owner cases.Ref, principal *cases.Ref) *cases.Draft {
	e.t.Helper()
	d, err := e.svc.CreateDraft(service, owner, principal)
	if err != nil {
		e.t.Fatalf("CreateDraft %s: %v", service, err)
	}
	return d
}

// save merges answers into the draft's current data and saves it.
func (e *env) save(d *cases.Draft, answers map[string]any) *cases.Draft {
	e.t.Helper()
	data := merge(d.Data, answers)
	out, _, err := e.svc.Save(d.ID, d.Owner.ID, d.Version, data, -1)
	if err != nil {
		e.t.Fatalf("Save %s: %v", d.Service, err)
	}
	return out
}

// submit submits and expects a case.
func (e *env) submit(d *cases.Draft) *cases.Case {
	e.t.Helper()
	res, err := e.svc.Submit(d.ID, d.Owner)
	if err != nil {
		e.t.Fatalf("Submit %s: %v", d.Service, err)
	}
	if len(res.Errors) > 0 {
		e.t.Fatalf("Submit %s: validation errors %+v", d.Service, res.Errors)
	}
	return res.Case
}

// fill creates a draft, saves a valid answer set and submits it.
func (e *env) fill(service string, owner cases.Ref, principal *cases.Ref, answers map[string]any) (*cases.Draft, *cases.Case) {
	e.t.Helper()
	d := e.create(service, owner, principal)
	d = e.save(d, answers)
	return d, e.submit(d)
}

// fileUpload is content to upload under name.
func fileUpload(name string, content []byte) cases.Upload {
	return cases.Upload{Name: name, Size: int64(len(content)), Content: bytes.NewReader(content)}
}

// upload adds an attachment and expects success.
func (e *env) upload(d *cases.Draft, field, name string, content []byte) *cases.Attachment {
	e.t.Helper()
	a, err := e.svc.AddAttachment(d.ID, d.Owner.ID, field, fileUpload(name, content))
	if err != nil {
		e.t.Fatalf("AddAttachment %s: %v", field, err)
	}
	return a
}

func merge(base map[string]any, over map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}

func isNotFound(err error) bool { return errors.Is(err, cases.ErrNotFound) }

// Minimal files with real signatures.
var (
	pdfFile  = []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
	pngFile  = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"), bytes.Repeat([]byte{0}, 16)...)
	jpegFile = append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0x01, 0x01}, bytes.Repeat([]byte{0}, 16)...)
	textFile = []byte("Tämä on tavallinen tekstitiedosto, ei PDF.\n")
)

// Realistic valid answers per service, on top of what prefill gives.

func sportsShiftAnswers() map[string]any {
	return map[string]any{
		"groupName": "Esimerkkilän Sählykerho", "groupType": "informal", "ageGroup": "adults",
		"participants": 14.0, "hall": "sports-centre-small", "weekday": "tue", "startTime": "18.30",
		"duration": "90", "season": "full", "equipmentNeeded": false,
		"notes": "Toivomme samaa vuoroa kuin viime kaudella.",
	}
}

// earlyEducationAnswers for a start date 6 months after t0.
func earlyEducationAnswers() map[string]any {
	return map[string]any{
		"specialNeeds": "", "startDate": "2027-08-02", "urgent": "no", "careNeed": "fullDay",
		"preferredUnits": []any{"satakieli", "metsatahti"}, "otherGuardianKnows": true,
	}
}

func associationGrantAnswers(annualReport string) map[string]any {
	return map[string]any{
		"iban": "FI49 5000 9420 0287 30", "members": 240.0,
		"grantPurpose": "Junioreiden salibandyharjoitukset ja kevään turnaus.", "amount": "1500.00",
		"budget": []any{
			map[string]any{"item": "Salivuokrat", "itemAmount": "1200.00"},
			map[string]any{"item": "Turnauksen palkinnot", "itemAmount": "300"},
		},
		"otherFunding": "no", "annualReport": annualReport, "confirmCorrect": true,
	}
}

func homeHelpAnswers() map[string]any {
	return map[string]any{
		"livesAlone": "yes", "helpWith": []any{"washing", "shopping"},
		"situation":        "Kaaduin keväällä, enkä jaksa enää käydä kaupassa yksin.",
		"hasContactPerson": "no", "consentHealthInfo": true, "confirmCorrect": true,
	}
}

func buildingAnswers(sitePlan string) map[string]any {
	return map[string]any{
		"street": "Koulukatu 5", "postalCode": "99100", "city": "Esimerkkilä",
		"measure": "shed", "shedArea": 12.5, "description": "Puurakenteinen varasto tontin pohjoisreunaan.",
		"startDate": "2027-05-03", "sitePlan": sitePlan,
	}
}

func summerJobAnswers() map[string]any {
	return map[string]any{
		"school": "Esimerkkilän yhtenäiskoulu", "employerKnown": "no",
		"guardianConsent": true, "guardianName": "Aino Virtanen",
	}
}
