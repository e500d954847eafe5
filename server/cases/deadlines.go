package cases

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"asiointi/server/datefmt"
	"asiointi/server/identity"
	"asiointi/server/notify"
	"asiointi/server/store"
)

// DueAfter is the deadline days days after from: the end of that day in
// Europe/Helsinki (23:59:59), counting calendar days, or only Monday to
// Friday when working. Counting in Helsinki dates keeps a deadline on
// the right day across a daylight-saving change.
func DueAfter(from time.Time, days int, working bool) time.Time {
	hel := datefmt.Helsinki()
	l := from.In(hel)
	d := time.Date(l.Year(), l.Month(), l.Day(), 12, 0, 0, 0, hel)
	if !working {
		d = d.AddDate(0, 0, days)
	} else {
		for n := 0; n < days; {
			d = d.AddDate(0, 0, 1)
			if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
				n++
			}
		}
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 23, 59, 59, 0, hel)
}

// SupplementReminderDays is how long before a supplement's due date the
// resident is reminded.
const SupplementReminderDays = 2

// DigestHour is the hour (Helsinki) from which the daily digest goes out.
const DigestHour = 7

// Deadlines runs the deadline jobs due at now: the reminders of
// supplements due soon, and once a day the digest to each handler and
// manager. Housekeeping calls it; it is safe to call often.
func (s *Service) Deadlines() (reminded, digests int, err error) {
	now := s.Now()
	if reminded, err = s.remindSupplements(now); err != nil {
		return reminded, 0, err
	}
	digests, err = s.sendDigests(now)
	return reminded, digests, err
}

// remindSupplements tells the residents of each case whose supplement is
// due within SupplementReminderDays, once (index keys d/<due>/<case>).
func (s *Service) remindSupplements(now time.Time) (int, error) {
	n := 0
	bound := "d/" + inboxDueKey(now.AddDate(0, 0, SupplementReminderDays))
	err := s.Store.Update(func(tx *store.Tx) error {
		n = 0
		var ids []string
		if err := tx.Scan(store.CaseIndex, "d/", func(k string, _ []byte) error {
			if k >= bound {
				return store.ErrStop
			}
			ids = append(ids, k[strings.LastIndexByte(k, '/')+1:])
			return nil
		}); err != nil {
			return err
		}
		for _, id := range ids {
			var c Case
			if err := tx.Get(store.Cases, id, &c); err != nil {
				return err
			}
			if c.Supplement == nil {
				continue
			}
			c.Supplement.Reminded = true
			if err := s.writeCase(tx, &c, nil, ""); err != nil {
				return err
			}
			u, err := s.caseUpdate(tx, &c, notify.KindSupplementDue, nil)
			if err != nil {
				return err
			}
			u.At = now
			u.Due = c.Supplement.Due
			if err := notify.CaseUpdate(tx, u); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// sendDigests sends, once per Helsinki day from DigestHour on, one
// notification to each handler and manager whose services have open
// cases overdue or due soon: how many of each.
func (s *Service) sendDigests(now time.Time) (int, error) {
	local := now.In(datefmt.Helsinki())
	if local.Hour() < DigestHour {
		return 0, nil
	}
	marker := "digest/" + local.Format("2006-01-02")
	n := 0
	err := s.Store.Update(func(tx *store.Tx) error {
		n = 0
		if tx.Has(store.Settings, marker) {
			return nil
		}
		services := map[string][]string{}
		if err := tx.Scan(store.StaffRoles, "", func(k string, raw []byte) error {
			var r struct {
				Role string `json:"role"`
			}
			if err := json.Unmarshal(raw, &r); err != nil {
				return err
			}
			if r.Role == identity.RoleHandler || r.Role == identity.RoleManager {
				user, svc, _ := strings.Cut(k, "/")
				services[user] = append(services[user], svc)
			}
			return nil
		}); err != nil {
			return err
		}
		for user, svcs := range services {
			counts, err := inboxCounts(tx, svcs, OpenStatuses, user, now)
			if err != nil {
				return err
			}
			if counts.Overdue+counts.DueSoon == 0 {
				continue
			}
			if err := notify.Record(tx, notify.Notification{User: user, Kind: notify.KindDigest, At: now, Link: "/staff?overdue=1",
				Params: map[string]string{"overdue": strconv.Itoa(counts.Overdue), "soon": strconv.Itoa(counts.DueSoon)}}); err != nil {
				return err
			}
			n++
		}
		return tx.Put(store.Settings, marker, true)
	})
	return n, err
}
