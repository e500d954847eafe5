package datefmt

import (
	"testing"
	"time"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestHelsinki(t *testing.T) {
	loc := Helsinki()
	if loc == nil || loc.String() != "Europe/Helsinki" {
		t.Fatalf("Helsinki() = %v", loc)
	}
	if Helsinki() != loc {
		t.Error("Helsinki() should return the same *time.Location every time")
	}
	winter := time.Date(2027, 1, 15, 12, 0, 0, 0, loc)
	summer := time.Date(2027, 7, 15, 12, 0, 0, 0, loc)
	if _, off := winter.Zone(); off != 2*3600 {
		t.Errorf("winter offset = %d, want +02:00", off)
	}
	if _, off := summer.Zone(); off != 3*3600 {
		t.Errorf("summer offset = %d, want +03:00", off)
	}
}

func TestFormats(t *testing.T) {
	tests := []struct {
		name string
		in   time.Time
		lang string
		date string
		dm   string
		tm   string
		dt   string
	}{
		{"closing time fi", utc("2027-03-31T13:00:00Z"), "fi", "31.3.2027", "31.3.", "16.00", "31.3.2027 klo 16.00"},
		{"closing time sv", utc("2027-03-31T13:00:00Z"), "sv", "31.3.2027", "31.3.", "16.00", "31.3.2027 kl. 16.00"},
		{"closing time en", utc("2027-03-31T13:00:00Z"), "en", "31 March 2027", "31 March", "16:00", "31 March 2027 at 16:00"},
		{"unknown language falls back to fi", utc("2027-03-31T13:00:00Z"), "de", "31.3.2027", "31.3.", "16.00", "31.3.2027 klo 16.00"},
		{"morning fi: no leading zero", utc("2027-01-15T07:05:00Z"), "fi", "15.1.2027", "15.1.", "9.05", "15.1.2027 klo 9.05"},
		{"morning en: leading zero", utc("2027-01-15T07:05:00Z"), "en", "15 January 2027", "15 January", "09:05", "15 January 2027 at 09:05"},
		{"midnight", utc("2026-12-31T22:00:00Z"), "fi", "1.1.2027", "1.1.", "0.00", "1.1.2027 klo 0.00"},
		{"UTC date differs from Helsinki date (winter)", utc("2027-01-14T22:30:00Z"), "sv", "15.1.2027", "15.1.", "0.30", "15.1.2027 kl. 0.30"},
		{"UTC date differs from Helsinki date (summer)", utc("2027-03-30T21:30:00Z"), "en", "31 March 2027", "31 March", "00:30", "31 March 2027 at 00:30"},
		{"last second before spring forward", utc("2027-03-28T00:59:59Z"), "fi", "28.3.2027", "28.3.", "2.59", "28.3.2027 klo 2.59"},
		{"spring forward: 03.00 never happens", utc("2027-03-28T01:00:00Z"), "fi", "28.3.2027", "28.3.", "4.00", "28.3.2027 klo 4.00"},
		{"last minute of summer time", utc("2027-10-31T00:59:00Z"), "en", "31 October 2027", "31 October", "03:59", "31 October 2027 at 03:59"},
		{"fall back: 03.00 happens twice (second time)", utc("2027-10-31T01:00:00Z"), "en", "31 October 2027", "31 October", "03:00", "31 October 2027 at 03:00"},
		{"fall back: first 03.00", utc("2027-10-31T00:00:00Z"), "sv", "31.10.2027", "31.10.", "3.00", "31.10.2027 kl. 3.00"},
		{"other zone converted", time.Date(2027, 12, 24, 18, 0, 0, 0, time.FixedZone("NYC", -5*3600)), "fi", "25.12.2027", "25.12.", "1.00", "25.12.2027 klo 1.00"},
		{"leap day", utc("2028-02-29T10:00:00Z"), "en", "29 February 2028", "29 February", "12:00", "29 February 2028 at 12:00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Date(tc.in, tc.lang); got != tc.date {
				t.Errorf("Date = %q, want %q", got, tc.date)
			}
			if got := DayMonth(tc.in, tc.lang); got != tc.dm {
				t.Errorf("DayMonth = %q, want %q", got, tc.dm)
			}
			if got := Time(tc.in, tc.lang); got != tc.tm {
				t.Errorf("Time = %q, want %q", got, tc.tm)
			}
			if got := DateTime(tc.in, tc.lang); got != tc.dt {
				t.Errorf("DateTime = %q, want %q", got, tc.dt)
			}
		})
	}
}

func TestAllMonthsEnglish(t *testing.T) {
	want := []string{"January", "February", "March", "April", "May", "June",
		"July", "August", "September", "October", "November", "December"}
	for i, m := range want {
		in := time.Date(2027, time.Month(i+1), 10, 12, 0, 0, 0, Helsinki())
		if got, w := Date(in, "en"), "10 "+m+" 2027"; got != w {
			t.Errorf("Date(%v) = %q, want %q", in, got, w)
		}
	}
}
