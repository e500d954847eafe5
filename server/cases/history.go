package cases

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"asiointi/server/datefmt"
	"asiointi/server/forms"
	"asiointi/server/identity"
	"asiointi/server/store"
)

// GenerateHistory writes n made-up cases submitted over the days before
// now, each with its events, index entries and report aggregates, as
// handling would have left them: the demo's history for the reports
// (`asiointi demo-history`) and the reports' benchmarks. The customers
// are made-up people (ids demo-…), so no resident sees these cases; the
// handlers are the staff with a handling role in each service. More
// applications come on weekdays, early education peaks in spring and
// the summer-job voucher in its season; a case takes about two thirds
// of its service's processing time, some longer than the target.
func (s *Service) GenerateHistory(n, days int, now time.Time, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, 14))
	hel := datefmt.Helsinki()
	services := s.Catalog.Services()
	handlers := map[string][]Ref{}
	if err := s.Store.View(func(tx *store.Tx) error {
		return tx.Scan(store.StaffRoles, "", func(k string, _ []byte) error {
			for i := 0; i < len(k); i++ {
				if k[i] == '/' {
					user, svc := k[:i], k[i+1:]
					if r := identity.StaffRole(tx, user, svc); r == identity.RoleHandler || r == identity.RoleManager {
						var m struct {
							Name string `json:"name"`
						}
						tx.Get(store.Staff, user, &m)
						handlers[svc] = append(handlers[svc], Ref{ID: user, Name: m.Name, Kind: identity.Staff})
					}
				}
			}
			return nil
		})
	}); err != nil {
		return err
	}
	first := []string{"Aino", "Eetu", "Ella", "Mikko", "Helmi", "Juhani", "Sven", "Maria", "Olavi", "Liisa", "Pekka", "Anna", "Matti", "Sofia", "Leo", "Aada"}
	last := []string{"Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine", "Heikkinen", "Koskinen", "Järvinen", "Lindqvist", "Salo"}
	postal := []string{"99100", "99120", "99130", "99150", "99180", "99200", "99210", "99250"}
	// The arrivals first, in time order: the cases, their events and
	// index entries are then written with ascending keys, appended to
	// their buckets' last pages (a store of a million cases in minutes,
	// where random order rewrote pages all over the file in every batch).
	type arrival struct {
		svc int
		at  time.Time
	}
	arrivals := make([]arrival, n)
	for i := range arrivals {
		svc := services[rng.IntN(len(services))]
		at := now.Add(-time.Duration(rng.Int64N(int64(days) * int64(24*time.Hour))))
		if wd := at.In(hel).Weekday(); (wd == time.Saturday || wd == time.Sunday) && rng.IntN(10) < 7 {
			at = at.AddDate(0, 0, -2) // fewer at weekends
		}
		if m := at.In(hel).Month(); svc.ID == "early-education" && m >= time.February && m <= time.April && rng.IntN(3) == 0 ||
			svc.ID == "summer-job-voucher" && m >= time.March && m <= time.May && rng.IntN(3) == 0 {
			at = at.Add(-time.Duration(rng.IntN(48)) * time.Hour) // the season: more of these
		}
		arrivals[i] = arrival{svc: slices.Index(services, svc), at: at}
	}
	slices.SortFunc(arrivals, func(a, b arrival) int { return a.at.Compare(b.at) })
	const batch = 5000
	for start := 0; start < n; start += batch {
		err := s.Store.UpdateAlone(func(tx *store.Tx) error {
			for i := start; i < min(n, start+batch); i++ {
				svc, at := services[arrivals[i].svc], arrivals[i].at
				c := &Case{ID: store.NewID(at), Reference: fmt.Sprintf("DEMO-%d-%07d", at.In(hel).Year(), i), Service: svc.ID,
					FormVersion: 1, Status: StatusSubmitted, Parties: []Party{}, SubmittedAt: at, UpdatedAt: at,
					DueAt: DueAfter(at, svc.ProcessingDays, svc.ProcessingWorkingDays), RetainUntil: svc.CaseRetentionUntil(at)}
				person := rng.IntN(200000)
				c.Actor = Ref{ID: fmt.Sprintf("demo-%06d", person), Name: first[person%len(first)] + " " + last[(person/16)%len(last)], Kind: identity.Resident}
				if def, ok := s.Forms.Latest(svc.ID); ok {
					c.FormVersion = def.Version
					c.Answers = madeUpAnswers(rng, def, postal, at)
				}
				evs := []Event{{Type: "submitted", At: at, Actor: c.Actor, To: StatusSubmitted}}
				hs := handlers[svc.ID]
				target := float64(max(svc.ProcessingDays, 1))
				took := time.Duration(math.Exp(rng.NormFloat64()*0.5) * 0.6 * target * float64(24*time.Hour))
				took = max(took, time.Duration(2+rng.IntN(48))*time.Hour)
				taken := at.Add(time.Duration(1+rng.IntN(72)) * time.Hour)
				if len(hs) > 0 && taken.Before(now) {
					h := hs[rng.IntN(len(hs))]
					c.Handler, c.Status = &h, StatusInProgress
					evs = append(evs, Event{Type: "assigned", At: taken, Actor: h, From: StatusSubmitted, To: StatusInProgress, Note: h.Name})
					switch end := at.Add(took); {
					case rng.IntN(25) == 0 && end.Before(now):
						c.Status = []string{StatusCancelled, StatusWithdrawn}[rng.IntN(2)]
						evs = append(evs, Event{Type: "status-changed", At: end, Actor: h, From: StatusInProgress, To: c.Status})
					case end.Before(now):
						outcome := []string{OutcomeApproved, OutcomeApproved, OutcomeApproved, OutcomePartly, OutcomeRejected}[rng.IntN(5)]
						c.Status, c.Decision = StatusDecided, &Decision{Outcome: outcome, Text: "Päätös.", At: end, By: h}
						evs = append(evs, Event{Type: "decided", At: end, Actor: h, From: StatusInProgress, To: StatusDecided, Note: outcome})
						if closed := end.AddDate(0, 0, 30); closed.Before(now) {
							c.Status = StatusClosed
							evs = append(evs, Event{Type: "status-changed", At: closed, Actor: h, From: StatusDecided, To: StatusClosed})
						}
					case rng.IntN(8) == 0:
						c.Status = StatusSupplementRequested
						asked := taken.Add(time.Hour)
						c.Supplement = &Supplement{Message: "Lisätietoja tarvitaan.", Fields: []string{}, Due: asked.AddDate(0, 0, 14), RequestedAt: asked, By: h, Reminded: true}
						evs = append(evs, Event{Type: "supplement-requested", At: asked, Actor: h, From: StatusInProgress, To: StatusSupplementRequested})
					}
				}
				c.UpdatedAt = evs[len(evs)-1].At
				for j := range evs {
					evs[j].ID, evs[j].Case = store.NewID(evs[j].At), c.ID
					if err := tx.Put(store.Events, eventKey(c.ID, evs[j].ID), &evs[j]); err != nil {
						return err
					}
				}
				// As a submit files them: the retention entry (so that the
				// made-up answers and cases go on their days like real ones)
				// and the applicant's entry in their list of cases.
				if err := s.fileCaseDue(tx, c); err != nil {
					return err
				}
				if err := tx.Put(store.Cases, c.ID, c); err != nil {
					return err
				}
				if err := tx.PutRaw(store.CasesByRef, c.Reference, []byte(c.ID)); err != nil {
					return err
				}
				if err := tx.PutRaw(store.CasesByUser, userKey(c.Actor.ID, c.ID), nil); err != nil {
					return err
				}
				if err := indexCase(tx, c); err != nil {
					return err
				}
				old, err := loadFacts(tx, c.ID)
				if err != nil {
					return err
				}
				if err := applyFacts(tx, c.ID, old, s.factsFromEvents(c, evs)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// madeUpAnswers answers the reportable questions of def at random.
func madeUpAnswers(rng *rand.Rand, def *forms.Definition, postal []string, at time.Time) map[string]any {
	out := map[string]any{}
	for _, f := range def.DataFields() {
		if !Reportable(f) {
			continue
		}
		switch f.Type {
		case forms.TypeSelect, forms.TypeRadio:
			if len(f.Options) > 0 {
				out[f.ID] = f.Options[min(rng.IntN(len(f.Options)), rng.IntN(len(f.Options)))].Value // earlier options more often
			}
		case forms.TypeCheckboxes:
			var picked []any
			for _, o := range f.Options {
				if rng.IntN(3) == 0 {
					picked = append(picked, o.Value)
				}
			}
			out[f.ID] = picked
		case forms.TypeCheckbox:
			out[f.ID] = rng.IntN(4) > 0
		case forms.TypePostalCode:
			out[f.ID] = postal[min(rng.IntN(len(postal)), rng.IntN(len(postal)))]
		case forms.TypeDate:
			out[f.ID] = at.AddDate(0, rng.IntN(8), rng.IntN(28)).Format("2006-01-02")
		case forms.TypeHetu:
			maxAge := 90
			if strings.HasPrefix(f.Concept, "child.") {
				maxAge = 6
			}
			out[f.ID] = madeUpHetu(rng, at, maxAge)
		}
	}
	return out
}

// madeUpHetu is a valid henkilötunnus of someone 0–maxAge years old at
// at, with an individual number from the 900s (the range for made-up
// ones).
func madeUpHetu(rng *rand.Rand, at time.Time, maxAge int) string {
	born := at.AddDate(-rng.IntN(maxAge+1), 0, -rng.IntN(365))
	century := "-"
	switch y := born.Year(); {
	case y >= 2000:
		century = "A"
	case y < 1900:
		century = "+"
	}
	num := 900 + rng.IntN(100)
	digits := fmt.Sprintf("%s%03d", born.Format("020106"), num)
	var v int
	fmt.Sscanf(digits, "%d", &v)
	return born.Format("020106") + century + fmt.Sprintf("%03d", num) + string("0123456789ABCDEFHJKLMNPRSTUVWXY"[v%31])
}
