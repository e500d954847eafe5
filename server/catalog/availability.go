package catalog

import (
	"time"

	"asiointi/server/datefmt"
)

// Availability states.
const (
	StateOpen               = "open"
	StateNotYetOpen         = "not-yet-open"
	StateClosed             = "closed"
	StateOutsideOfficeHours = "outside-office-hours"
)

// Office hours, Monday to Friday, Europe/Helsinki wall-clock time: from
// OfficeOpensHour:00 (inclusive) to OfficeClosesHour:00 (exclusive).
// Public holidays are not taken into account: on a weekday holiday an
// office-hours-only service is open as on any weekday. (No service in the
// demo catalogue is office-hours-only; the capability exists for
// municipalities that staff a service live, such as a chat-backed one.)
const (
	OfficeOpensHour  = 8
	OfficeClosesHour = 16
)

// Availability tells whether a service accepts new applications at a given
// moment, and when that changes.
type Availability struct {
	// Open is true when a new application may be started and submitted.
	Open bool `json:"open"`
	// State is one of the State* constants.
	State string `json:"state"`
	// OpensAt is when the service next opens (not-yet-open,
	// outside-office-hours), or when its application window opened (open,
	// closed); nil when there is no such moment.
	OpensAt *time.Time `json:"opensAt,omitempty"`
	// ClosesAt is when the current open period ends (open: the end of the
	// application window or of today's office hours, whichever is first),
	// or when the application window ends or ended (other states); nil
	// when the service has no closing time.
	ClosesAt *time.Time `json:"closesAt,omitempty"`
}

// AvailabilityAt tells whether the service is open at now. It is pure: the
// same service and time always give the same answer. The application
// window includes OpensAt and excludes ClosesAt.
func (s *Service) AvailabilityAt(now time.Time) Availability {
	if s.ClosesAt != nil && !now.Before(*s.ClosesAt) {
		return Availability{State: StateClosed, OpensAt: ptr(s.OpensAt), ClosesAt: ptr(s.ClosesAt)}
	}
	notYet := s.OpensAt != nil && now.Before(*s.OpensAt)
	if !s.OfficeHoursOnly {
		if notYet {
			return Availability{State: StateNotYetOpen, OpensAt: ptr(s.OpensAt), ClosesAt: ptr(s.ClosesAt)}
		}
		return Availability{Open: true, State: StateOpen, OpensAt: ptr(s.OpensAt), ClosesAt: ptr(s.ClosesAt)}
	}

	from := now
	if notYet {
		from = *s.OpensAt
	}
	start, end := OfficeHoursFrom(from)
	if start.Before(from) {
		start = from // the window opens in the middle of office hours
	}
	if s.ClosesAt != nil && !start.Before(*s.ClosesAt) {
		// No office hours left before the window closes.
		return Availability{State: StateClosed, OpensAt: ptr(s.OpensAt), ClosesAt: ptr(s.ClosesAt)}
	}
	switch {
	case notYet:
		return Availability{State: StateNotYetOpen, OpensAt: &start, ClosesAt: ptr(s.ClosesAt)}
	case start.After(now):
		return Availability{State: StateOutsideOfficeHours, OpensAt: &start, ClosesAt: ptr(s.ClosesAt)}
	}
	if s.ClosesAt != nil && s.ClosesAt.Before(end) {
		end = *s.ClosesAt
	}
	return Availability{Open: true, State: StateOpen, OpensAt: ptr(s.OpensAt), ClosesAt: &end}
}

// InOfficeHours tells whether t falls within office hours: Monday to
// Friday, 8:00–16:00 in Helsinki, holidays ignored.
func InOfficeHours(t time.Time) bool {
	start, _ := OfficeHoursFrom(t)
	return !start.After(t)
}

// OfficeHoursFrom returns the office-hours period that contains t, or the
// next one if t is outside office hours. The times are in Helsinki.
func OfficeHoursFrom(t time.Time) (start, end time.Time) {
	loc := datefmt.Helsinki()
	h := t.In(loc)
	for i := 0; ; i++ { // at most 3 days on: Friday evening → Monday
		y, m, d := h.Date()
		day := time.Date(y, m, d+i, 12, 0, 0, 0, loc)
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		y, m, d = day.Date()
		start = time.Date(y, m, d, OfficeOpensHour, 0, 0, 0, loc)
		end = time.Date(y, m, d, OfficeClosesHour, 0, 0, 0, loc)
		if t.Before(end) {
			return start, end
		}
	}
}

// ptr returns a pointer to a copy of *t, or nil, so that callers cannot
// change the catalogue through an Availability.
func ptr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}
