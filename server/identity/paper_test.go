package identity

import (
	"errors"
	"testing"
	"time"

	"asiointi/server/audit"
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
		ValidFrom: "2026-11-01", ValidTo: "2027-10-31", Document: "ESI/asiakirja/2026/123"}
	for _, tc := range []struct {
		name string
		who  audit.Who
		edit func(m *PaperMandate)
		want error
	}{
		{"a resident", audit.Who{ID: maria.ID, Kind: Resident}, nil, ErrNotOfficial},
		{"an official without a role in the issue's services", audit.Who{ID: "sara", Kind: Staff}, nil, ErrNotOfficial},
		{"no document", kaisa, func(m *PaperMandate) { m.Document = "" }, ErrBadMandate},
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
