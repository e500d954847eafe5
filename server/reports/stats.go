// Package reports turns case figures into what managers read: the
// statistics (medians, percentiles, the usual range of a weekly count),
// the small-number protection that keeps a report from pointing at a
// person, accessible SVG charts with their data tables, and CSV and XLSX
// downloads. What the figures are computed from (the case events and
// their maintained aggregates) feeds these functions; nothing here reads
// the store.
package reports

import (
	"math"
	"slices"
	"time"
)

// Median is the middle value of xs (the mean of the two middle ones for
// an even count); NaN for none.
func Median(xs []float64) float64 { return Percentile(xs, 50) }

// Percentile is the p-th percentile of xs by linear interpolation between
// closest ranks (the method spreadsheets call PERCENTILE.INC): 0 is the
// smallest, 100 the largest. NaN for none.
func Percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if p <= 0 {
		return s[0]
	}
	if p >= 100 {
		return s[len(s)-1]
	}
	r := p / 100 * float64(len(s)-1)
	lo := int(math.Floor(r))
	frac := r - float64(lo)
	if lo+1 >= len(s) {
		return s[lo]
	}
	return s[lo] + frac*(s[lo+1]-s[lo])
}

// MAD is the median absolute deviation from the median.
func MAD(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	m := Median(xs)
	dev := make([]float64, len(xs))
	for i, x := range xs {
		dev[i] = math.Abs(x - m)
	}
	return Median(dev)
}

// UsualRange is the range a weekly figure normally falls in, from its
// history: the median ± k·MAD·1.4826 (the factor makes the MAD estimate a
// standard deviation for normally distributed counts), and never
// narrower than ± minSpread, so that a quiet service with identical weeks
// does not flag every change of one. With k = 3 about one week in 370 of
// an unchanging service is flagged by chance.
type UsualRange struct{ Low, High, Median float64 }

// RangeOf computes the usual range of history with k MADs.
func RangeOf(history []float64, k, minSpread float64) UsualRange {
	m := Median(history)
	spread := math.Max(k*1.4826*MAD(history), minSpread)
	return UsualRange{Low: math.Max(0, m-spread), High: m + spread, Median: m}
}

// Outside reports whether x falls outside the range.
func (r UsualRange) Outside(x float64) bool { return x < r.Low || x > r.High }

// DeviationRule is how the deviations report finds an inflow spike: the
// last Weeks weeks before the one looked at, K MADs either side, at least
// MinSpread cases wide.
type DeviationRule struct {
	Weeks     int
	K         float64
	MinSpread float64
}

// DefaultRule: 12 weeks, 3 MADs, at least 3 cases either side.
var DefaultRule = DeviationRule{Weeks: 12, K: 3, MinSpread: 3}

// Spike tells whether the count of the week after weekly (oldest first)
// is outside the usual range of the rule's last weeks, and that range.
// Fewer than four weeks of history flag nothing.
func (r DeviationRule) Spike(weekly []float64, week float64) (bool, UsualRange) {
	h := weekly
	if len(h) > r.Weeks {
		h = h[len(h)-r.Weeks:]
	}
	if len(h) < 4 {
		return false, UsualRange{}
	}
	rg := RangeOf(h, r.K, r.MinSpread)
	return rg.Outside(week), rg
}

// FarAbove lists the indexes of queues far above the others: more than
// k MADs (and more than minExcess) above the median of all of them.
func FarAbove(queues []float64, k, minExcess float64) []int {
	if len(queues) < 3 {
		return nil
	}
	m, mad := Median(queues), MAD(queues)
	var out []int
	for i, q := range queues {
		if q-m > math.Max(k*1.4826*mad, minExcess) {
			out = append(out, i)
		}
	}
	return out
}

// MinCell is the smallest count a report shows as a number: fewer persons
// than this show as "< 5", so that a small cell does not point at a person
// (the practice of Statistics Finland and THL).
const MinCell = 5

// Cell is one count in a report table.
type Cell struct {
	N          int
	Suppressed bool // fewer than MinCell persons: shown as "< 5"
}

// Protect makes the cell of n persons.
func Protect(n int) Cell {
	if n > 0 && n < MinCell {
		return Cell{Suppressed: true}
	}
	return Cell{N: n}
}

// SinglesOut reports whether a selection of persons is so small that
// listing its figures would point at someone: a filter combination that
// leaves fewer than MinCell persons is refused, not shown.
func SinglesOut(persons int) bool { return persons > 0 && persons < MinCell }

// Week is the Monday (Europe/Helsinki) starting the ISO week of t.
func Week(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	wd := int(d.Weekday()+6) % 7 // Monday 0
	return d.AddDate(0, 0, -wd)
}

// Month is the first day of t's month in loc.
func Month(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc)
}

// Change is a figure compared with an earlier one.
type Change struct {
	Now, Before float64
	Percent     float64 // (Now-Before)/Before·100; NaN when Before is 0
}

// Compare makes a Change.
func Compare(now, before float64) Change {
	c := Change{Now: now, Before: before, Percent: math.NaN()}
	if before != 0 {
		c.Percent = (now - before) / before * 100
	}
	return c
}

// PercentileOfCounts is Percentile of the values of a histogram (value →
// how many times it occurs) without expanding it: the same
// PERCENTILE.INC interpolation between closest ranks.
func PercentileOfCounts(counts map[int]int, p float64) float64 {
	n := 0
	values := make([]int, 0, len(counts))
	for v, c := range counts {
		if c > 0 {
			values = append(values, v)
			n += c
		}
	}
	if n == 0 {
		return math.NaN()
	}
	slices.Sort(values)
	r := math.Min(math.Max(p, 0), 100) / 100 * float64(n-1)
	lo := int(math.Floor(r))
	at := func(rank int) float64 { // the value of the rank-th smallest
		for _, v := range values {
			if rank < counts[v] {
				return float64(v)
			}
			rank -= counts[v]
		}
		return float64(values[len(values)-1])
	}
	a := at(lo)
	if lo+1 >= n {
		return a
	}
	return a + (r-float64(lo))*(at(lo+1)-a)
}
