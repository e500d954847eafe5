package forms

import (
	"testing"
	"time"

	"asiointi/server/datefmt"
)

func TestParseDateBound(t *testing.T) {
	hel := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, datefmt.Helsinki()) }
	leap := time.Date(2028, 2, 29, 10, 0, 0, 0, datefmt.Helsinki())
	for _, tc := range []struct {
		in   string
		now  time.Time
		want time.Time
	}{
		{"today", now, hel(2027, 3, 21)}, // 23:30 UTC is already the next day in Helsinki
		{"today", time.Date(2027, 3, 20, 21, 59, 0, 0, time.UTC), hel(2027, 3, 20)},
		{"today+P14D", now, hel(2027, 4, 4)},
		{"today-P18Y", now, hel(2009, 3, 21)},
		{"today-P18Y", leap, hel(2010, 2, 28)}, // no 29 February: the last day of the month
		{"today+P1M", time.Date(2027, 1, 31, 12, 0, 0, 0, datefmt.Helsinki()), hel(2027, 2, 28)},
		{"today+P4M", time.Date(2027, 10, 31, 12, 0, 0, 0, datefmt.Helsinki()), hel(2028, 2, 29)},
		{"today-P13M", time.Date(2027, 1, 15, 12, 0, 0, 0, datefmt.Helsinki()), hel(2025, 12, 15)},
		{"today+P1Y2M3D", time.Date(2027, 11, 30, 12, 0, 0, 0, datefmt.Helsinki()), hel(2029, 2, 2)},
		{"today+P2M1D", time.Date(2027, 12, 31, 12, 0, 0, 0, datefmt.Helsinki()), hel(2028, 3, 1)},
		{"2027-01-01", now, hel(2027, 1, 1)},
	} {
		got, err := ParseDateBound(tc.in, tc.now)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("ParseDateBound(%q, %v) = %v, %v; want %v", tc.in, tc.now, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "tomorrow", "today+14D", "today*P1D", "today+", "todayP1D", "2027-02-30", "27-01-01", "2027-1-1", "0999-01-01", "2027-01-01T00:00"} {
		if _, err := ParseDateBound(bad, now); err == nil {
			t.Errorf("ParseDateBound(%q) accepted", bad)
		}
	}
}

func TestRetainUntil(t *testing.T) {
	f := &Field{Retention: "P2Y"}
	got, err := f.RetainUntil(now)
	if err != nil || !got.Equal(time.Date(2029, 3, 21, 0, 0, 0, 0, datefmt.Helsinki())) {
		t.Errorf("got %v, %v", got, err)
	}
	if _, err := (&Field{Retention: "2y"}).RetainUntil(now); err == nil {
		t.Error("bad retention accepted")
	}
}
