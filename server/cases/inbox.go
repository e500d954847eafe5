package cases

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"asiointi/server/datefmt"
	"asiointi/server/fincode"
	"asiointi/server/forms"
	"asiointi/server/identity"
	"asiointi/server/store"
)

// The handlers' inbox reads an index (bucket case_index), never the cases:
// each case has a row and keys that order it by due date within its
// service and status, and within its handler and status, so that a page
// of any filter is a few short cursor walks however many cases there are.
//
//	r/<case>                                   → the row (InboxRow, JSON)
//	s/<service>/<status>/<due>/<case>          → handler ("-": nobody)
//	h/<handler>/<status>/<due>/<case>          → service
//	d/<supplement due>/<case>                  → "" (a reminder to send)
//	n/<name word>/<case>                       → <service>/<status>/<handler>/<due>/<name words>
//	t/<service>/<status>/<submitted>/<case>    → <handler>/<due>
//
// <due> is the due time in Unix seconds, ten digits, <submitted> the time
// the case was submitted, likewise (the t/ keys serve the filter by
// submission days: SubmittedRange). A customer's cases are found from
// cases_by_user (the customer is one of the people each case is listed
// for; the row says whether as its customer), the oldest open case of a
// service (reports) from the t/ keys of the open statuses. Counters (bucket
// counters) keep the number of cases per service and status, and per
// service, status and handler, for the counts on the filters.

// InboxRow is one case as the inbox lists it.
type InboxRow struct {
	ID            string     `json:"id"`
	Reference     string     `json:"reference"`
	Service       string     `json:"service"`
	Status        string     `json:"status"`
	Handler       *Ref       `json:"handler,omitempty"`
	Customer      Ref        `json:"customer"`
	SubmittedAt   time.Time  `json:"submittedAt"`
	DueAt         time.Time  `json:"dueAt"`
	SupplementDue *time.Time `json:"supplementDue,omitempty"`
	// Remind: the resident is still to be reminded of the supplement.
	Remind  bool `json:"remind,omitempty"`
	Version int  `json:"version"`
}

// OpenStatuses are the statuses of cases waiting for someone: the
// inbox's default.
var OpenStatuses = []string{StatusSubmitted, StatusInProgress, StatusSupplementRequested}

// InboxStatuses are every status a handled case can have, in the order
// the inbox offers them.
var InboxStatuses = []string{StatusSubmitted, StatusInProgress, StatusSupplementRequested, StatusDecided, StatusClosed, StatusCancelled, StatusWithdrawn}

func rowOf(c *Case) InboxRow {
	r := InboxRow{ID: c.ID, Reference: c.Reference, Service: c.Service, Status: c.Status, Handler: c.Handler,
		Customer: c.Subject(), SubmittedAt: c.SubmittedAt, DueAt: c.DueAt, Version: c.Version}
	if c.Supplement != nil && c.Status == StatusSupplementRequested {
		due := c.Supplement.Due
		r.SupplementDue = &due
		r.Remind = !c.Supplement.Reminded
	}
	return r
}

func inboxDueKey(t time.Time) string {
	var buf [20]byte
	return string(appendZeroPadded(buf[:0], uint64(max(t.Unix(), 0)), 10))
}

// appendZeroPadded appends n in decimal, zero-padded to width digits: fmt's
// %0*d, written without fmt's boxing and buffers (issue 9: a submit makes
// several keys so).
func appendZeroPadded(b []byte, n uint64, width int) []byte {
	var d [20]byte
	digits := strconv.AppendUint(d[:0], n, 10)
	for range width - len(digits) {
		b = append(b, '0')
	}
	return append(b, digits...)
}

func handlerKey(h *Ref) string {
	if h == nil {
		return "-"
	}
	return h.ID
}

// indexEntry is one key of a row in the index and its value.
type indexEntry struct{ key, value string }

// keys are r's index keys and their values, each key once.
func (r *InboxRow) keys() []indexEntry {
	due := inboxDueKey(r.DueAt)
	h := handlerKey(r.Handler)
	words := nameWords(r.Customer.Name)
	out := make([]indexEntry, 0, 4+len(words))
	out = append(out, indexEntry{"s/" + r.Service + "/" + r.Status + "/" + due + "/" + r.ID, h},
		indexEntry{"h/" + h + "/" + r.Status + "/" + due + "/" + r.ID, r.Service})
	k, v := r.submittedKey()
	out = append(out, indexEntry{k, v})
	if r.Remind && r.SupplementDue != nil {
		out = append(out, indexEntry{"d/" + inboxDueKey(*r.SupplementDue) + "/" + r.ID, ""})
	}
	if len(words) > 0 {
		found := r.Service + "/" + r.Status + "/" + h + "/" + due + "/" + strings.Join(words, " ")
		for _, w := range words { // nameWords are each once
			out = append(out, indexEntry{"n/" + w + "/" + r.ID, found})
		}
	}
	return out
}

// submittedKey is r's key by the time of submission, and its value.
func (r *InboxRow) submittedKey() (string, string) {
	return "t/" + r.Service + "/" + r.Status + "/" + inboxDueKey(r.SubmittedAt) + "/" + r.ID,
		handlerKey(r.Handler) + "/" + inboxDueKey(r.DueAt)
}

func countKeys(r *InboxRow) []string {
	base := "inbox/" + r.Service + "/" + r.Status
	return []string{base, base + "/" + handlerKey(r.Handler), dueDayPrefix(r.Service, r.Status) + dueDay(r.DueAt)}
}

// The number of cases due on each day (UTC) per service and status, so
// that counting the overdue reads a counter per day, not a key per case.
func dueDayPrefix(service, status string) string { return "inboxdue/" + service + "/" + status + "/" }
func dueDay(t time.Time) string                  { return t.UTC().Format("20060102") }

// nameWords are the lower-case words of a name, the keys of name search.
func nameWords(name string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return !unicode.IsLetter(r) && r != '-' }) {
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// indexCase puts the case's row and keys in tx, replacing those of its
// previous state. Every write of a case calls it in the same transaction.
func indexCase(tx *store.Tx, c *Case) error {
	if c.Status == StatusAwaitingSignatures { // not sent to handling yet
		return unindexCase(tx, c)
	}
	row := rowOf(c)
	var old *InboxRow
	if raw, err := tx.GetRaw(store.CaseIndex, "r/"+c.ID); err == nil {
		var o InboxRow
		if err := json.Unmarshal(raw, &o); err != nil {
			return err
		}
		old = &o
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	next := row.keys()
	if old != nil {
		for _, o := range old.keys() {
			if !slices.ContainsFunc(next, func(e indexEntry) bool { return e.key == o.key }) {
				if err := tx.Delete(store.CaseIndex, o.key); err != nil {
					return err
				}
			}
		}
		for _, k := range countKeys(old) {
			if _, err := tx.AddCount(k, -1); err != nil {
				return err
			}
		}
	}
	values := 0 // the values are put from one buffer
	for _, e := range next {
		values += len(e.value)
	}
	buf := make([]byte, 0, values)
	for _, e := range next {
		at := len(buf)
		buf = append(buf, e.value...)
		if err := tx.PutRaw(store.CaseIndex, e.key, buf[at:len(buf):len(buf)]); err != nil {
			return err
		}
	}
	for _, k := range countKeys(&row) {
		if _, err := tx.AddCount(k, 1); err != nil {
			return err
		}
	}
	return tx.Put(store.CaseIndex, "r/"+c.ID, row)
}

// inboxIndexed marks a store whose cases are all in the inbox index in
// today's keys; indexedWithCustomers one whose index still has the keys
// by customer (c/) and of the open cases for the reports (o/), which
// cases_by_user and the t/ keys make redundant (issue 9: 150 bytes a
// case); indexedBeforeSubmitted one indexed before the submitted keys
// (t/).
const (
	inboxIndexed           = "inbox-indexed-3"
	indexedWithCustomers   = "inbox-indexed-2"
	indexedBeforeSubmitted = "inbox-indexed"
)

// IndexExisting brings the inbox index of a store written by an earlier
// version to today's keys, once (app's upgrade runs it before anything
// reads): it puts every case of a store written before the index into
// it, or gives a store indexed before the submitted keys those keys (from
// the rows, each case's keys as indexCase writes them); and takes away
// the keys by customer and of the open cases that earlier versions kept.
func IndexExisting(tx *store.Tx) error {
	if tx.Has(store.Settings, inboxIndexed) {
		return nil
	}
	switch {
	case tx.Has(store.Settings, indexedWithCustomers):
	case tx.Has(store.Settings, indexedBeforeSubmitted):
		if err := addSubmittedKeys(tx); err != nil {
			return err
		}
	default:
		all, err := store.Values[Case](tx, store.Cases, "")
		if err != nil {
			return err
		}
		for i := range all {
			if all[i].Status == StatusAwaitingSignatures {
				// Never in the index; and indexCase would take away its
				// report facts, which count it as submitted.
				continue
			}
			if err := indexCase(tx, &all[i]); err != nil {
				return err
			}
		}
	}
	for _, prefix := range []string{"c/", "o/"} {
		if err := dropIndexKeys(tx, prefix); err != nil {
			return err
		}
	}
	return tx.Put(store.Settings, inboxIndexed, true)
}

// dropIndexKeys deletes the index's keys under prefix, a batch at a
// time (nothing is written while a walk is open).
func dropIndexKeys(tx *store.Tx, prefix string) error {
	for {
		var keys []string
		err := tx.Scan(store.CaseIndex, prefix, func(k string, _ []byte) error {
			if keys = append(keys, k); len(keys) == submittedBatch {
				return store.ErrStop
			}
			return nil
		})
		if err != nil || len(keys) == 0 {
			return err
		}
		for _, k := range keys {
			if err := tx.Delete(store.CaseIndex, k); err != nil {
				return err
			}
		}
	}
}

// submittedBatch is how many rows addSubmittedKeys reads at a time.
var submittedBatch = 10000

// addSubmittedKeys writes the submitted key of every row of the index,
// reading the rows a batch at a time (a large store's rows are not all
// held at once, and nothing is written while a walk is open).
func addSubmittedKeys(tx *store.Tx) error {
	batch := submittedBatch
	from := "r/"
	for more := true; more; {
		var keys, values []string
		more = false
		err := tx.ScanFrom(store.CaseIndex, "r/", from, func(k string, raw []byte) error {
			if len(keys) == batch {
				from, more = k, true
				return store.ErrStop
			}
			var r InboxRow
			if err := json.Unmarshal(raw, &r); err != nil {
				return err
			}
			key, v := r.submittedKey()
			keys, values = append(keys, key), append(values, v)
			return nil
		})
		if err != nil {
			return err
		}
		for i, k := range keys {
			if err := tx.PutRaw(store.CaseIndex, k, []byte(values[i])); err != nil {
				return err
			}
		}
	}
	return nil
}

// Handler filters of the inbox.
const (
	HandlerAnyone     = ""
	HandlerMine       = "mine"
	HandlerUnassigned = "unassigned"
)

// InboxFilter is one view of the inbox.
type InboxFilter struct {
	Service string // "": every service the person has a role in
	Status  string // "": the open statuses; "all"; or one status
	Handler string // HandlerAnyone, HandlerMine, HandlerUnassigned or a username
	// Customer is a name (words that start the customer's names) or a
	// henkilötunnus (exact match only).
	Customer  string
	DueBefore time.Time // zero: any
	// SubmittedFrom and SubmittedTo bound the time of submission,
	// [SubmittedFrom, SubmittedTo); both zero: any. SubmittedRange makes
	// them from Helsinki days and says which ranges the inbox takes.
	SubmittedFrom, SubmittedTo time.Time
	Overdue                    bool // due before now
	Desc                       bool // latest due first
	Page                       int  // from 1
	PerPage                    int  // 25 when 0
}

// The inbox's filter by submission: Helsinki calendar days, both ends
// included (from 00:00 of the first day to 00:00 of the day after the
// last, Europe/Helsinki, whatever the daylight-saving time).
const (
	// MaxSubmittedDays is the longest range taken, in days.
	MaxSubmittedDays = 366
	// FirstSubmittedYear and LastSubmittedYear bound the days taken.
	FirstSubmittedYear = 2000
	LastSubmittedYear  = 2099
)

// Why a submitted range is refused (RangeError.Reason).
const (
	RangeBadDate = "date"  // not a date YYYY-MM-DD, or outside the years taken
	RangeOrder   = "order" // the last day before the first
	RangeTooLong = "span"  // more than MaxSubmittedDays days
	RangeNoStart = "start" // a last day without a first
)

// RangeError refuses a submitted range: Field is "from" or "to", the
// end it is about.
type RangeError struct{ Field, Reason string }

func (e *RangeError) Error() string {
	return "cases: submitted range: " + e.Field + ": " + e.Reason
}

// SubmittedRange reads the inbox's filter by submission, from and to as
// Helsinki days (2006-01-02, both included; "": not given), as the
// bounds [start, end) of InboxFilter.SubmittedFrom and SubmittedTo. Both
// empty: no filter (zero times). A first day without a last runs
// through today (through the first day, if that is later); a last day
// needs a first. Refused (*RangeError): a day that is not a date or lies
// outside FirstSubmittedYear–LastSubmittedYear, a last day before the
// first, a range of more than MaxSubmittedDays days.
func SubmittedRange(from, to string, now time.Time) (start, end time.Time, err error) {
	if from == "" && to == "" {
		return time.Time{}, time.Time{}, nil
	}
	hel := datefmt.Helsinki()
	day := func(field, v string) (time.Time, error) {
		t, err := forms.ParseDate(v)
		if err != nil || t.Year() < FirstSubmittedYear || t.Year() > LastSubmittedYear {
			return time.Time{}, &RangeError{field, RangeBadDate}
		}
		return t, nil
	}
	if from == "" {
		if _, err := day("to", to); err != nil {
			return time.Time{}, time.Time{}, err
		}
		return time.Time{}, time.Time{}, &RangeError{"from", RangeNoStart}
	}
	first, err := day("from", from)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	last, field := first, "from" // the end the span is blamed on
	if to != "" {
		if last, err = day("to", to); err != nil {
			return time.Time{}, time.Time{}, err
		}
		field = "to"
		if last.Before(first) {
			return time.Time{}, time.Time{}, &RangeError{"to", RangeOrder}
		}
	} else if y, m, d := now.In(hel).Date(); time.Date(y, m, d, 0, 0, 0, 0, hel).After(first) {
		last = time.Date(y, m, d, 0, 0, 0, 0, hel)
	}
	end = last.AddDate(0, 0, 1)
	if err := checkSubmitted(first, end); err != nil {
		err.(*RangeError).Field = field
		return time.Time{}, time.Time{}, err
	}
	return first, end, nil
}

// checkSubmitted refuses bounds of a submitted filter that SubmittedRange
// would not make: one without the other, the end not after the start, a
// range longer than MaxSubmittedDays (calendar days in Helsinki).
func checkSubmitted(start, end time.Time) error {
	hel := datefmt.Helsinki()
	switch {
	case start.IsZero():
		return &RangeError{"from", RangeNoStart}
	case end.IsZero():
		return &RangeError{"to", RangeBadDate}
	case !end.After(start):
		return &RangeError{"to", RangeOrder}
	case end.After(start.In(hel).AddDate(0, 0, MaxSubmittedDays)):
		return &RangeError{"to", RangeTooLong}
	}
	return nil
}

// InboxCounts are the numbers on the inbox's filters, over the services
// of the view.
type InboxCounts struct {
	ByStatus   map[string]int `json:"byStatus"`
	Mine       int            `json:"mine"`       // of the view's statuses
	Unassigned int            `json:"unassigned"` // of the view's statuses
	Overdue    int            `json:"overdue"`    // open cases past their due date
	DueSoon    int            `json:"dueSoon"`    // open cases due within DueSoonDays
}

// DueSoonDays is how near a due date is "due soon".
const DueSoonDays = 7

// InboxPage is one page of the inbox.
type InboxPage struct {
	Rows    []InboxRow  `json:"rows"`
	Page    int         `json:"page"`
	PerPage int         `json:"perPage"`
	More    bool        `json:"more"`  // a next page exists
	Total   int         `json:"total"` // cases that match (-1: not counted, see Inbox)
	Counts  InboxCounts `json:"counts"`
	// Services are those the person may see, the view's choice.
	Services []string `json:"services"`
}

// maxPerPage bounds a page.
const maxPerPage = 100

// Inbox is a page of the cases who may see (by their roles) that match
// f, sorted by due date, with the counts of the filters.
func (s *Service) Inbox(who Ref, f InboxFilter) (*InboxPage, error) {
	if who.Kind != identity.Staff {
		return nil, ErrNotFound
	}
	if f.PerPage <= 0 {
		f.PerPage = 25
	}
	f.PerPage = min(f.PerPage, maxPerPage)
	f.Page = max(f.Page, 1)
	var subFrom, subTo string
	if !f.SubmittedFrom.IsZero() || !f.SubmittedTo.IsZero() {
		if err := checkSubmitted(f.SubmittedFrom, f.SubmittedTo); err != nil {
			return nil, err
		}
		subFrom, subTo = inboxDueKey(f.SubmittedFrom), inboxDueKey(f.SubmittedTo)
	}
	now := s.Now()
	out := &InboxPage{Page: f.Page, PerPage: f.PerPage, Rows: []InboxRow{}}
	err := s.Store.View(func(tx *store.Tx) error {
		roles := map[string]bool{}
		if err := tx.Scan(store.StaffRoles, who.ID+"/", func(k string, _ []byte) error {
			roles[k[len(who.ID)+1:]] = true
			return nil
		}); err != nil {
			return err
		}
		var services []string
		for _, svc := range s.Catalog.Services() {
			if roles[svc.ID] && (f.Service == "" || f.Service == svc.ID) {
				services = append(services, svc.ID)
			}
		}
		out.Services = services
		statuses := OpenStatuses
		switch {
		case f.Status == "all":
			statuses = InboxStatuses
		case f.Status != "":
			if !slices.Contains(InboxStatuses, f.Status) {
				statuses = nil
			} else {
				statuses = []string{f.Status}
			}
		}
		handler := f.Handler
		if handler == HandlerMine {
			handler = who.ID
		} else if handler == HandlerUnassigned {
			handler = "-"
		}
		var err error
		if out.Counts, err = inboxCounts(tx, services, statuses, who.ID, now); err != nil {
			return err
		}
		q := inboxQuery{services: services, statuses: statuses, handler: handler, desc: f.Desc,
			subFrom: subFrom, subTo: subTo, skip: (f.Page - 1) * f.PerPage, take: f.PerPage + 1}
		if !f.DueBefore.IsZero() {
			q.before = inboxDueKey(f.DueBefore)
		}
		if f.Overdue && (q.before == "" || inboxDueKey(now) < q.before) {
			q.before = inboxDueKey(now)
		}
		var rows []InboxRow
		switch {
		case strings.TrimSpace(f.Customer) != "":
			rows, out.Total, err = s.customerQuery(tx, q, f.Customer)
		case q.subFrom != "":
			rows, out.Total, err = q.submittedQuery(tx)
		default:
			rows, err = q.run(tx)
			out.Total = -1
			if q.before == "" {
				out.Total = q.counted(tx)
			}
		}
		if err != nil {
			return err
		}
		if len(rows) > f.PerPage {
			rows, out.More = rows[:f.PerPage], true
		}
		out.Rows = append(out.Rows, rows...)
		return nil
	})
	return out, err
}

// inboxQuery is a filtered walk of the index.
type inboxQuery struct {
	services, statuses []string
	handler            string // "": anyone; "-": nobody; else a username
	before             string // due key bound (exclusive); "": none
	// subFrom and subTo bound the submission time (keys, [subFrom,
	// subTo)); "": any.
	subFrom, subTo string
	desc           bool
	skip, take     int
}

// matches applies the query to one row (a customer's few cases).
func (q inboxQuery) matches(r *InboxRow) bool {
	if !slices.Contains(q.services, r.Service) || !slices.Contains(q.statuses, r.Status) {
		return false
	}
	if q.handler != "" && handlerKey(r.Handler) != q.handler {
		return false
	}
	if q.before != "" && inboxDueKey(r.DueAt) >= q.before {
		return false
	}
	return q.submittedIn(r)
}

// submittedIn tells whether r was submitted in the query's range.
func (q inboxQuery) submittedIn(r *InboxRow) bool {
	if q.subFrom == "" {
		return true
	}
	k := inboxDueKey(r.SubmittedAt)
	return k >= q.subFrom && k < q.subTo
}

// maxNameHits bounds the keys a name search walks.
const maxNameHits = 50000

// nameQuery finds the cases whose customer has, for each word given, a
// name that starts with it. It walks the keys of one word only, the one
// with the fewest (found by stepping through every word's keys in
// lockstep until one ends): each key's value holds service, status,
// handler, due and the customer's name words, so the other words are
// checked there and no case is read but the page's.
func (q inboxQuery) nameQuery(tx *store.Tx, words []string) ([]InboxRow, int, error) {
	if len(words) == 0 || len([]rune(words[0])) < 2 {
		return nil, 0, nil
	}
	its := make([]*store.Iter, len(words))
	for i, w := range words {
		var err error
		if its[i], err = tx.Iter(store.CaseIndex, "n/"+w, "", false); err != nil {
			return nil, 0, err
		}
	}
	driver := -1
	for n := 0; driver < 0; n++ {
		for i, it := range its {
			if !it.Next() || n == maxNameHits {
				driver = i
				break
			}
		}
	}
	for _, it := range its {
		if err := it.Err(); err != nil { // a read that failed is not the end of the words
			return nil, 0, err
		}
	}
	var hits []inboxHit
	seen := map[string]bool{}
	n := 0
	err := tx.Scan(store.CaseIndex, "n/"+words[driver], func(k string, v []byte) error {
		if n++; n > maxNameHits {
			return store.ErrStop
		}
		id := k[strings.LastIndexByte(k, '/')+1:]
		if seen[id] {
			return nil
		}
		parts := strings.SplitN(string(v), "/", 5)
		if len(parts) < 4 || !slices.Contains(q.services, parts[0]) || !slices.Contains(q.statuses, parts[1]) ||
			(q.handler != "" && parts[2] != q.handler) || (q.before != "" && parts[3] >= q.before) {
			return nil
		}
		var names []string
		if len(parts) == 5 {
			names = strings.Fields(parts[4])
		} else { // a key written before the index held the names
			var r InboxRow
			if err := tx.Get(store.CaseIndex, "r/"+id, &r); err != nil {
				return nil
			}
			names = nameWords(r.Customer.Name)
		}
		for i, w := range words {
			if i != driver && !slices.ContainsFunc(names, func(name string) bool { return strings.HasPrefix(name, w) }) {
				return nil
			}
		}
		if q.subFrom != "" { // the name's few cases: their rows say when
			var r InboxRow
			if err := tx.Get(store.CaseIndex, "r/"+id, &r); err != nil || !q.submittedIn(&r) {
				return nil
			}
		}
		seen[id] = true
		hits = append(hits, inboxHit{parts[3], id})
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return q.pageOf(tx, hits)
}

// inboxHit is a case found by a query that collects its cases before
// sorting them: its due key and id.
type inboxHit struct{ due, id string }

// pageOf sorts hits by due date (as the walks do) and reads the rows of
// the query's page; with the number of hits.
func (q inboxQuery) pageOf(tx *store.Tx, hits []inboxHit) ([]InboxRow, int, error) {
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].due != hits[j].due {
			return (hits[i].due < hits[j].due) != q.desc
		}
		return (hits[i].id < hits[j].id) != q.desc
	})
	total := len(hits)
	if q.skip >= len(hits) {
		return nil, total, nil
	}
	var rows []InboxRow
	for _, h := range hits[q.skip:min(len(hits), q.skip+q.take)] {
		var r InboxRow
		if err := tx.Get(store.CaseIndex, "r/"+h.id, &r); err != nil {
			return nil, 0, err
		}
		rows = append(rows, r)
	}
	return rows, total, nil
}

// submittedQuery finds the cases submitted in the query's range: per
// service and status one walk of the t/ keys from the range's start to
// its end, the handler and due date checked in each key's value, so it
// reads the keys of the cases in the range only, and the rows of the
// page only. The hits are sorted by due date like every inbox view.
func (q inboxQuery) submittedQuery(tx *store.Tx) ([]InboxRow, int, error) {
	var hits []inboxHit
	for _, svc := range q.services {
		for _, st := range q.statuses {
			prefix := "t/" + svc + "/" + st + "/"
			err := tx.ScanFrom(store.CaseIndex, prefix, prefix+q.subFrom, func(k string, v []byte) error {
				sub, id, ok := strings.Cut(k[len(prefix):], "/")
				if !ok || sub >= q.subTo {
					return store.ErrStop
				}
				handler, due, _ := strings.Cut(string(v), "/")
				if (q.handler != "" && handler != q.handler) || (q.before != "" && due >= q.before) {
					return nil
				}
				hits = append(hits, inboxHit{due, id})
				return nil
			})
			if err != nil {
				return nil, 0, err
			}
		}
	}
	return q.pageOf(tx, hits)
}

// run merges the index's walks: per (service or handler) and status, the
// keys in due order. It steps the walk whose head comes first, so a page
// reads skip+take keys in all (and one more per walk), however many walks
// and cases there are, and then only the page's rows.
func (q inboxQuery) run(tx *store.Tx) ([]InboxRow, error) {
	type walk struct {
		it      *store.Iter
		plen    int
		keep    func(v []byte) bool
		due, id []byte // the head
	}
	before := []byte(q.before)
	// next moves w to its next key that the query keeps; false at the end
	// of its range or past the due bound.
	next := func(w *walk) bool {
		for w.it.Next() {
			rest := w.it.Key()[w.plen:] // <due>/<case>
			i := bytes.IndexByte(rest, '/')
			if i < 0 || (len(before) > 0 && !q.desc && bytes.Compare(rest[:i], before) >= 0) {
				return false
			}
			if w.keep(w.it.Value()) {
				w.due, w.id = rest[:i], rest[i+1:]
				return true
			}
		}
		return false
	}
	var walks []*walk
	var iters []*store.Iter // every walk's, to tell a failed read from an end
	add := func(prefix string, keep func(v []byte) bool) error {
		from := ""
		if q.desc && q.before != "" {
			from = prefix + q.before
		}
		it, err := tx.Iter(store.CaseIndex, prefix, from, q.desc)
		if err != nil {
			return err
		}
		iters = append(iters, it)
		w := &walk{it: it, plen: len(prefix), keep: keep}
		if next(w) {
			walks = append(walks, w)
		}
		return nil
	}
	allowed := map[string]bool{}
	for _, svc := range q.services {
		allowed[svc] = true
	}
	for _, st := range q.statuses {
		if q.handler != "" {
			if err := add("h/"+q.handler+"/"+st+"/", func(v []byte) bool { return allowed[string(v)] }); err != nil {
				return nil, err
			}
			continue
		}
		for _, svc := range q.services {
			if err := add("s/"+svc+"/"+st+"/", func([]byte) bool { return true }); err != nil {
				return nil, err
			}
		}
	}
	first := func(a, b *walk) bool {
		c := bytes.Compare(a.due, b.due)
		if c == 0 {
			c = bytes.Compare(a.id, b.id)
		}
		return (c < 0) != q.desc && c != 0
	}
	var ids []string
	for n := 0; n < q.skip+q.take && len(walks) > 0; n++ {
		bi := 0
		for i := 1; i < len(walks); i++ {
			if first(walks[i], walks[bi]) {
				bi = i
			}
		}
		if n >= q.skip {
			ids = append(ids, string(walks[bi].id))
		}
		if !next(walks[bi]) {
			walks = slices.Delete(walks, bi, bi+1)
		}
	}
	for _, it := range iters {
		if err := it.Err(); err != nil {
			return nil, err
		}
	}
	rows := make([]InboxRow, 0, len(ids))
	for _, id := range ids {
		var r InboxRow
		if err := tx.Get(store.CaseIndex, "r/"+id, &r); err != nil {
			return nil, err
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// counted is the number of cases that match a query without a due
// bound, from the counters.
func (q inboxQuery) counted(tx *store.Tx) int {
	n := 0
	for _, svc := range q.services {
		for _, st := range q.statuses {
			key := "inbox/" + svc + "/" + st
			if q.handler != "" {
				key += "/" + q.handler
			}
			n += counter(tx, key)
		}
	}
	return n
}

func counter(tx *store.Tx, key string) int {
	raw, err := tx.GetRaw(store.Counters, key)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(string(raw))
	return n
}

// inboxCounts counts per status from the counters and the overdue and
// due-soon open cases from the due-ordered keys (the walk stops at the
// first key not yet due).
func inboxCounts(tx *store.Tx, services, statuses []string, me string, now time.Time) (InboxCounts, error) {
	out := InboxCounts{ByStatus: map[string]int{}}
	for _, st := range InboxStatuses {
		for _, svc := range services {
			out.ByStatus[st] += counter(tx, "inbox/"+svc+"/"+st)
		}
	}
	for _, st := range statuses {
		for _, svc := range services {
			out.Mine += counter(tx, "inbox/"+svc+"/"+st+"/"+me)
			out.Unassigned += counter(tx, "inbox/"+svc+"/"+st+"/-")
		}
	}
	soon := now.AddDate(0, 0, DueSoonDays)
	for _, st := range OpenStatuses {
		for _, svc := range services {
			// Whole days from the per-day counters; the days of now and
			// of the due-soon bound key by key.
			prefix := dueDayPrefix(svc, st)
			today, lastDay := dueDay(now), dueDay(soon)
			err := tx.Scan(store.Counters, prefix, func(k string, raw []byte) error {
				day := k[len(prefix):]
				n, _ := strconv.Atoi(string(raw))
				switch {
				case day < today:
					out.Overdue += n
				case day > today && day < lastDay:
					out.DueSoon += n
				case day > lastDay:
					return store.ErrStop
				}
				return nil
			})
			if err != nil {
				return out, err
			}
			for _, day := range []string{today, lastDay} {
				if day == lastDay && lastDay == today {
					break
				}
				from, _ := time.Parse("20060102", day)
				keys := "s/" + svc + "/" + st + "/"
				err := tx.ScanFrom(store.CaseIndex, keys, keys+inboxDueKey(from), func(k string, _ []byte) error {
					due, err := strconv.ParseInt(k[len(keys):min(len(k), len(keys)+10)], 10, 64)
					if err != nil || dueDay(time.Unix(due, 0)) != day {
						return store.ErrStop
					}
					at := time.Unix(due, 0)
					switch {
					case at.Before(now):
						out.Overdue++
					case at.Before(soon):
						out.DueSoon++
					}
					return nil
				})
				if err != nil {
					return out, err
				}
			}
		}
	}
	return out, nil
}

// customerQuery finds a customer's cases: by henkilötunnus, only the
// person whose henkilötunnus it is exactly (no partial match reveals
// anyone); by name, the cases whose customer has names that start with
// each word given. The few cases found are filtered and sorted in memory:
// by henkilötunnus, the cases the person is listed for (cases_by_user)
// whose row names them as the customer.
func (s *Service) customerQuery(tx *store.Tx, q inboxQuery, customer string) ([]InboxRow, int, error) {
	customer = strings.TrimSpace(customer)
	var ids []string
	var person string
	if hetu := strings.ToUpper(customer); fincode.ValidHetu(hetu) {
		raw, err := tx.GetRaw(store.PeopleByHetu, hetu)
		if errors.Is(err, store.ErrNotFound) {
			return nil, 0, nil
		}
		if err != nil {
			return nil, 0, err
		}
		person = string(raw)
		if err := tx.Scan(store.CasesByUser, person+"/", func(k string, _ []byte) error {
			ids = append(ids, k[len(person)+1:])
			return nil
		}); err != nil {
			return nil, 0, err
		}
	} else {
		return q.nameQuery(tx, nameWords(customer))
	}
	var rows []InboxRow
	for _, id := range ids {
		var r InboxRow
		if err := tx.Get(store.CaseIndex, "r/"+id, &r); err != nil {
			continue
		}
		if r.Customer.ID == person && q.matches(&r) {
			rows = append(rows, r)
		}
	}
	sort.Slice(rows, func(i, j int) bool {
		if !rows[i].DueAt.Equal(rows[j].DueAt) {
			return rows[i].DueAt.Before(rows[j].DueAt) != q.desc
		}
		return (rows[i].ID < rows[j].ID) != q.desc
	})
	total := len(rows)
	if q.skip >= len(rows) {
		return nil, total, nil
	}
	return rows[q.skip:min(len(rows), q.skip+q.take)], total, nil
}
