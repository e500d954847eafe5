package cases

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"asiointi/server/datefmt"
	"asiointi/server/fincode"
	"asiointi/server/forms"
	"asiointi/server/store"
)

// The managers' reports (issue 14) read maintained aggregates, never the
// cases: every write of a case updates them in its own transaction, from
// the case's report facts (what a report needs of one case, kept in the
// index as a/<case>). A write takes the old facts' counts away and adds
// the new ones', so a report is a few short counter walks however many
// cases there are. The counters (bucket counters, prefix rep/):
//
//	rep/in/<service>/<day>                          cases submitted that day
//	rep/dec/<service>/<day>/<decider>/<days>        cases decided that day in <days> days
//	rep/ot/<service>/<day>/<decider>                of them, decided by the due date
//	rep/decw/…, rep/otw/…                           the same by the Monday of the week, so
//	                                                that a long period reads a key per week
//	rep/od+/<service>/<day>                         cases overdue from the start of the next day …
//	rep/od-/<service>/<day>                         … and no longer from the start of the next day
//	rep/ans/<concept>/<service>/<month>/<value>     answers of the cases submitted that month
//	rep/ax/<c1>/<c2>/<service>/<month>/<v1>/<v2>    two answers of one case crossed (c1 < c2)
//
// <day> is a Helsinki date (20060102), <month> 200601, <days> four digits.
// The overdue pair lets a report say how many cases were overdue at the
// start of any past day: a case counts from the day after both its due
// date and the day it entered handling (od+), until the day after it left
// handling (od-), so the overdue cases at the start of day D are the od+
// before D less the od- before D. The oldest open case is the first of
// the inbox index's t/ keys of the service's open statuses (inbox.go;
// earlier versions kept an o/ key of each open case). RebuildAggregates recomputes all of it from the cases and their
// events, and must agree with what the writes maintained.

// reportFacts are what the reports count of one case.
type reportFacts struct {
	Service   string `json:"s"`
	Status    string `json:"st"`
	Submitted int64  `json:"sub"`          // Unix seconds
	Day       string `json:"day"`          // Helsinki day of Submitted
	Due       string `json:"due"`          // Helsinki day of the due date
	Opened    string `json:"o,omitempty"`  // day it first entered handling (an open status)
	Finished  string `json:"f,omitempty"`  // day it left handling (decided, closed, cancelled, withdrawn)
	Decided   string `json:"d,omitempty"`  // day of the decision
	DecidedBy string `json:"by,omitempty"` // who decided
	Days      int    `json:"n,omitempty"`  // calendar days from submission to decision
	OnTime    bool   `json:"ot,omitempty"` // decided by the due date
	// Answers are the reportable answers, "concept=value" (answerValues).
	Answers []string `json:"a,omitempty"`
}

// FinishedStatuses end handling.
var FinishedStatuses = []string{StatusDecided, StatusClosed, StatusCancelled, StatusWithdrawn}

// hday is t's Helsinki date as 20060102.
func hday(t time.Time) string { return t.In(datefmt.Helsinki()).Format("20060102") }

// mondayOf is the Monday of day's ISO week (20060102 each).
func mondayOf(day string) string {
	t, err := time.Parse("20060102", day)
	if err != nil {
		return day
	}
	return t.AddDate(0, 0, -(int(t.Weekday())+6)%7).Format("20060102")
}

// dayDiff is the number of calendar days from a to b (20060102 each).
func dayDiff(a, b string) int {
	ta, err1 := time.Parse("20060102", a)
	tb, err2 := time.Parse("20060102", b)
	if err1 != nil || err2 != nil {
		return 0
	}
	return int(tb.Sub(ta).Hours() / 24)
}

// nextFacts are the facts of c after a write at `at`, given its facts
// before (nil for a new case): whether and when it entered and left
// handling are the only facts that depend on the history.
func nextFacts(old *reportFacts, c *Case, answers []string, at time.Time) *reportFacts {
	f := &reportFacts{Service: c.Service, Status: c.Status, Submitted: c.SubmittedAt.Unix(), Day: hday(c.SubmittedAt),
		Due: hday(c.DueAt), Answers: answers}
	if old != nil {
		f.Opened, f.Finished = old.Opened, old.Finished
	}
	if f.Opened == "" && slices.Contains(OpenStatuses, c.Status) {
		f.Opened = hday(at)
	}
	if f.Opened != "" && f.Finished == "" && slices.Contains(FinishedStatuses, c.Status) {
		f.Finished = hday(at)
	}
	if d := c.Decision; d != nil {
		f.Decided, f.DecidedBy = hday(d.At), d.By.ID
		f.Days = max(dayDiff(f.Day, f.Decided), 0)
		f.OnTime = !d.At.After(c.DueAt)
	}
	return f
}

// counterKeys are the counters the facts add one to. They are written
// into one pooled buffer and each is taken from counterKeyNames, which
// makes a string only of a key it does not hold: a submit has a key per
// answer and per pair of answers (tens of keys, 2–4 KB), and most are
// the keys of the submits before it (the same service, month and
// options), which concatenation and fmt.Sprintf made a string or two
// each, and one string cut up each submit (issue 9: allocation per
// submit).
func (f *reportFacts) counterKeys() []string {
	week := ""
	if f.Decided != "" {
		week = mondayOf(f.Decided)
	}
	k := keyLists.Get().(*keyList)
	k.b, k.ends = k.b[:0], k.ends[:0]
	f.writeKeys(k, week)
	out := k.keys()
	if cap(k.b) <= maxPooledKeyList {
		keyLists.Put(k)
	}
	return out
}

// keyLists holds counterKeys' buffers; larger ones are left to the
// collector.
var (
	keyLists         = sync.Pool{New: func() any { return new(keyList) }}
	maxPooledKeyList = 64 << 10
)

// counterKeyNames are the counter keys made lately, each its own string:
// counterKeys takes a key from here rather than make it again. It holds
// at most maxCounterKeyNames (~100 bytes each) and is emptied when full.
var counterKeyNames struct {
	mu sync.Mutex
	m  map[string]string
}

const maxCounterKeyNames = 4096

// writeKeys adds the counters the facts add one to to k; week is the
// Monday of the decision's week.
func (f *reportFacts) writeKeys(k *keyList, week string) {
	svc := f.Service
	k.add("rep/in/", svc, "/", f.Day)
	if f.Decided != "" {
		days := min(f.Days, 9999)
		k.addDays(days, "rep/dec/", svc, "/", f.Decided, "/", f.DecidedBy, "/")
		k.addDays(days, "rep/decw/", svc, "/", week, "/", f.DecidedBy, "/")
		if f.OnTime {
			k.add("rep/ot/", svc, "/", f.Decided, "/", f.DecidedBy)
			k.add("rep/otw/", svc, "/", week, "/", f.DecidedBy)
		}
	}
	if f.Opened != "" {
		from := max(f.Due, f.Opened)
		k.add("rep/od+/", svc, "/", from)
		if f.Finished != "" {
			k.add("rep/od-/", svc, "/", max(from, f.Finished))
		}
	}
	month := f.Day[:6]
	for i, a := range f.Answers {
		concept, value, _ := cutAnswer(a)
		k.add("rep/ans/", concept, "/", svc, "/", month, "/", value)
		for _, b := range f.Answers[i+1:] {
			// Two answers of one case crossed (the answers report by
			// another concept), the concepts in order; none for two
			// answers of one concept. Values never hold a '/' (option
			// values, postal codes, months, age groups).
			ca, va, _ := cutAnswer(a)
			cb, vb, _ := cutAnswer(b)
			switch {
			case ca == cb:
				continue
			case ca > cb:
				ca, va, cb, vb = cb, vb, ca, va
			}
			k.add("rep/ax/", ca, "/", cb, "/", svc, "/", month, "/", va, "/", vb)
		}
	}
}

// keyList builds many short keys in one buffer.
type keyList struct {
	b    []byte
	ends []int
}

// add appends the key made of parts.
func (k *keyList) add(parts ...string) {
	for _, p := range parts {
		k.write(p)
	}
	k.end()
}

// addDays appends the key made of parts and days as fmt's %04d.
func (k *keyList) addDays(days int, parts ...string) {
	for _, p := range parts {
		k.write(p)
	}
	var buf [24]byte
	num := buf[:0]
	if days >= 0 {
		num = strconv.AppendInt(num, int64(days), 10)
		for range 4 - len(num) {
			k.write("0")
		}
	} else {
		num = fmt.Appendf(num, "%04d", days)
	}
	k.b = append(k.b, num...)
	k.end()
}

func (k *keyList) write(p string) { k.b = append(k.b, p...) }

func (k *keyList) end() { k.ends = append(k.ends, len(k.b)) }

// keys are the keys added, in order, as strings of counterKeyNames.
func (k *keyList) keys() []string {
	out, from := make([]string, len(k.ends)), 0
	names := &counterKeyNames
	names.mu.Lock()
	defer names.mu.Unlock()
	if names.m == nil {
		names.m = make(map[string]string, maxCounterKeyNames)
	}
	for i, end := range k.ends {
		key := k.b[from:end]
		name, ok := names.m[string(key)]
		if !ok {
			if len(names.m) >= maxCounterKeyNames {
				clear(names.m)
			}
			name = string(key)
			names.m[name] = name
		}
		out[i], from = name, end
	}
	return out
}

func cutAnswer(a string) (concept, value string, ok bool) {
	for i := 0; i < len(a); i++ {
		if a[i] == '=' {
			return a[:i], a[i+1:], true
		}
	}
	return a, "", false
}

// AgeGroups are the age bands a henkilötunnus answer is counted in:
// lower bounds, each band up to the next.
var AgeGroups = []int{0, 3, 6, 13, 18, 30, 65}

// AgeGroup names the band of age: "0-2", …, "65+".
func AgeGroup(age int) string {
	for i := len(AgeGroups) - 1; i >= 0; i-- {
		if age >= AgeGroups[i] {
			if i == len(AgeGroups)-1 {
				return strconv.Itoa(AgeGroups[i]) + "+"
			}
			return strconv.Itoa(AgeGroups[i]) + "-" + strconv.Itoa(AgeGroups[i+1]-1)
		}
	}
	return ""
}

// Reportable tells whether a field's answers are counted by concept:
// choices, yes/no, postal codes, dates (by month) and henkilötunnus (by
// the age group only). Free text, names, contact details and numbers
// are never counted: they would point at people.
func Reportable(f *forms.Field) bool {
	if f.Concept == "" {
		return false
	}
	switch f.Type {
	case forms.TypeSelect, forms.TypeRadio, forms.TypeCheckboxes, forms.TypeCheckbox,
		forms.TypePostalCode, forms.TypeDate, forms.TypeHetu:
		return true
	}
	return false
}

// answerValues are the reportable answers of a case, "concept=value":
// an option's value, yes/no, a postal code, a date's month (2006-01), a
// henkilötunnus's age group at submission.
func answerValues(def *forms.Definition, answers map[string]any, submitted time.Time) []string {
	if def == nil {
		return nil
	}
	// The answers are gathered as pairs and joined into one string at
	// the end, which they are cut from (one allocation, not one each).
	var buf [32]answerPair
	pairs := buf[:0]
	add := func(concept, v string) {
		if v == "" {
			return
		}
		p := answerPair{concept, v}
		if !slices.ContainsFunc(pairs, p.sameAs) {
			pairs = append(pairs, p)
		}
	}
	for _, f := range def.DataFields() {
		if !Reportable(f) {
			continue
		}
		v, ok := answers[f.ID]
		if !ok {
			continue
		}
		switch f.Type {
		case forms.TypeCheckboxes:
			list, _ := v.([]any)
			for _, x := range list {
				if s, ok := x.(string); ok {
					add(f.Concept, s)
				}
			}
		case forms.TypeCheckbox:
			if b, ok := v.(bool); ok {
				add(f.Concept, yesNo(b))
			}
		case forms.TypeDate:
			if s, ok := v.(string); ok && len(s) >= 7 {
				add(f.Concept, s[:7])
			}
		case forms.TypeHetu:
			if s, ok := v.(string); ok {
				if age, ok := fincode.HetuAge(s, submitted); ok {
					add(f.Concept, AgeGroup(age))
				}
			}
		default:
			if s, ok := v.(string); ok {
				add(f.Concept, s)
			}
		}
	}
	if len(pairs) == 0 {
		return nil
	}
	size := 0
	for _, p := range pairs {
		size += len(p.concept) + 1 + len(p.value)
	}
	var b strings.Builder
	b.Grow(size)
	for _, p := range pairs {
		b.WriteString(p.concept)
		b.WriteByte('=')
		b.WriteString(p.value)
	}
	all, out, from := b.String(), make([]string, len(pairs)), 0
	for i, p := range pairs {
		end := from + len(p.concept) + 1 + len(p.value)
		out[i], from = all[from:end], end
	}
	sort.Strings(out)
	return out
}

// answerPair is a reportable answer before it is joined: concept=value.
type answerPair struct{ concept, value string }

// sameAs: p and q join to the same "concept=value".
func (p answerPair) sameAs(q answerPair) bool {
	if len(p.concept)+len(p.value) != len(q.concept)+len(q.value) {
		return false
	}
	at := func(a answerPair, i int) byte {
		switch {
		case i < len(a.concept):
			return a.concept[i]
		case i == len(a.concept):
			return '='
		}
		return a.value[i-len(a.concept)-1]
	}
	for i := range len(p.concept) + 1 + len(p.value) {
		if at(p, i) != at(q, i) {
			return false
		}
	}
	return true
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// aggregate updates the report facts and aggregates of c, written at at,
// in tx. (The live pages hear of the change from the web layer's
// publishCase, as the inbox does.)
func (s *Service) aggregate(tx *store.Tx, c *Case, at time.Time) error {
	old, err := loadFacts(tx, c.ID)
	if err != nil {
		return err
	}
	var def *forms.Definition
	if s.Forms != nil {
		def, _ = s.Forms.Version(c.Service, c.FormVersion)
	}
	next := nextFacts(old, c, answerValues(def, c.Answers, c.SubmittedAt), at)
	return applyFacts(tx, c.ID, old, next)
}

func loadFacts(tx *store.Tx, id string) (*reportFacts, error) {
	raw, err := tx.GetRaw(store.CaseIndex, "a/"+id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var f reportFacts
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, err
	}
	return &f, nil
}

// applyFacts replaces old's counts and keys by next's.
// A new case (no old facts: every submit) adds one to each of next's
// keys as they come, without the map of differences.
func applyFacts(tx *store.Tx, id string, old, next *reportFacts) error {
	if old == nil {
		for _, k := range next.counterKeys() {
			if _, err := tx.AddCount(k, 1); err != nil {
				return err
			}
		}
		return tx.Put(store.CaseIndex, "a/"+id, next)
	}
	delta := map[string]int64{}
	for _, k := range old.counterKeys() {
		delta[k]--
	}
	for _, k := range next.counterKeys() {
		delta[k]++
	}
	for k, d := range delta {
		if d == 0 {
			continue
		}
		if _, err := tx.AddCount(k, d); err != nil {
			return err
		}
	}
	return tx.Put(store.CaseIndex, "a/"+id, next)
}

// dropFacts takes a destroyed case's facts and their counts away.
func dropFacts(tx *store.Tx, id string) error {
	old, err := loadFacts(tx, id)
	if err != nil || old == nil {
		return err
	}
	for _, k := range old.counterKeys() {
		if _, err := tx.AddCount(k, -1); err != nil {
			return err
		}
	}
	return tx.Delete(store.CaseIndex, "a/"+id)
}

// factsFromEvents are a case's facts recomputed from its record and its
// events (in order): the statuses the events moved it to say when it
// entered and left handling.
func (s *Service) factsFromEvents(c *Case, evs []Event) *reportFacts {
	var def *forms.Definition
	if s.Forms != nil {
		def, _ = s.Forms.Version(c.Service, c.FormVersion)
	}
	answers := answerValues(def, c.Answers, c.SubmittedAt)
	var f *reportFacts
	for _, ev := range evs {
		if ev.To == "" {
			continue
		}
		at := *c
		at.Status, at.Decision = ev.To, nil
		f = nextFacts(f, &at, answers, ev.At)
	}
	return nextFacts(f, c, answers, c.UpdatedAt)
}

// aggregated marks a store whose aggregates are maintained.
const aggregated = "report-aggregates-2" // -2: with the crossed answers (rep/ax)

// AggregateExisting builds the aggregates of a store written before
// them, once (wiring runs it at start, before anything reads; a store
// that has them is only read).
func (s *Service) AggregateExisting() error {
	done := false
	if err := s.Store.View(func(tx *store.Tx) error { done = tx.Has(store.Settings, aggregated); return nil }); err != nil || done {
		return err
	}
	return s.Store.UpdateAlone(func(tx *store.Tx) error {
		if tx.Has(store.Settings, aggregated) {
			return nil
		}
		if err := s.RebuildAggregates(tx); err != nil {
			return err
		}
		return tx.Put(store.Settings, aggregated, true)
	})
}

// RebuildAggregates throws the report aggregates away and recomputes
// them from every case and its events.
func (s *Service) RebuildAggregates(tx *store.Tx) error {
	var drop []string
	if err := tx.Scan(store.Counters, "rep/", func(k string, _ []byte) error {
		drop = append(drop, k)
		return nil
	}); err != nil {
		return err
	}
	for _, k := range drop {
		if _, err := tx.AddCount(k, -1<<62); err != nil {
			return err
		}
	}
	drop = drop[:0]
	if err := tx.Scan(store.CaseIndex, "a/", func(k string, _ []byte) error {
		drop = append(drop, k)
		return nil
	}); err != nil {
		return err
	}
	for _, k := range drop {
		if err := tx.Delete(store.CaseIndex, k); err != nil {
			return err
		}
	}
	all, err := store.Values[Case](tx, store.Cases, "")
	if err != nil {
		return err
	}
	for i := range all {
		c := &all[i]
		evs, err := store.Values[Event](tx, store.Events, c.ID+"/")
		if err != nil {
			return err
		}
		if err := applyFacts(tx, c.ID, nil, s.factsFromEvents(c, evs)); err != nil {
			return err
		}
	}
	return nil
}

// Aggregates are every report counter and index key, for comparing a
// rebuild with what the writes maintained.
func Aggregates(tx *store.Tx) (map[string]string, error) {
	out := map[string]string{}
	if err := tx.Scan(store.Counters, "rep/", func(k string, raw []byte) error {
		out[k] = string(raw)
		return nil
	}); err != nil {
		return nil, err
	}
	if err := tx.Scan(store.CaseIndex, "a/", func(k string, raw []byte) error {
		out["index:"+k] = string(raw)
		return nil
	}); err != nil {
		return nil, err
	}
	return out, nil
}
