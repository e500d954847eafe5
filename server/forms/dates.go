package forms

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Helsinki even where the system has no zoneinfo
)

// Helsinki is the time zone in which "today" and dates are understood.
var Helsinki = mustLocation("Europe/Helsinki")

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// Period is an ISO-8601 duration in whole years, months and days, such as
// P2Y, P6M, P14D or P1Y6M.
type Period struct{ Years, Months, Days int }

// ParsePeriod parses "PnYnMnD" where each part is optional but at least one
// is present and they come in that order. Weeks and times are not used.
func ParsePeriod(s string) (Period, error) {
	bad := fmt.Errorf("%q is not an ISO-8601 period such as P2Y, P6M or P14D", s)
	rest, ok := strings.CutPrefix(s, "P")
	if !ok || rest == "" {
		return Period{}, bad
	}
	var p Period
	for _, unit := range []struct {
		letter byte
		dst    *int
	}{{'Y', &p.Years}, {'M', &p.Months}, {'D', &p.Days}} {
		i := strings.IndexByte(rest, unit.letter)
		if i < 0 {
			continue
		}
		n, err := strconv.Atoi(rest[:i])
		if err != nil || i == 0 || rest[0] == '+' || rest[0] == '-' || n > 9999 {
			return Period{}, bad
		}
		*unit.dst = n
		rest = rest[i+1:]
	}
	if rest != "" {
		return Period{}, bad
	}
	return p, nil
}

// IsZero reports whether the period is empty (P0D).
func (p Period) IsZero() bool { return p == Period{} }

// AddTo returns t moved by the period, forward (sign 1) or back (sign -1).
// Years and months move first; a day that does not exist in the resulting
// month becomes its last day (31 Jan + P1M = 28 or 29 Feb, 29 Feb - P18Y =
// 28 Feb), as periods in months and years are counted in Finland. Days are
// added last.
func (p Period) AddTo(t time.Time, sign int) time.Time {
	y, m, d := t.Date()
	months := int(m) - 1 + sign*(p.Years*12+p.Months)
	y += months / 12
	months %= 12
	if months < 0 {
		months += 12
		y--
	}
	if last := daysInMonth(y, time.Month(months+1)); d > last {
		d = last
	}
	hh, mm, ss := t.Clock()
	out := time.Date(y, time.Month(months+1), d, hh, mm, ss, t.Nanosecond(), t.Location())
	return out.AddDate(0, 0, sign*p.Days)
}

func daysInMonth(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// today is the date of now in Helsinki, at midnight Helsinki time.
func today(now time.Time) time.Time {
	y, m, d := now.In(Helsinki).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, Helsinki)
}

// ParseDateBound evaluates a dateMin or dateMax of a definition: "today",
// "today+P14D", "today-P18Y" (relative to the date of now in Helsinki) or a
// fixed date "2027-01-01". The result is that date at midnight in Helsinki.
func ParseDateBound(s string, now time.Time) (time.Time, error) {
	if rest, ok := strings.CutPrefix(s, "today"); ok {
		t := today(now)
		if rest == "" {
			return t, nil
		}
		sign := 1
		switch rest[0] {
		case '+':
		case '-':
			sign = -1
		default:
			return time.Time{}, fmt.Errorf("%q: after \"today\" comes +P… or -P…", s)
		}
		p, err := ParsePeriod(rest[1:])
		if err != nil {
			return time.Time{}, fmt.Errorf("%q: %w", s, err)
		}
		return p.AddTo(t, sign), nil
	}
	t, err := ParseDate(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither \"today\", \"today+P…\", \"today-P…\" nor a date YYYY-MM-DD", s)
	}
	return t, nil
}

var errDate = errors.New("not a date YYYY-MM-DD")

// ParseDate parses a date value "YYYY-MM-DD" (a real calendar date, year
// 1000–9999) to midnight of that date in Helsinki.
func ParseDate(s string) (time.Time, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' || s[0] == '0' {
		return time.Time{}, errDate
	}
	for i := 0; i < len(s); i++ {
		if i != 4 && i != 7 && (s[i] < '0' || s[i] > '9') {
			return time.Time{}, errDate
		}
	}
	t, err := time.ParseInLocation(time.DateOnly, s, Helsinki)
	if err != nil {
		return time.Time{}, errDate
	}
	return t, nil
}

// RetainUntil is the date until which a value given at from is kept under
// the field's retention period.
func (f *Field) RetainUntil(from time.Time) (time.Time, error) {
	p, err := ParsePeriod(f.Retention)
	if err != nil {
		return time.Time{}, err
	}
	return p.AddTo(today(from), 1), nil
}
