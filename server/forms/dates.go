package forms

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"asiointi/server/datefmt"
)

// today is the date of now in Helsinki, at midnight Helsinki time.
func today(now time.Time) time.Time {
	y, m, d := now.In(datefmt.Helsinki()).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, datefmt.Helsinki())
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
		p, err := datefmt.ParsePeriod(rest[1:])
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
	t, err := time.ParseInLocation(time.DateOnly, s, datefmt.Helsinki())
	if err != nil {
		return time.Time{}, errDate
	}
	return t, nil
}

// RetainUntil is the date until which a value given at from is kept under
// the field's retention period.
func (f *Field) RetainUntil(from time.Time) (time.Time, error) {
	p, err := datefmt.ParsePeriod(f.Retention)
	if err != nil {
		return time.Time{}, err
	}
	return p.AddTo(today(from), 1), nil
}
