package reports

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// Figures checked by hand.
func TestStatistics(t *testing.T) {
	xs := []float64{7, 1, 3, 9, 5} // sorted 1 3 5 7 9
	if m := Median(xs); m != 5 {
		t.Errorf("median %g", m)
	}
	if m := Median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("even median %g", m)
	}
	// p90 of 1 3 5 7 9: rank 0.9·4 = 3.6 → 7 + 0.6·2 = 8.2
	if p := Percentile(xs, 90); !near(p, 8.2) {
		t.Errorf("p90 %g", p)
	}
	if p := Percentile(xs, 0); p != 1 {
		t.Errorf("p0 %g", p)
	}
	if p := Percentile([]float64{42}, 90); p != 42 {
		t.Errorf("p90 of one %g", p)
	}
	if !math.IsNaN(Median(nil)) || !math.IsNaN(MAD(nil)) {
		t.Error("no data is not a number")
	}
	// |x-5| = 4 2 0 2 4 → median 2
	if m := MAD(xs); m != 2 {
		t.Errorf("MAD %g", m)
	}
	if xs[0] != 7 {
		t.Error("the input was sorted in place")
	}
}

func TestUsualRangeAndSpikes(t *testing.T) {
	weeks := []float64{10, 12, 11, 9, 10, 13, 11, 10, 12, 11, 10, 9}
	// median 10.5; deviations .5 ×7, 1.5 ×4, 2.5 → MAD .5; 3·1.4826·.5 = 2.22 < 3: 10.5 ± 3
	spike, rg := DefaultRule.Spike(weeks, 30)
	if !spike || rg.Low != 7.5 || rg.High != 13.5 {
		t.Errorf("30 after ~10 a week: %v %+v", spike, rg)
	}
	if s, _ := DefaultRule.Spike(weeks, 13); s {
		t.Error("13 is within the usual range")
	}
	if s, _ := DefaultRule.Spike(weeks, 14); !s {
		t.Error("14 is outside the usual range")
	}
	wide := []float64{10, 20, 12, 18, 15, 11, 19, 14, 16, 13, 17, 15} // median 15, MAD 2.5 → ± 11.12
	if _, rg := DefaultRule.Spike(wide, 15); !near(rg.High-rg.Median, 3*1.4826*2.5) {
		t.Errorf("wide: %+v", rg)
	}
	if s, _ := DefaultRule.Spike(weeks, 5); !s {
		t.Error("5 is a drop outside the range")
	}
	flat := []float64{2, 2, 2, 2, 2, 2}
	if s, rg := DefaultRule.Spike(flat, 4); s || rg.High != 5 {
		t.Errorf("a quiet service moving by 2: %v %+v", s, rg)
	}
	if s, _ := DefaultRule.Spike([]float64{1, 1, 1}, 50); s {
		t.Error("three weeks of history flag nothing")
	}
	long := append(make([]float64, 40), weeks...) // only the last 12 count
	if s, _ := DefaultRule.Spike(long, 13); s {
		t.Error("older weeks were used")
	}
}

func TestFarAbove(t *testing.T) {
	if got := FarAbove([]float64{10, 12, 11, 40, 9}, 3, 5); len(got) != 1 || got[0] != 3 {
		t.Errorf("%v", got)
	}
	if got := FarAbove([]float64{10, 12, 11, 14, 9}, 3, 5); len(got) != 0 {
		t.Errorf("no outlier: %v", got)
	}
	if got := FarAbove([]float64{1, 50}, 3, 5); got != nil {
		t.Errorf("two queues are not compared: %v", got)
	}
}

func TestSmallNumbers(t *testing.T) {
	for n, want := range map[int]Cell{0: {N: 0}, 1: {Suppressed: true}, 4: {Suppressed: true}, 5: {N: 5}, 120: {N: 120}} {
		if got := Protect(n); got != want {
			t.Errorf("%d: %+v", n, got)
		}
	}
	if !SinglesOut(1) || !SinglesOut(4) || SinglesOut(0) || SinglesOut(5) {
		t.Error("singling out")
	}
	if s := Count(3).String(false); s != "< 5" {
		t.Errorf("%q", s)
	}
}

func TestWeeks(t *testing.T) {
	hel, _ := time.LoadLocation("Europe/Helsinki")
	// Sunday 29.3.2026 23:30 Helsinki (the DST change day, UTC+3 by then) is in the week of Monday 23.3.
	sun := time.Date(2026, 3, 29, 20, 30, 0, 0, time.UTC)
	if w := Week(sun, hel); w.Format(time.DateOnly) != "2026-03-23" || w.Location() != hel {
		t.Errorf("week %v", w)
	}
	// Monday 00:30 Helsinki is Sunday 22:30 UTC: the new week.
	mon := time.Date(2026, 11, 22, 22, 30, 0, 0, time.UTC)
	if w := Week(mon, hel); w.Format(time.DateOnly) != "2026-11-23" {
		t.Errorf("monday %v", w)
	}
	if m := Month(mon, hel); m.Format(time.DateOnly) != "2026-11-01" {
		t.Errorf("month %v", m)
	}
	if c := Compare(15, 10); c.Percent != 50 || !math.IsNaN(Compare(3, 0).Percent) {
		t.Errorf("%+v", c)
	}
}

func TestChartIsAccessibleSVG(t *testing.T) {
	c := Chart{ID: "inflow", Title: "Saapuneet viikoittain", Desc: "Hakemuksia viikoittain <12 viikkoa>",
		Bars:   []Bar{{Label: "vk 46", Value: 12, Text: "12"}, {Label: "vk 47", Value: 0, Text: "< 5", Series: 1}, {Label: "vk 48 & \"x\"", Value: 30, Text: "30", Series: 1}},
		Legend: []string{"2026", "2025"}}
	svg := string(c.SVG())
	if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
		t.Fatalf("not well-formed: %v\n%s", err, svg)
	}
	for _, want := range []string{`role="img"`, `aria-labelledby="inflow-title inflow-desc"`, `<title id="inflow-title">Saapuneet viikoittain</title>`,
		`&lt;12 viikkoa&gt;`, `>vk 48 &amp; &#34;x&#34;<`, `>&lt; 5<`, `fill="url(#inflow-s1)"`, `<pattern id="inflow-s1"`, `>2025<`} {
		if !strings.Contains(svg, want) {
			t.Errorf("chart lacks %s", want)
		}
	}
	if n := strings.Count(svg, "<rect x=\"0\" y="); n != 2+2 { // two bars with a length, two legend keys
		t.Errorf("%d rects", n)
	}
}

func table() Table {
	return Table{Title: "Tilanne: palveluittain", Headers: []string{"Palvelu", "Avoinna", "Mediaani (pv)"}, Rows: [][]Value{
		{Txt("Varhaiskasvatus"), Count(120), Num(3.5)},
		{Txt("Kotipalvelu"), Count(2), Num(12.25)},
		{Txt("Liikuntavuorot; \"sali\""), Count(0), Num(0)},
	}}
}

func TestCSV(t *testing.T) {
	for _, tc := range []struct {
		sep   rune
		three string
	}{{',', "3.5"}, {';', "3,5"}} {
		var b bytes.Buffer
		if err := WriteCSV(&b, table(), tc.sep); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b.Bytes(), []byte("\ufeff")) {
			t.Error("no byte-order mark")
		}
		r := csv.NewReader(bytes.NewReader(b.Bytes()[3:]))
		r.Comma = tc.sep
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 4 || rows[1][0] != "Varhaiskasvatus" || rows[1][1] != "120" || rows[1][2] != tc.three ||
			rows[2][1] != "< 5" || rows[3][0] != `Liikuntavuorot; "sali"` {
			t.Errorf("%q: %q", tc.sep, rows)
		}
	}
}

func TestXLSXReadsBack(t *testing.T) {
	var b bytes.Buffer
	if err := WriteXLSX(&b, table()); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	if sheet != "Tilanne  palveluittain" {
		t.Errorf("sheet %q", sheet)
	}
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || rows[0][2] != "Mediaani (pv)" || rows[1][1] != "120" || rows[1][2] != "3.5" || rows[2][1] != "< 5" || rows[2][2] != "12.25" {
		t.Errorf("%q", rows)
	}
	if typ, _ := f.GetCellType(sheet, "B2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("B2 is %v, not a number", typ)
	}
}
