package identity

import (
	"errors"
	"testing"
	"time"

	"asiointi/server/audit"
	"asiointi/server/store"
)

// TestRecordPaperMandate: an official records a paper power of attorney;
// it becomes a right to act (source paper, its validity) and is
// audit-logged in the same write. Incomplete ones and non-officials are
// refused, and nothing is stored then.
func TestRecordPaperMandate(t *testing.T) {
	d := demoDir(t)
	maria, helmi := mustPerson(t, d, "030392-974H"), mustPerson(t, d, "050840-948K")
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	kaisa := audit.Who{ID: "kaisa", Name: "Kaisa Käsittelijä", Kind: Staff}
	homeHelp := []string{"home-help"} // the service whose mandate issue it is
	issue := "http://valtuusrekisteri.suomi.fi/sosiaali_ja_terveydenhuollon_asioiden_hoito"
	good := PaperMandate{Holder: "030392-974H", Principal: helmi.ID, Issues: []string{issue}, // the holder by henkilötunnus
		ValidFrom: "2026-11-01", ValidTo: "2027-10-31", Document: "ESI/asiakirja/2026/123",
		Scan: &ScanFile{Name: "valtakirja.pdf", Content: scanPDF}}
	for _, tc := range []struct {
		name string
		who  audit.Who
		edit func(m *PaperMandate)
		want error
	}{
		{"a resident", audit.Who{ID: maria.ID, Kind: Resident}, nil, ErrNotOfficial},
		{"an official without a role in the issue's services", audit.Who{ID: "sara", Kind: Staff}, nil, ErrNotOfficial},
		{"no document", kaisa, func(m *PaperMandate) { m.Document = "" }, ErrBadMandate},
		{"no scan", kaisa, func(m *PaperMandate) { m.Scan = nil }, ErrBadMandate},
		{"an empty scan", kaisa, func(m *PaperMandate) { m.Scan = &ScanFile{Name: "a.pdf"} }, ErrBadMandate},
		{"a scan over the limit", kaisa, func(m *PaperMandate) {
			m.Scan = &ScanFile{Name: "a.pdf", Content: append(append([]byte(nil), scanPDF...), make([]byte, ScanLimit)...)}
		}, ErrScanTooLarge},
		{"a scan of another type", kaisa, func(m *PaperMandate) {
			m.Scan = &ScanFile{Name: "valtakirja.pdf", Content: []byte("MZ\x90\x00 not a document")}
		}, ErrScanType},
		{"no issue", kaisa, func(m *PaperMandate) { m.Issues = nil }, ErrBadMandate},
		{"ends before it starts", kaisa, func(m *PaperMandate) { m.ValidTo = "2026-10-01" }, ErrBadMandate},
		{"bad date", kaisa, func(m *PaperMandate) { m.ValidFrom = "1.11.2026" }, ErrBadMandate},
		{"unknown principal", kaisa, func(m *PaperMandate) { m.Principal = "nobody" }, ErrBadMandate},
		{"oneself", kaisa, func(m *PaperMandate) { m.Principal = m.Holder }, ErrBadMandate},
	} {
		m := good
		if tc.edit != nil {
			tc.edit(&m)
		}
		if err := d.RecordPaperMandate(tc.who, homeHelp, m, now); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
	if log, _ := audit.Entries(d.Store, 0); len(log) != 0 {
		t.Fatalf("refusals were audit-logged: %+v", log)
	}
	if err := d.RecordPaperMandate(kaisa, nil, good, now); !errors.Is(err, ErrNotOfficial) {
		t.Errorf("no service named: %v", err)
	}
	if err := d.RecordPaperMandate(kaisa, homeHelp, good, now); err != nil {
		t.Fatal(err)
	}
	ps, err := d.Principals(mustPerson(t, d, "030392-974H"), now)
	if err != nil || len(ps) != 1 || ps[0].ID != helmi.ID || ps[0].Source != SourcePaper || ps[0].ValidTo != "2027-10-31" || ps[0].Issues[0] != issue {
		t.Fatalf("Maria's principals %+v, %v", ps, err)
	}
	if ps, _ := d.Principals(mustPerson(t, d, "030392-974H"), now.AddDate(1, 0, 0)); len(ps) != 0 {
		t.Errorf("after its end: %+v", ps)
	}
	log, err := audit.Entries(d.Store, 0)
	if err != nil || len(log) != 1 || log[0].Actor.ID != "kaisa" || log[0].Action != audit.ActionPaperMandate ||
		log[0].Detail["document"] != good.Document || log[0].Target != maria.ID || log[0].Detail["principal"] != helmi.ID {
		t.Errorf("audit %+v, %v", log, err)
	}
}

// scanPDF is a minimal PDF: what a scanner writes starts the same.
var scanPDF = []byte("%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")

// TestPaperMandateScan: the scanned document of a paper power of
// attorney is the holder's and the principal's to see, and an
// official's with a role in a service on its issue, whose reading is in
// the access log of both; another resident, an official without such a
// role and a wrong id get ErrNoScan, and nothing is logged for them.
func TestPaperMandateScan(t *testing.T) {
	d := demoDir(t)
	maria, helmi, aino := mustPerson(t, d, "030392-974H"), mustPerson(t, d, "050840-948K"), mustPerson(t, d, "140386-902R")
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	kaisa := audit.Who{ID: "kaisa", Name: "Kaisa Käsittelijä", Kind: Staff}
	issue := "http://valtuusrekisteri.suomi.fi/sosiaali_ja_terveydenhuollon_asioiden_hoito"
	servicesOn := func(is string) []string {
		if is == issue {
			return []string{"home-help"}
		}
		return nil
	}
	if err := d.RecordPaperMandate(kaisa, []string{"home-help"}, PaperMandate{Holder: maria.ID, Principal: helmi.ID, Issues: []string{issue},
		ValidFrom: "2026-11-01", Document: "ESI/2026/9", Scan: &ScanFile{Name: "../skannattu valtakirja.pdf", Content: scanPDF}}, now); err != nil {
		t.Fatal(err)
	}
	m, ok := d.PaperMandateOf(maria.ID, helmi.ID, issue, now)
	if !ok || m.Scan == nil || m.Scan.Name != "skannattu valtakirja.pdf" || m.Scan.MIME != "application/pdf" || m.Scan.Size != int64(len(scanPDF)) {
		t.Fatalf("the recorded mandate %+v %v", m, ok)
	}
	if _, ok := d.PaperMandateOf(maria.ID, helmi.ID, issue, now.AddDate(0, -1, 0)); ok {
		t.Error("a mandate before it starts")
	}
	if _, ok := d.PaperMandateOf(maria.ID, helmi.ID, "http://valtuusrekisteri.suomi.fi/avustuksen_hakeminen", now); ok {
		t.Error("a mandate on another issue")
	}
	// An organisation's paper mandate is found by its business id.
	grants := "http://valtuusrekisteri.suomi.fi/avustuksen_hakeminen"
	if err := d.RecordPaperMandate(audit.Who{ID: "pertti", Kind: Staff}, []string{"association-grant"}, PaperMandate{Holder: maria.ID,
		Principal: "2345678-0", Issues: []string{grants}, ValidFrom: "2026-11-01", Document: "ESI/2026/10",
		Scan: &ScanFile{Name: "valtakirja.png", Content: scanPDF}}, now); err != nil {
		t.Fatal(err)
	}
	if m, ok := d.PaperMandateOf(maria.ID, "2345678-0", grants, now); !ok || m.Document != "ESI/2026/10" || m.Scan == nil {
		t.Errorf("the organisation's paper mandate: %+v %v", m, ok)
	}
	for _, tc := range []struct {
		name string
		who  audit.Who
		scan string
		ok   bool
	}{
		{"the holder", audit.Who{ID: maria.ID, Kind: Resident}, m.Scan.ID, true},
		{"the principal", audit.Who{ID: helmi.ID, Kind: Resident}, m.Scan.ID, true},
		{"another resident", audit.Who{ID: aino.ID, Kind: Resident}, m.Scan.ID, false},
		{"an official without a role on the issue", audit.Who{ID: "sara", Kind: Staff}, m.Scan.ID, false},
		{"a wrong id", audit.Who{ID: maria.ID, Kind: Resident}, store.NewID(now), false},
		{"an official with a role on the issue", kaisa, m.Scan.ID, true},
	} {
		_, body, err := d.PaperMandateScan(tc.who, maria.ID, tc.scan, servicesOn, now)
		if tc.ok && (err != nil || string(body) != string(scanPDF)) {
			t.Errorf("%s: %v", tc.name, err)
		}
		if !tc.ok && (!errors.Is(err, ErrNoScan) || body != nil) {
			t.Errorf("%s: err = %v, want ErrNoScan", tc.name, err)
		}
	}
	for _, who := range []string{maria.ID, helmi.ID} {
		log, _, err := audit.Of(d.Store, who, audit.Filter{})
		if err != nil || len(log) != 1 || log[0].Actor.ID != "kaisa" || log[0].Kind != audit.KindMandateScan || log[0].Purpose != audit.PurposeMandate {
			t.Errorf("access log of %s: %+v %v", who, log, err)
		}
	}
}
