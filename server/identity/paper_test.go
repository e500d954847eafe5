package identity

import (
	"errors"
	"testing"
	"time"
)

// TestRecordPaperMandate: an official records a paper power of attorney;
// it becomes a right to act (source paper, its validity) and is
// audit-logged in the same write. Incomplete ones and non-officials are
// refused, and nothing is stored then.
func TestRecordPaperMandate(t *testing.T) {
	d := demoDir(t)
	maria, helmi := mustPerson(t, d, "030392-974H"), mustPerson(t, d, "050840-948K")
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	kaisa := Session{UserID: "kaisa", Kind: Staff}
	issue := "http://valtuusrekisteri.suomi.fi/sosiaali_ja_terveydenhuollon_asioiden_hoito"
	good := PaperMandate{Holder: maria.ID, Principal: helmi.ID, Issues: []string{issue},
		ValidFrom: "2026-11-01", ValidTo: "2027-10-31", Document: "ESI/asiakirja/2026/123"}
	for _, tc := range []struct {
		name string
		who  Session
		edit func(m *PaperMandate)
		want error
	}{
		{"a resident", Session{UserID: maria.ID, Kind: Resident}, nil, ErrNotOfficial},
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
		if err := d.RecordPaperMandate(tc.who, m, now); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
	if log, _ := d.MandateAuditLog(); len(log) != 0 {
		t.Fatalf("refusals were audit-logged: %+v", log)
	}
	if err := d.RecordPaperMandate(kaisa, good, now); err != nil {
		t.Fatal(err)
	}
	ps, err := d.Principals(mustPerson(t, d, "030392-974H"), now)
	if err != nil || len(ps) != 1 || ps[0].ID != helmi.ID || ps[0].Source != SourcePaper || ps[0].ValidTo != "2027-10-31" || ps[0].Issues[0] != issue {
		t.Fatalf("Maria's principals %+v, %v", ps, err)
	}
	if ps, _ := d.Principals(mustPerson(t, d, "030392-974H"), now.AddDate(1, 0, 0)); len(ps) != 0 {
		t.Errorf("after its end: %+v", ps)
	}
	log, err := d.MandateAuditLog()
	if err != nil || len(log) != 1 || log[0].Official != "kaisa" || log[0].Document != good.Document || log[0].Holder != maria.ID {
		t.Errorf("audit %+v, %v", log, err)
	}
}
