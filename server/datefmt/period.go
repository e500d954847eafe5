package datefmt

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Period is an ISO-8601 duration in whole years, months and days, such as
// P2Y, P6M, P14D or P1Y6M: the retention periods of the catalogue and of
// form fields, and the relative date bounds of form fields.
type Period struct{ Years, Months, Days int }

// ParsePeriod parses "PnYnMnD" where each part is optional but at least one
// is present and they come in that order, each of at most 9999. Weeks and
// times are not used: periods are counted in calendar terms.
func ParsePeriod(s string) (Period, error) {
	rest, ok := strings.CutPrefix(s, "P")
	if !ok || rest == "" {
		return Period{}, badPeriod(s)
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
			return Period{}, badPeriod(s)
		}
		*unit.dst = n
		rest = rest[i+1:]
	}
	if rest != "" {
		return Period{}, badPeriod(s)
	}
	return p, nil
}

// badPeriod is ParsePeriod's error, made only for a bad period: every
// submit parses the retention of its answers (issue 9).
func badPeriod(s string) error {
	return fmt.Errorf("%q is not an ISO-8601 period such as P2Y, P6M or P14D", s)
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
