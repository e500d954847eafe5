package cases

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"asiointi/server/catalog"
	"asiointi/server/datefmt"
	"asiointi/server/identity"
	"asiointi/server/reports"
	"asiointi/server/store"
	"asiointi/server/store/storetest"
)

// TestInboxMatchesBruteForce: every inbox view (the merged walks and the
// name search) gives the page that filtering and sorting every row gives,
// over a generated store with many services, statuses and handlers.
func TestInboxMatchesBruteForce(t *testing.T) {
	now := time.Date(2027, 2, 1, 10, 0, 0, 0, time.UTC)
	st, err := storetest.Open(t, t.TempDir(), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// On PostgreSQL fewer cases (every walk is round trips to the server):
	// still many read-ahead batches of the walks (64 keys) and many pages.
	n := 3000
	if storetest.Postgres() {
		n = 1000
	}
	if err := generateInbox(st, n, now); err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	s := &Service{Store: st, Catalog: cat, Now: func() time.Time { return now }}
	var all []InboxRow
	st.View(func(tx *store.Tx) error {
		all, err = store.Values[InboxRow](tx, store.CaseIndex, "r/")
		return err
	})
	pertti := Ref{ID: "pertti", Name: "Pertti Päällikkö", Kind: identity.Staff}
	kaisa := Ref{ID: "kaisa", Name: "Kaisa Käsittelijä", Kind: identity.Staff}
	roles := map[string][]string{
		"pertti": {"sports-shift", "early-education", "home-help", "building-notification", "summer-job-voucher", "association-grant"},
		"kaisa":  {"early-education", "home-help", "building-notification"},
	}
	for _, who := range []Ref{pertti, kaisa} {
		for _, f := range []InboxFilter{
			{}, {Page: 3}, {Page: 40, PerPage: 10}, {Desc: true, Page: 2}, {Status: "all", Page: 5},
			{Handler: HandlerMine}, {Handler: HandlerUnassigned, Desc: true, Page: 2}, {Handler: "sara", Status: "all"},
			{Overdue: true, Page: 2}, {Overdue: true, Desc: true}, {DueBefore: now.AddDate(0, 2, 0), Desc: true, Page: 3},
			{Service: "home-help", Status: StatusClosed, Page: 4}, {Status: StatusDecided},
			{Customer: "aino"}, {Customer: "Aino Vir"}, {Customer: "vir ta", Status: "all"}, {Customer: "ella kor", Status: "all", Desc: true},
			{Customer: "virtanen Aino", Status: "all", Handler: HandlerMine}, {Customer: "no such", Status: "all"},
			// Submitted in a range, alone and with each other filter.
			week(now, -3), week(now, -60, func(f *InboxFilter) { f.Status = "all"; f.Desc = true }),
			year(now, func(f *InboxFilter) { f.Page = 3 }), year(now, func(f *InboxFilter) { f.Status = "all"; f.Page = 7; f.PerPage = 50 }),
			year(now, func(f *InboxFilter) { f.Handler = HandlerMine; f.Status = "all" }), year(now, func(f *InboxFilter) { f.Handler = HandlerUnassigned }),
			year(now, func(f *InboxFilter) { f.Service = "home-help"; f.Status = StatusClosed; f.Desc = true }),
			year(now, func(f *InboxFilter) { f.Overdue = true }), year(now, func(f *InboxFilter) { f.DueBefore = now.AddDate(0, -8, 0); f.Status = "all" }),
			year(now, func(f *InboxFilter) { f.Customer = "aino"; f.Status = "all" }), year(now, func(f *InboxFilter) { f.Customer = "vir ta"; f.Status = "all"; f.Desc = true }),
		} {
			t.Run(fmt.Sprintf("%s %+v", who.ID, f), func(t *testing.T) {
				got, err := s.Inbox(who, f)
				if err != nil {
					t.Fatal(err)
				}
				want := bruteInbox(all, roles[who.ID], who.ID, f, now)
				var gotIDs []string
				for _, r := range got.Rows {
					gotIDs = append(gotIDs, r.ID)
				}
				if !slices.Equal(gotIDs, want) {
					t.Errorf("got %d rows %v,\nwant %d %v", len(gotIDs), gotIDs, len(want), want)
				}
			})
		}
	}
}

// week is the filter of the cases submitted in the Helsinki week n weeks
// from now's (SubmittedRange's days), changed by each of change.
func week(now time.Time, n int, change ...func(*InboxFilter)) InboxFilter {
	monday := reports.Week(now, datefmt.Helsinki()).AddDate(0, 0, 7*n)
	return submittedIn(now, monday.Format(time.DateOnly), monday.AddDate(0, 0, 6).Format(time.DateOnly), change...)
}

// year is the filter of the cases submitted in the longest range taken,
// ending the day before the week before now.
func year(now time.Time, change ...func(*InboxFilter)) InboxFilter {
	last := now.AddDate(0, 0, -8)
	return submittedIn(now, last.AddDate(0, 0, 1-MaxSubmittedDays).Format(time.DateOnly), last.Format(time.DateOnly), change...)
}

func submittedIn(now time.Time, from, to string, change ...func(*InboxFilter)) InboxFilter {
	var f InboxFilter
	var err error
	if f.SubmittedFrom, f.SubmittedTo, err = SubmittedRange(from, to, now); err != nil {
		panic(err)
	}
	for _, c := range change {
		c(&f)
	}
	return f
}

// bruteInbox is the inbox page by filtering and sorting every row.
func bruteInbox(all []InboxRow, services []string, me string, f InboxFilter, now time.Time) []string {
	statuses := OpenStatuses
	switch f.Status {
	case "":
	case "all":
		statuses = InboxStatuses
	default:
		statuses = []string{f.Status}
	}
	perPage := f.PerPage
	if perPage == 0 {
		perPage = 25
	}
	page := max(f.Page, 1)
	before := ""
	if !f.DueBefore.IsZero() {
		before = inboxDueKey(f.DueBefore)
	}
	if f.Overdue && (before == "" || inboxDueKey(now) < before) {
		before = inboxDueKey(now)
	}
	if f.Service != "" {
		if !slices.Contains(services, f.Service) {
			return nil
		}
		services = []string{f.Service}
	}
	words := nameWords(f.Customer)
	var rows []InboxRow
	for _, r := range all {
		if !slices.Contains(services, r.Service) || !slices.Contains(statuses, r.Status) {
			continue
		}
		switch f.Handler {
		case HandlerMine:
			if r.Handler == nil || r.Handler.ID != me {
				continue
			}
		case HandlerUnassigned:
			if r.Handler != nil {
				continue
			}
		case "":
		default:
			if r.Handler == nil || r.Handler.ID != f.Handler {
				continue
			}
		}
		if before != "" && inboxDueKey(r.DueAt) >= before {
			continue
		}
		if !f.SubmittedFrom.IsZero() && (r.SubmittedAt.Before(f.SubmittedFrom) || !r.SubmittedAt.Before(f.SubmittedTo)) {
			continue
		}
		names := nameWords(r.Customer.Name)
		ok := true
		for _, w := range words {
			ok = ok && slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, w) })
		}
		if ok {
			rows = append(rows, r)
		}
	}
	sort.Slice(rows, func(i, j int) bool {
		a, b := inboxDueKey(rows[i].DueAt), inboxDueKey(rows[j].DueAt)
		if a != b {
			return (a < b) != f.Desc
		}
		return (rows[i].ID < rows[j].ID) != f.Desc
	})
	var out []string
	for i := (page - 1) * perPage; i < len(rows) && i < page*perPage; i++ {
		out = append(out, rows[i].ID)
	}
	return out
}

// TestInboxRowKeys: a row's index keys and their values, key by key (the
// inbox's walks read them; a rebuild writes them with the same keys
// function, so comparing with it cannot catch a changed key).
func TestInboxRowKeys(t *testing.T) {
	sub := time.Unix(1800000000, 0)
	due, supp := sub.Add(30*24*time.Hour), sub.Add(7*24*time.Hour)
	tests := []struct {
		name string
		row  InboxRow
		want map[string]string
	}{
		{"unhandled, one name word", InboxRow{ID: "c1", Service: "svc", Status: StatusSubmitted, Customer: Ref{Name: "Aino"},
			SubmittedAt: sub, DueAt: due}, map[string]string{
			"s/svc/submitted/1802592000/c1": "-", "h/-/submitted/1802592000/c1": "svc",
			"t/svc/submitted/1800000000/c1": "-/1802592000", "n/aino/c1": "svc/submitted/-/1802592000/aino"}},
		{"handled, supplement to remind, repeated words", InboxRow{ID: "c2", Service: "svc", Status: StatusSupplementRequested,
			Handler: &Ref{ID: "h1"}, Customer: Ref{Name: "Anna-Liisa O'Brien anna-liisa"}, SubmittedAt: sub, DueAt: due,
			SupplementDue: &supp, Remind: true}, map[string]string{
			"s/svc/supplement-requested/1802592000/c2": "h1", "h/h1/supplement-requested/1802592000/c2": "svc",
			"t/svc/supplement-requested/1800000000/c2": "h1/1802592000", "d/1800604800/c2": "",
			"n/anna-liisa/c2": "svc/supplement-requested/h1/1802592000/anna-liisa o brien",
			"n/o/c2":          "svc/supplement-requested/h1/1802592000/anna-liisa o brien",
			"n/brien/c2":      "svc/supplement-requested/h1/1802592000/anna-liisa o brien"}},
		{"reminded, no name", InboxRow{ID: "c3", Service: "svc", Status: StatusSupplementRequested, SubmittedAt: sub, DueAt: due,
			SupplementDue: &supp}, map[string]string{
			"s/svc/supplement-requested/1802592000/c3": "-", "h/-/supplement-requested/1802592000/c3": "svc",
			"t/svc/supplement-requested/1800000000/c3": "-/1802592000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string]string{}
			for _, e := range tt.row.keys() {
				if _, twice := got[e.key]; twice {
					t.Errorf("%s twice", e.key)
				}
				got[e.key] = e.value
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("keys\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}
