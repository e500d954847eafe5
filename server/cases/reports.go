package cases

import (
	"errors"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"asiointi/server/datefmt"
	"asiointi/server/forms"
	"asiointi/server/identity"
	"asiointi/server/reports"
	"asiointi/server/store"
)

// The managers' reports (issue 14), read from the aggregates
// (aggregates.go) and the inbox's counters: a manager sees the reports of
// every service they manage, a handler those of the services they
// handle; anyone else, and a service outside the person's roles, is
// refused (ErrForbidden).

// ErrSinglesOut: the selection has so few persons (fewer than
// reports.MinCell) that its figures would point at someone.
var ErrSinglesOut = errors.New("cases: the selection would single out a person")

// ReportFilter selects what a report covers.
type ReportFilter struct {
	Service string // "": every service the person may see
	Unit    string // "": any unit
	Handler string // "": every handler (processing times)
	// From and To are the period, Helsinki days [From, To); zero: the
	// report's default.
	From, To time.Time
	// Concept is the data concept of the answers report; By crosses its
	// answers with another concept's (or with the service: ByService).
	Concept, By string
}

// ByService crosses the answers report with the service.
const ByService = "service"

// reportServices are the services of f the person may see reports of,
// in catalogue order.
func (s *Service) reportServices(tx *store.Tx, who Ref, f ReportFilter) ([]string, error) {
	if who.Kind != identity.Staff {
		return nil, ErrForbidden
	}
	var out []string
	any := false
	for _, svc := range s.Catalog.Services() {
		role := identity.StaffRole(tx, who.ID, svc.ID)
		ok := role == identity.RoleManager || role == identity.RoleHandler
		any = any || ok
		if f.Service != "" && f.Service != svc.ID || f.Unit != "" && f.Unit != svc.Unit {
			continue
		}
		if !ok {
			if f.Service != "" {
				return nil, ErrForbidden
			}
			continue
		}
		out = append(out, svc.ID)
	}
	if !any {
		return nil, ErrForbidden
	}
	if f.Service != "" && len(out) == 0 {
		return nil, ErrNotFound
	}
	return out, nil
}

// ReportServices are the services whose reports the person may see.
func (s *Service) ReportServices(who Ref) ([]string, error) {
	var out []string
	err := s.Store.View(func(tx *store.Tx) error {
		var err error
		out, err = s.reportServices(tx, who, ReportFilter{})
		return err
	})
	return out, err
}

// ServiceSituation is the live situation of one service (or the total).
type ServiceSituation struct {
	Service  string         `json:"service,omitempty"`
	ByStatus map[string]int `json:"byStatus"`
	Open     int            `json:"open"`
	Awaiting int            `json:"awaitingSignatures"`
	Overdue  int            `json:"overdue"`
	DueSoon  int            `json:"dueSoon"`
	Today    int            `json:"inflowToday"`
	Week     int            `json:"inflowWeek"`
	Oldest   *InboxRow      `json:"oldestOpen,omitempty"`
}

// Situation is the live situation report.
type Situation struct {
	At       time.Time          `json:"at"`
	Services []ServiceSituation `json:"services"`
	Total    ServiceSituation   `json:"total"`
}

// Situation is the situation now of the services of f.
func (s *Service) Situation(who Ref, f ReportFilter) (*Situation, error) {
	now := s.Now()
	out := &Situation{At: now, Services: []ServiceSituation{}, Total: ServiceSituation{ByStatus: map[string]int{}}}
	err := s.Store.View(func(tx *store.Tx) error {
		services, err := s.reportServices(tx, who, f)
		if err != nil {
			return err
		}
		today := hday(now)
		monday := hday(reports.Week(now, datefmt.Helsinki()))
		for _, svc := range services {
			c, err := inboxCounts(tx, []string{svc}, OpenStatuses, "", now)
			if err != nil {
				return err
			}
			ss := ServiceSituation{Service: svc, ByStatus: map[string]int{}, Overdue: c.Overdue, DueSoon: c.DueSoon}
			for _, st := range OpenStatuses {
				ss.ByStatus[st] = c.ByStatus[st]
				ss.Open += c.ByStatus[st]
			}
			ss.Awaiting = counter(tx, "inbox/"+svc+"/"+StatusAwaitingSignatures)
			if err := sumDays(tx, "rep/in/"+svc+"/", monday, "99999999", func(day string, n int) {
				ss.Week += n
				if day == today {
					ss.Today += n
				}
			}); err != nil {
				return err
			}
			if ss.Oldest, err = oldestOpen(tx, svc); err != nil {
				return err
			}
			t := &out.Total
			for st, n := range ss.ByStatus {
				t.ByStatus[st] += n
			}
			t.Open, t.Awaiting, t.Overdue, t.DueSoon = t.Open+ss.Open, t.Awaiting+ss.Awaiting, t.Overdue+ss.Overdue, t.DueSoon+ss.DueSoon
			t.Today, t.Week = t.Today+ss.Today, t.Week+ss.Week
			if ss.Oldest != nil && (t.Oldest == nil || ss.Oldest.SubmittedAt.Before(t.Oldest.SubmittedAt)) {
				t.Oldest = ss.Oldest
			}
			out.Services = append(out.Services, ss)
		}
		return nil
	})
	return out, err
}

// sumDays calls fn with each day counter under prefix in [from, to).
func sumDays(tx *store.Tx, prefix, from, to string, fn func(day string, n int)) error {
	return tx.ScanFrom(store.Counters, prefix, prefix+from, func(k string, raw []byte) error {
		day := k[len(prefix):]
		if day >= to {
			return store.ErrStop
		}
		n, _ := strconv.Atoi(string(raw))
		fn(day, n)
		return nil
	})
}

// oldestOpen is the open case of svc submitted first (of those
// submitted at once, the least id): the first of the t/ keys of each
// open status, "<submitted>/<case>" after the prefix, compared.
func oldestOpen(tx *store.Tx, svc string) (*InboxRow, error) {
	var first string // <submitted>/<case>
	for _, st := range OpenStatuses {
		prefix := "t/" + svc + "/" + st + "/"
		err := tx.Scan(store.CaseIndex, prefix, func(k string, _ []byte) error {
			if rest := k[len(prefix):]; first == "" || rest < first {
				first = rest
			}
			return store.ErrStop
		})
		if err != nil {
			return nil, err
		}
	}
	if first == "" {
		return nil, nil
	}
	id := first[strings.IndexByte(first, '/')+1:]
	var r InboxRow
	if err := tx.Get(store.CaseIndex, "r/"+id, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Period is a span of Helsinki days [From, To).
type Period struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"` // exclusive
}

func (p Period) days() (string, string) { return hday(p.From), hday(p.To) }

// Before is the period of the same length just before p; YearBefore the
// same dates a year earlier.
func (p Period) Before() Period {
	n := dayDiff(hday(p.From), hday(p.To))
	return Period{From: p.From.AddDate(0, 0, -n), To: p.From}
}
func (p Period) YearBefore() Period {
	return Period{From: p.From.AddDate(-1, 0, 0), To: p.To.AddDate(-1, 0, 0)}
}

// Processing is how fast a group of cases was decided in a period.
type Processing struct {
	Key     string `json:"key"` // service id or handler's username
	Decided int    `json:"decided"`
	Median  Figure `json:"medianDays"` // NaN (null in JSON) when none
	P90     Figure `json:"p90Days"`
	OnTime  int    `json:"onTime"`
	Share   Figure `json:"onTimeShare"` // 0..1; NaN when none
}

// Figure is a number that may be missing (NaN): null in JSON.
type Figure float64

// MarshalJSON writes NaN as null.
func (f Figure) MarshalJSON() ([]byte, error) {
	if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, float64(f), 'g', -1, 64), nil
}

// ProcessingComparison is a group's processing in the period, the period
// before it and the same period a year earlier.
type ProcessingComparison struct {
	Now, Before, YearBefore Processing
}

// InflowComparison is a period's arrivals against the period before and
// the same period a year earlier.
type InflowComparison struct {
	Now        int `json:"now"`
	Before     int `json:"before"`
	YearBefore int `json:"yearBefore"`
}

// InflowPoint is one week's or month's count of new cases.
type InflowPoint struct {
	Start time.Time      `json:"start"`
	Total int            `json:"total"`
	By    map[string]int `json:"byService"`
}

// Trends is the trends report.
type Trends struct {
	Period    Period                 `json:"period"`
	Services  []string               `json:"services"`
	Weekly    []InflowPoint          `json:"weekly"`  // the 12 weeks up to the period's end
	Monthly   []InflowPoint          `json:"monthly"` // the 12 months up to the period's end
	ByService []ProcessingComparison `json:"byService"`
	ByHandler []ProcessingComparison `json:"byHandler"`
	// Inflow is the arrivals of the period, the period before and a year
	// earlier.
	Inflow InflowComparison `json:"inflow"`
}

// DefaultPeriod is the report period when none is chosen: the 12 full
// weeks before the current one... plus this one (the last 91 days to
// today's end).
func DefaultPeriod(now time.Time) Period {
	hel := datefmt.Helsinki()
	l := now.In(hel)
	end := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, hel).AddDate(0, 0, 1)
	return Period{From: end.AddDate(0, 0, -91), To: end}
}

// PeriodOf is f's period, or the default.
func (s *Service) PeriodOf(f ReportFilter) Period {
	if f.From.IsZero() || f.To.IsZero() || !f.From.Before(f.To) {
		return DefaultPeriod(s.Now())
	}
	return Period{From: f.From, To: f.To}
}

// Trends is the inflow and processing times of the services of f.
func (s *Service) Trends(who Ref, f ReportFilter) (*Trends, error) {
	p := s.PeriodOf(f)
	out := &Trends{Period: p}
	hel := datefmt.Helsinki()
	err := s.Store.View(func(tx *store.Tx) error {
		services, err := s.reportServices(tx, who, f)
		if err != nil {
			return err
		}
		out.Services = services
		last := p.To.Add(-time.Hour)
		week0 := reports.Week(last, hel).AddDate(0, 0, -7*11)
		month0 := reports.Month(last, hel).AddDate(0, -11, 0)
		for i := 0; i < 12; i++ {
			out.Weekly = append(out.Weekly, InflowPoint{Start: week0.AddDate(0, 0, 7*i), By: map[string]int{}})
			out.Monthly = append(out.Monthly, InflowPoint{Start: month0.AddDate(0, i, 0), By: map[string]int{}})
		}
		from := min(hday(week0), hday(month0))
		to := hday(p.To)
		pf, pt := p.days()
		bf, bt := p.Before().days()
		yf, yt := p.YearBefore().days()
		for _, svc := range services {
			err := sumDays(tx, "rep/in/"+svc+"/", min(from, bf, yf), to, func(day string, n int) {
				if day >= from {
					t, _ := time.ParseInLocation("20060102", day, hel)
					if i := dayDiff(hday(week0), day) / 7; day >= hday(week0) && i < 12 {
						out.Weekly[i].Total += n
						out.Weekly[i].By[svc] += n
					}
					if i := (t.Year()-month0.Year())*12 + int(t.Month()-month0.Month()); i >= 0 && i < 12 {
						out.Monthly[i].Total += n
						out.Monthly[i].By[svc] += n
					}
				}
				if day >= pf && day < pt {
					out.Inflow.Now += n
				}
				if day >= bf && day < bt {
					out.Inflow.Before += n
				}
				if day >= yf && day < yt {
					out.Inflow.YearBefore += n
				}
			})
			if err != nil {
				return err
			}
		}
		periods := []Period{p, p.Before(), p.YearBefore()}
		bySvc := make([]map[string]*hist, 3)
		byHandler := make([]map[string]*hist, 3)
		for i, q := range periods {
			if i == 2 && q.From.Equal(periods[1].From) && q.To.Equal(periods[1].To) { // a year's period: the one before is a year earlier
				bySvc[2], byHandler[2] = bySvc[1], byHandler[1]
				continue
			}
			bySvc[i], byHandler[i] = map[string]*hist{}, map[string]*hist{}
			qf, qt := q.days()
			for _, svc := range services {
				if err := decisions(tx, svc, qf, qt, func(by string, days, n int, onTime bool) {
					if f.Handler != "" && by != f.Handler {
						return
					}
					for _, h := range []*hist{histOf(bySvc[i], svc), histOf(byHandler[i], by)} {
						if onTime {
							h.onTime += n
							continue
						}
						h.add(days, n)
					}
				}); err != nil {
					return err
				}
			}
		}
		for _, svc := range services {
			out.ByService = append(out.ByService, compare(svc, bySvc))
		}
		var handlers []string
		for i := range byHandler {
			for h := range byHandler[i] {
				if !slices.Contains(handlers, h) {
					handlers = append(handlers, h)
				}
			}
		}
		sort.Strings(handlers)
		for _, h := range handlers {
			out.ByHandler = append(out.ByHandler, compare(h, byHandler))
		}
		return nil
	})
	return out, err
}

// hist counts decisions by the days they took.
type hist struct {
	days   map[int]int
	n      int
	onTime int
}

func histOf(m map[string]*hist, k string) *hist {
	if m[k] == nil {
		m[k] = &hist{days: map[int]int{}}
	}
	return m[k]
}

func (h *hist) add(days, n int) { h.days[days] += n; h.n += n }

func (h *hist) processing(key string) Processing {
	p := Processing{Key: key, Decided: h.n, OnTime: h.onTime, Median: Figure(math.NaN()), P90: Figure(math.NaN()), Share: Figure(math.NaN())}
	if h.n > 0 {
		p.Median = Figure(reports.PercentileOfCounts(h.days, 50))
		p.P90 = Figure(reports.PercentileOfCounts(h.days, 90))
		p.Share = Figure(float64(h.onTime) / float64(h.n))
	}
	return p
}

func compare(key string, hs []map[string]*hist) ProcessingComparison {
	get := func(i int) Processing { return histOf(hs[i], key).processing(key) }
	return ProcessingComparison{Now: get(0), Before: get(1), YearBefore: get(2)}
}

// decisions calls fn with the decision counters of svc in [from, to):
// the decider, the days taken and the count; and the on-time counts
// (onTime true, days 0). The whole weeks inside the period are read
// from the weekly counters, the days before and after them from the
// daily ones.
func decisions(tx *store.Tx, svc, from, to string, fn func(by string, days, n int, onTime bool)) error {
	w0 := mondayOf(from)
	if w0 < from {
		w0 = nextDay(w0, 7)
	}
	w1 := mondayOf(to)
	if w0 >= w1 {
		return decisionCounters(tx, "dec", "ot", svc, from, to, fn)
	}
	for _, r := range []struct{ dec, ot, from, to string }{{"dec", "ot", from, w0}, {"decw", "otw", w0, w1}, {"dec", "ot", w1, to}} {
		if r.from >= r.to {
			continue
		}
		if err := decisionCounters(tx, r.dec, r.ot, svc, r.from, r.to, fn); err != nil {
			return err
		}
	}
	return nil
}

// nextDay is day plus n days (20060102).
func nextDay(day string, n int) string {
	t, _ := time.Parse("20060102", day)
	return t.AddDate(0, 0, n).Format("20060102")
}

func decisionCounters(tx *store.Tx, dec, ot, svc, from, to string, fn func(by string, days, n int, onTime bool)) error {
	for _, kind := range []string{dec, ot} {
		prefix := "rep/" + kind + "/" + svc + "/"
		err := tx.ScanFrom(store.Counters, prefix, prefix+from, func(k string, raw []byte) error {
			rest := k[len(prefix):]
			if len(rest) < 9 || rest[:8] >= to {
				return store.ErrStop
			}
			n, _ := strconv.Atoi(string(raw))
			rest = rest[9:]
			if kind == ot {
				fn(rest, 0, n, true)
				return nil
			}
			i := strings.LastIndexByte(rest, '/')
			days, _ := strconv.Atoi(rest[i+1:])
			fn(rest[:i], days, n, false)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Deviation kinds.
const (
	DeviationSpike   = "inflow-spike"
	DeviationOverdue = "overdue-growth"
	DeviationQueue   = "queue"
)

// Deviation is one automatically flagged deviation.
type Deviation struct {
	Kind    string  `json:"kind"`
	Service string  `json:"service"`
	Handler string  `json:"handler,omitempty"` // DeviationQueue
	Week    string  `json:"week,omitempty"`    // DeviationSpike: the Monday, 2006-01-02
	Value   float64 `json:"value"`             // the week's count, the overdue now, the queue
	// Low and High are the usual range (spike); Before the overdue a
	// week ago; Median the median queue of the service's handlers.
	Low    float64 `json:"low,omitempty"`
	High   float64 `json:"high,omitempty"`
	Before float64 `json:"before,omitempty"`
	Median float64 `json:"median,omitempty"`
	// Behind is the inbox view of the cases behind the flag: the
	// service's cases submitted in the week (spike, every status), its
	// open cases past their due date (overdue growth: a case is due at the
	// end of a Helsinki day, so these are the cases overdue at the start of
	// today that are still open), the handler's open cases of the service
	// (queue). (A case still awaiting co-applicants' signatures counts in
	// its week's arrivals but is in no inbox until it is sent.)
	Behind InboxFilter `json:"-"`
}

// Overdue growth: flagged when the overdue cases of a service grew in a
// week by at least OverdueGrowthMin cases and OverdueGrowthShare of the
// count a week ago.
const (
	OverdueGrowthMin   = 3
	OverdueGrowthShare = 0.2
)

// Deviations flags, for each service of f: an inflow spike of the last
// full week outside the usual range of the 12 weeks before it
// (reports.DefaultRule), overdue growth over the last week, and handlers
// whose open queue is far above the others' (3 MADs and at least 5
// cases above the median).
func (s *Service) Deviations(who Ref, f ReportFilter) ([]Deviation, error) {
	now := s.Now()
	hel := datefmt.Helsinki()
	out := []Deviation{}
	err := s.Store.View(func(tx *store.Tx) error {
		services, err := s.reportServices(tx, who, f)
		if err != nil {
			return err
		}
		thisWeek := reports.Week(now, hel)
		start := thisWeek.AddDate(0, 0, -7*13)
		today := hday(now)
		weekAgo := hday(now.AddDate(0, 0, -7))
		for _, svc := range services {
			weeks := make([]float64, 13)
			if err := sumDays(tx, "rep/in/"+svc+"/", hday(start), hday(thisWeek), func(day string, n int) {
				if i := dayDiff(hday(start), day) / 7; i >= 0 && i < 13 {
					weeks[i] += float64(n)
				}
			}); err != nil {
				return err
			}
			if spike, rg := reports.DefaultRule.Spike(weeks[:12], weeks[12]); spike {
				lastWeek := thisWeek.AddDate(0, 0, -7)
				out = append(out, Deviation{Kind: DeviationSpike, Service: svc, Week: lastWeek.Format("2006-01-02"),
					Value: weeks[12], Low: rg.Low, High: rg.High, Median: rg.Median,
					Behind: InboxFilter{Service: svc, Status: "all", SubmittedFrom: lastWeek, SubmittedTo: thisWeek}})
			}
			nowOver, err := overdueAt(tx, svc, today)
			if err != nil {
				return err
			}
			before, err := overdueAt(tx, svc, weekAgo)
			if err != nil {
				return err
			}
			if grow := nowOver - before; grow >= OverdueGrowthMin && float64(grow) >= OverdueGrowthShare*float64(before) {
				out = append(out, Deviation{Kind: DeviationOverdue, Service: svc, Value: float64(nowOver), Before: float64(before),
					Behind: InboxFilter{Service: svc, Overdue: true}})
			}
			queues, names, err := s.queues(tx, svc)
			if err != nil {
				return err
			}
			for _, i := range reports.FarAbove(queues, 3, 5) {
				out = append(out, Deviation{Kind: DeviationQueue, Service: svc, Handler: names[i], Value: queues[i], Median: reports.Median(queues),
					Behind: InboxFilter{Service: svc, Handler: names[i]}})
			}
		}
		return nil
	})
	return out, err
}

// overdueAt is the number of cases of svc that were overdue at the start
// of day (see the od+/od- counters).
func overdueAt(tx *store.Tx, svc, day string) (int, error) {
	n := 0
	for _, k := range []struct {
		prefix string
		sign   int
	}{{"rep/od+/" + svc + "/", 1}, {"rep/od-/" + svc + "/", -1}} {
		if err := tx.Scan(store.Counters, k.prefix, func(key string, raw []byte) error {
			if key[len(k.prefix):] >= day {
				return store.ErrStop
			}
			c, _ := strconv.Atoi(string(raw))
			n += k.sign * c
			return nil
		}); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// queues are the open cases of each handler of svc (every person with a
// handling role in it, also those with none).
func (s *Service) queues(tx *store.Tx, svc string) ([]float64, []string, error) {
	var names []string
	if err := tx.Scan(store.StaffRoles, "", func(k string, _ []byte) error {
		user, service, _ := strings.Cut(k, "/")
		if service != svc {
			return nil
		}
		if role := identity.StaffRole(tx, user, svc); role == identity.RoleHandler || role == identity.RoleManager {
			names = append(names, user)
		}
		return nil
	}); err != nil {
		return nil, nil, err
	}
	q := make([]float64, len(names))
	for i, h := range names {
		for _, st := range OpenStatuses {
			q[i] += float64(counter(tx, "inbox/"+svc+"/"+st+"/"+h))
		}
	}
	return q, names, nil
}

// AnswerCount is one value's count of persons.
type AnswerCount struct {
	Value string       `json:"value"`
	Count reports.Cell `json:"count"`
}

// AnswerReport is the distribution of the answers of one concept.
type AnswerReport struct {
	Concept  string        `json:"concept"`
	Field    *forms.Field  `json:"-"` // the field of the first service that asks it (labels)
	Services []string      `json:"services"`
	Values   []AnswerCount `json:"values"`
	// By is the concept (or ByService) the answers are crossed with;
	// ByField its question; ByValues its values in order; Cross the
	// persons of each pair of values (the cells of the table: row Value,
	// column By), only when crossed.
	By       string       `json:"by,omitempty"`
	ByField  *forms.Field `json:"-"`
	ByValues []string     `json:"byValues,omitempty"`
	Cross    []CrossCount `json:"cross,omitempty"`
}

// CrossCount is the persons who gave two answers.
type CrossCount struct {
	Value string       `json:"value"`
	By    string       `json:"by"`
	Count reports.Cell `json:"count"`
}

// Answers is the answers report.
type Answers struct {
	Period   Period   `json:"period"`
	Persons  int      `json:"persons"`
	Concepts []string `json:"concepts"` // the reportable concepts of the services
	// Fields are the questions asking each concept (their labels).
	Fields  map[string]*forms.Field `json:"-"`
	Reports []AnswerReport          `json:"reports"`
}

// Answers counts the answers of the cases submitted in the period, by
// data concept: of f.Concept over every service of f that asks it, or of
// every reportable concept of f's services. Counts under
// reports.MinCell show as "< 5"; a selection of fewer persons than that
// is refused (ErrSinglesOut). The period is in whole months.
func (s *Service) Answers(who Ref, f ReportFilter) (*Answers, error) {
	p := s.PeriodOf(f)
	hel := datefmt.Helsinki()
	p.From = reports.Month(p.From, hel)
	if to := reports.Month(p.To.Add(-time.Hour), hel).AddDate(0, 1, 0); to.After(p.To) {
		p.To = to
	}
	out := &Answers{Period: p, Concepts: []string{}, Reports: []AnswerReport{}}
	err := s.Store.View(func(tx *store.Tx) error {
		services, err := s.reportServices(tx, who, ReportFilter{Service: f.Service, Unit: f.Unit})
		if err != nil {
			return err
		}
		fields := map[string]*forms.Field{}
		asks := map[string][]string{}
		for _, svc := range services {
			def, ok := s.Forms.Latest(svc)
			if !ok {
				continue
			}
			for _, fl := range def.DataFields() {
				if !Reportable(fl) {
					continue
				}
				if fields[fl.Concept] == nil {
					fields[fl.Concept] = fl
					out.Concepts = append(out.Concepts, fl.Concept)
				}
				if !slices.Contains(asks[fl.Concept], svc) {
					asks[fl.Concept] = append(asks[fl.Concept], svc)
				}
			}
		}
		out.Fields = fields
		concepts := out.Concepts
		if f.Concept != "" {
			if fields[f.Concept] == nil {
				return ErrNotFound
			}
			concepts = []string{f.Concept}
		}
		if f.By != "" {
			// Crossed: one concept, with another that the same services
			// ask (only those services count), or with the service.
			if f.Concept == "" || f.By == f.Concept || f.By != ByService && fields[f.By] == nil {
				return ErrNotFound
			}
			if f.By != ByService {
				var both []string
				for _, svc := range asks[f.Concept] {
					if slices.Contains(asks[f.By], svc) {
						both = append(both, svc)
					}
				}
				if len(both) == 0 {
					return ErrNotFound
				}
				asks[f.Concept] = both
			}
		}
		var selected []string
		for _, c := range concepts {
			for _, svc := range asks[c] {
				if !slices.Contains(selected, svc) {
					selected = append(selected, svc)
				}
			}
		}
		pf, pt := p.days()
		for _, svc := range selected {
			if err := sumDays(tx, "rep/in/"+svc+"/", pf, pt, func(_ string, n int) { out.Persons += n }); err != nil {
				return err
			}
		}
		if reports.SinglesOut(out.Persons) {
			return ErrSinglesOut
		}
		mf, mt := pf[:6], pt[:6]
		for _, c := range concepts {
			r := AnswerReport{Concept: c, Field: fields[c], Services: asks[c], Values: []AnswerCount{}}
			counts := map[string]int{}
			for _, svc := range asks[c] {
				prefix := "rep/ans/" + c + "/" + svc + "/"
				if err := tx.ScanFrom(store.Counters, prefix, prefix+mf, func(k string, raw []byte) error {
					rest := k[len(prefix):]
					if rest[:6] >= mt {
						return store.ErrStop
					}
					n, _ := strconv.Atoi(string(raw))
					counts[rest[7:]] += n
					return nil
				}); err != nil {
					return err
				}
			}
			values := make([]string, 0, len(counts))
			for v := range counts {
				values = append(values, v)
			}
			sortValues(values, fields[c])
			for _, v := range values {
				r.Values = append(r.Values, AnswerCount{Value: v, Count: reports.Protect(counts[v])})
			}
			if f.By != "" {
				if err := crossAnswers(tx, &r, f.By, fields[f.By], mf, mt); err != nil {
					return err
				}
			}
			out.Reports = append(out.Reports, r)
		}
		return nil
	})
	return out, err
}

// sortValues orders a field's answer values as its options (others
// after them, age groups by age, then alphabetically).
func sortValues(values []string, f *forms.Field) {
	order := optionOrder(f)
	sort.Slice(values, func(i, j int) bool {
		oi, oj := order(values[i]), order(values[j])
		if oi != oj {
			return oi < oj
		}
		return values[i] < values[j]
	})
}

// optionOrder orders values as the field's options (others after them,
// age groups by age).
func optionOrder(f *forms.Field) func(string) int {
	return func(v string) int {
		for i, o := range f.Options {
			if o.Value == v {
				return i
			}
		}
		if f.Type == forms.TypeHetu {
			n, _ := strconv.Atoi(strings.TrimRight(strings.SplitN(v, "-", 2)[0], "+"))
			return n
		}
		return len(f.Options)
	}
}

// crossAnswers fills r's crossing with by (a concept, or ByService) over
// the months [mf, mt) (200601), from the counters of answer pairs
// (rep/ax) or, by service, of answers (rep/ans). Every cell under
// reports.MinCell shows as "< 5".
func crossAnswers(tx *store.Tx, r *AnswerReport, by string, byField *forms.Field, mf, mt string) error {
	r.By, r.ByField = by, byField
	counts := map[[2]string]int{}
	byValues := map[string]bool{}
	walk := func(prefix string, cell func(rest string) (value, byValue string)) error {
		return tx.ScanFrom(store.Counters, prefix, prefix+mf, func(k string, raw []byte) error {
			rest := k[len(prefix):]
			if len(rest) < 8 || rest[:6] >= mt {
				return store.ErrStop
			}
			n, _ := strconv.Atoi(string(raw))
			v, b := cell(rest[7:])
			counts[[2]string{v, b}] += n
			byValues[b] = true
			return nil
		})
	}
	for _, svc := range r.Services {
		var err error
		switch {
		case by == ByService:
			err = walk("rep/ans/"+r.Concept+"/"+svc+"/", func(v string) (string, string) { return v, svc })
		case r.Concept < by:
			err = walk("rep/ax/"+r.Concept+"/"+by+"/"+svc+"/", func(rest string) (string, string) {
				v, b, _ := strings.Cut(rest, "/")
				return v, b
			})
		default:
			err = walk("rep/ax/"+by+"/"+r.Concept+"/"+svc+"/", func(rest string) (string, string) {
				b, v, _ := strings.Cut(rest, "/")
				return v, b
			})
		}
		if err != nil {
			return err
		}
	}
	if by == ByService {
		r.ByValues = slices.Clone(r.Services)
	} else {
		for b := range byValues {
			r.ByValues = append(r.ByValues, b)
		}
		sortValues(r.ByValues, byField)
	}
	r.Cross = []CrossCount{}
	for _, v := range r.Values {
		for _, b := range r.ByValues {
			r.Cross = append(r.Cross, CrossCount{Value: v.Value, By: b, Count: reports.Protect(counts[[2]string{v.Value, b}])})
		}
	}
	return nil
}
