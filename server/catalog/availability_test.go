package catalog

import (
	"testing"
	"time"

	"asiointi/server/datefmt"
)

func hel(y int, m time.Month, d, h, min, s int) time.Time {
	return time.Date(y, m, d, h, min, s, 0, datefmt.Helsinki())
}

func tp(t time.Time) *time.Time { return &t }

func eqTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

func TestAvailabilitySummerJobVoucher(t *testing.T) {
	c := mustLoad(t)
	s, _ := c.Service("summer-job-voucher")
	opens, closes := hel(2027, 1, 15, 9, 0, 0), hel(2027, 3, 31, 16, 0, 0)
	tests := []struct {
		name  string
		now   time.Time
		state string
	}{
		{"long before", hel(2026, 12, 1, 12, 0, 0), StateNotYetOpen},
		{"one second before opening", hel(2027, 1, 15, 8, 59, 59), StateNotYetOpen},
		{"at opening (inclusive)", opens, StateOpen},
		{"at opening, given in UTC", time.Date(2027, 1, 15, 7, 0, 0, 0, time.UTC), StateOpen},
		{"on a Sunday night (not office-hours-only)", hel(2027, 2, 14, 23, 30, 0), StateOpen},
		{"across the DST change", hel(2027, 3, 28, 4, 0, 0), StateOpen},
		{"one second before closing", hel(2027, 3, 31, 15, 59, 59), StateOpen},
		{"at closing (exclusive)", closes, StateClosed},
		{"at closing, given in UTC", time.Date(2027, 3, 31, 13, 0, 0, 0, time.UTC), StateClosed},
		{"12:59 UTC is 15:59 in Helsinki: open", time.Date(2027, 3, 31, 12, 59, 0, 0, time.UTC), StateOpen},
		{"long after", hel(2027, 6, 1, 12, 0, 0), StateClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := s.AvailabilityAt(tc.now)
			if a.State != tc.state || a.Open != (tc.state == StateOpen) {
				t.Errorf("AvailabilityAt(%v) = %+v, want %s", tc.now, a, tc.state)
			}
			if !eqTime(a.OpensAt, &opens) || !eqTime(a.ClosesAt, &closes) {
				t.Errorf("window = %v – %v", a.OpensAt, a.ClosesAt)
			}
		})
	}
}

func TestAvailabilityAlwaysOpen(t *testing.T) {
	c := mustLoad(t)
	for _, id := range []string{"sports-shift", "early-education", "home-help", "building-notification", "association-grant"} {
		s, _ := c.Service(id)
		for _, now := range []time.Time{hel(2027, 1, 1, 0, 0, 0), hel(2027, 3, 28, 3, 30, 0), hel(2030, 7, 6, 22, 0, 0)} {
			if a := s.AvailabilityAt(now); !a.Open || a.State != StateOpen || a.OpensAt != nil || a.ClosesAt != nil {
				t.Errorf("%s at %v: %+v", id, now, a)
			}
		}
	}
}

func TestAvailabilityDoesNotLeakPointers(t *testing.T) {
	c := mustLoad(t)
	s, _ := c.Service("summer-job-voucher")
	a := s.AvailabilityAt(hel(2027, 2, 1, 12, 0, 0))
	*a.OpensAt = time.Time{}
	*a.ClosesAt = time.Time{}
	if s.OpensAt.IsZero() || s.ClosesAt.IsZero() {
		t.Fatal("changing an Availability changed the service")
	}
}

func TestAvailabilityOfficeHours(t *testing.T) {
	// 2027-03-22 is a Monday; DST starts on Sunday 2027-03-28 and ends on
	// Sunday 2027-10-31.
	always := &Service{OfficeHoursOnly: true}
	windowed := func(opens, closes time.Time) *Service {
		return &Service{OfficeHoursOnly: true, OpensAt: &opens, ClosesAt: &closes}
	}
	tests := []struct {
		name     string
		s        *Service
		now      time.Time
		state    string
		opensAt  *time.Time
		closesAt *time.Time
	}{
		{"Monday before 8", always, hel(2027, 3, 22, 7, 59, 59), StateOutsideOfficeHours, tp(hel(2027, 3, 22, 8, 0, 0)), nil},
		{"Monday at 8 (inclusive)", always, hel(2027, 3, 22, 8, 0, 0), StateOpen, nil, tp(hel(2027, 3, 22, 16, 0, 0))},
		{"Monday at 15:59", always, hel(2027, 3, 22, 15, 59, 59), StateOpen, nil, tp(hel(2027, 3, 22, 16, 0, 0))},
		{"Monday at 16 (exclusive)", always, hel(2027, 3, 22, 16, 0, 0), StateOutsideOfficeHours, tp(hel(2027, 3, 23, 8, 0, 0)), nil},
		{"Friday evening waits for Monday", always, hel(2027, 3, 26, 17, 0, 0), StateOutsideOfficeHours, tp(hel(2027, 3, 29, 8, 0, 0)), nil},
		{"Saturday", always, hel(2027, 3, 27, 10, 0, 0), StateOutsideOfficeHours, tp(hel(2027, 3, 29, 8, 0, 0)), nil},
		{"Sunday of spring DST change", always, hel(2027, 3, 28, 4, 30, 0), StateOutsideOfficeHours, tp(hel(2027, 3, 29, 8, 0, 0)), nil},
		{"Monday after spring DST change, 8:00 EEST", always, time.Date(2027, 3, 29, 5, 0, 0, 0, time.UTC), StateOpen, nil, tp(hel(2027, 3, 29, 16, 0, 0))},
		{"7:00 EEST is 04:00 UTC: still closed", always, time.Date(2027, 3, 29, 4, 0, 0, 0, time.UTC), StateOutsideOfficeHours, tp(hel(2027, 3, 29, 8, 0, 0)), nil},
		{"Monday after autumn DST change, 8:00 EET", always, time.Date(2027, 11, 1, 6, 0, 0, 0, time.UTC), StateOpen, nil, tp(hel(2027, 11, 1, 16, 0, 0))},
		{"8:00 EET in UTC minus one second", always, time.Date(2027, 11, 1, 5, 59, 59, 0, time.UTC), StateOutsideOfficeHours, tp(hel(2027, 11, 1, 8, 0, 0)), nil},
		{"window opens on Saturday: first office hours on Monday",
			windowed(hel(2027, 3, 27, 10, 0, 0), hel(2027, 4, 30, 16, 0, 0)), hel(2027, 3, 26, 12, 0, 0),
			StateNotYetOpen, tp(hel(2027, 3, 29, 8, 0, 0)), tp(hel(2027, 4, 30, 16, 0, 0))},
		{"window opens at 10 on a weekday",
			windowed(hel(2027, 3, 22, 10, 0, 0), hel(2027, 4, 30, 16, 0, 0)), hel(2027, 3, 22, 9, 0, 0),
			StateNotYetOpen, tp(hel(2027, 3, 22, 10, 0, 0)), tp(hel(2027, 4, 30, 16, 0, 0))},
		{"window closes at noon: open period ends then",
			windowed(hel(2027, 3, 1, 8, 0, 0), hel(2027, 3, 23, 12, 0, 0)), hel(2027, 3, 23, 11, 0, 0),
			StateOpen, tp(hel(2027, 3, 1, 8, 0, 0)), tp(hel(2027, 3, 23, 12, 0, 0))},
		{"window closes Friday evening, no office hours left",
			windowed(hel(2027, 3, 1, 8, 0, 0), hel(2027, 3, 26, 18, 0, 0)), hel(2027, 3, 26, 17, 0, 0),
			StateClosed, tp(hel(2027, 3, 1, 8, 0, 0)), tp(hel(2027, 3, 26, 18, 0, 0))},
		{"window opens and closes on a weekend",
			windowed(hel(2027, 3, 27, 8, 0, 0), hel(2027, 3, 28, 20, 0, 0)), hel(2027, 3, 20, 12, 0, 0),
			StateClosed, tp(hel(2027, 3, 27, 8, 0, 0)), tp(hel(2027, 3, 28, 20, 0, 0))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.s.AvailabilityAt(tc.now)
			if a.State != tc.state || a.Open != (tc.state == StateOpen) {
				t.Errorf("state = %q (open %v), want %q", a.State, a.Open, tc.state)
			}
			if !eqTime(a.OpensAt, tc.opensAt) {
				t.Errorf("OpensAt = %v, want %v", a.OpensAt, tc.opensAt)
			}
			if !eqTime(a.ClosesAt, tc.closesAt) {
				t.Errorf("ClosesAt = %v, want %v", a.ClosesAt, tc.closesAt)
			}
			if got, want := InOfficeHours(tc.now), tc.state == StateOpen; tc.s == always && got != want {
				t.Errorf("InOfficeHours = %v, want %v", got, want)
			}
		})
	}
}

func TestOfficeHoursFrom(t *testing.T) {
	tests := []struct {
		now        time.Time
		start, end time.Time
	}{
		{hel(2027, 3, 22, 12, 0, 0), hel(2027, 3, 22, 8, 0, 0), hel(2027, 3, 22, 16, 0, 0)},
		{hel(2027, 3, 22, 0, 0, 0), hel(2027, 3, 22, 8, 0, 0), hel(2027, 3, 22, 16, 0, 0)},
		{hel(2027, 3, 26, 16, 0, 0), hel(2027, 3, 29, 8, 0, 0), hel(2027, 3, 29, 16, 0, 0)},
		{hel(2027, 12, 31, 23, 0, 0), hel(2028, 1, 3, 8, 0, 0), hel(2028, 1, 3, 16, 0, 0)},
	}
	for _, tc := range tests {
		s, e := OfficeHoursFrom(tc.now)
		if !s.Equal(tc.start) || !e.Equal(tc.end) {
			t.Errorf("OfficeHoursFrom(%v) = %v – %v, want %v – %v", tc.now, s, e, tc.start, tc.end)
		}
		if s.Location() != datefmt.Helsinki() {
			t.Errorf("OfficeHoursFrom returned a time in %v", s.Location())
		}
	}
}
