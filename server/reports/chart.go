package reports

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
)

// Bar is one bar of a chart.
type Bar struct {
	Label  string  // the category ("Varhaiskasvatus", "vk 47")
	Value  float64 // its length; a suppressed cell draws nothing
	Text   string  // the value as shown ("12", "< 5", "3,5 pv")
	Series int     // 0, 1, 2: which fill (colour and pattern) it gets
}

// Chart is a horizontal bar chart drawn as SVG on the server: readable at
// 360 px (one bar per row, label above it, value after it), with a title
// and a description for screen readers, text labels on every bar, and a
// pattern as well as a colour for each series so that it prints and
// reads without colour. The page shows the same figures as a table
// beside it.
type Chart struct {
	ID, Title, Desc string
	Bars            []Bar
	Legend          []string // series names, when there is more than one
}

const (
	chartWidth = 320.0
	rowHeight  = 34.0
	barHeight  = 14.0
	labelSize  = 11.0
)

// Fills is the number of fills (colour and pattern) a chart tells apart;
// bars of further series reuse them.
const Fills = 3

var seriesFill = [Fills]struct{ colour, pattern string }{
	{"#0b4f8a", ""},
	{"#8a3b00", `<path d="M0 8L8 0M-2 2L2 -2M6 10L10 6" stroke="#fff" stroke-width="2"/>`},
	{"#1d6b3a", `<circle cx="4" cy="4" r="1.6" fill="#fff"/>`},
}

// SVG draws the chart.
func (c Chart) SVG() template.HTML {
	e := html.EscapeString
	max := 0.0
	for _, b := range c.Bars {
		max = math.Max(max, b.Value)
	}
	legendRows := 0
	if len(c.Legend) > 1 {
		legendRows = len(c.Legend)
	}
	height := float64(len(c.Bars))*rowHeight + float64(legendRows)*18 + 8
	var s strings.Builder
	fmt.Fprintf(&s, `<svg class="chart" role="img" aria-labelledby="%[1]s-title %[1]s-desc" viewBox="0 0 %[2]g %[3]g" width="100%%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">`,
		e(c.ID), chartWidth, height)
	fmt.Fprintf(&s, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc><defs>`, e(c.ID), e(c.Title), e(c.ID), e(c.Desc))
	for i, f := range seriesFill {
		fmt.Fprintf(&s, `<pattern id="%s-s%d" width="8" height="8" patternUnits="userSpaceOnUse"><rect width="8" height="8" fill="%s"/>%s</pattern>`,
			e(c.ID), i, f.colour, f.pattern)
	}
	s.WriteString(`</defs>`)
	y := 4.0
	for i, name := range c.Legend {
		if legendRows == 0 {
			break
		}
		fmt.Fprintf(&s, `<rect x="0" y="%g" width="12" height="12" fill="url(#%s-s%d)" stroke="#1b1f24" stroke-width=".5"/><text x="18" y="%g" font-size="%g">%s</text>`,
			y, e(c.ID), i%len(seriesFill), y+10, labelSize, e(name))
		y += 18
	}
	valueRoom := 44.0
	for _, b := range c.Bars {
		w := 0.0
		if max > 0 {
			w = b.Value / max * (chartWidth - valueRoom)
		}
		fmt.Fprintf(&s, `<g><text x="0" y="%g" font-size="%g" fill="#1b1f24">%s</text>`, y+labelSize, labelSize, e(b.Label))
		by := y + labelSize + 4
		if w > 0 {
			fmt.Fprintf(&s, `<rect x="0" y="%g" width="%.1f" height="%g" fill="url(#%s-s%d)" stroke="#1b1f24" stroke-width=".5"/>`,
				by, w, barHeight, e(c.ID), b.Series%len(seriesFill))
		}
		fmt.Fprintf(&s, `<text x="%.1f" y="%g" font-size="%g" fill="#1b1f24">%s</text></g>`, w+4, by+barHeight-3, labelSize, e(b.Text))
		y += rowHeight
	}
	s.WriteString(`</svg>`)
	return template.HTML(s.String()) // every text above is escaped
}
