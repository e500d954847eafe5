// Package receipt renders the receipt of a sent application as a PDF that
// a resident can keep: the municipality's letterhead (logo, name, contact
// details), what was sent, its reference and time, who it was for and who
// sent it, and every answer with its label, all in the resident's
// language, with the document's language in its metadata.
//
// The caller words everything (labels, dates in Helsinki time); this
// package only lays it out. The text uses the PDF core fonts with the
// Windows-1252 encoding, which covers Finnish, Swedish and English.
package receipt

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
)

// Receipt is what a receipt shows, already worded in Lang.
type Receipt struct {
	Lang string // fi, sv or en: the document's language
	// Letterhead.
	Municipality string // "Esimerkkilän kunta"
	Contact      string // address, phone and e-mail on one line
	Logo         []byte // a PNG, optional (package logo draws an SVG as one)
	// Heading and facts.
	Title   string // "Your application has been sent"
	Service string
	Facts   []Row // reference, status, time sent, applicant, sender
	// Sections are the answers step by step.
	Sections         []Section
	AttachmentsTitle string
	Attachments      []string
	Footer           string // e.g. where to follow the application
	// Created is the document's creation time (the time sent).
	Created time.Time
}

// Section is one step's answers.
type Section struct {
	Title string
	Rows  []Row
}

// Row is one label and its value; Indent > 0 for the items of a group.
type Row struct {
	Label, Value string
	Indent       int
}

// Layout in millimetres on A4.
const (
	margin    = 20.0
	logoSize  = 18.0 // the logo's height
	logoMaxW  = 45.0 // a wide logo's width at most
	lineH     = 5.5
	labelW    = 55.0
	indentW   = 6.0
	fontBody  = 10.5
	fontSmall = 9.0
)

// PDF renders the receipt.
func PDF(r *Receipt) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(true, margin)
	pdf.SetLang(r.Lang)
	pdf.SetTitle(strings.TrimSpace(r.Title+" – "+r.Service), true)
	pdf.SetAuthor(r.Municipality, true)
	pdf.SetCreator("Asiointi", true)
	if !r.Created.IsZero() {
		pdf.SetCreationDate(r.Created)
		pdf.SetModificationDate(r.Created)
	}
	tr := pdf.UnicodeTranslatorFromDescriptor("") // cp1252
	pageW, _ := pdf.GetPageSize()
	textW := pageW - 2*margin
	pdf.SetFooterFunc(func() {
		pdf.SetY(-margin + 5)
		pdf.SetFont("Helvetica", "", fontSmall)
		pdf.SetTextColor(80, 80, 80)
		pdf.CellFormat(textW, 4, tr(r.Municipality), "", 0, "L", false, 0, "")
		pdf.CellFormat(0, 4, fmt.Sprintf("%d", pdf.PageNo()), "", 0, "R", false, 0, "")
	})
	pdf.AddPage()

	// Letterhead: logo, municipality name, contact line, rule.
	x, logoH := margin, 0.0
	if len(r.Logo) > 0 {
		opt := fpdf.ImageOptions{ImageType: "PNG", ReadDpi: false}
		info := pdf.RegisterImageOptionsReader("logo", opt, bytes.NewReader(r.Logo))
		if err := pdf.Error(); err != nil {
			return nil, fmt.Errorf("receipt: logo: %w", err)
		}
		// At most logoSize high and logoMaxW wide, in its own proportions.
		w, h := info.Width(), info.Height()
		logoH = logoSize
		logoW := logoSize * w / h
		if logoW > logoMaxW {
			logoW, logoH = logoMaxW, logoMaxW*h/w
		}
		pdf.ImageOptions("logo", margin, margin, logoW, logoH, false, opt, 0, "")
		x += logoW + 4
	}
	pdf.SetXY(x, margin+1)
	pdf.SetFont("Helvetica", "B", 15)
	pdf.CellFormat(0, 8, tr(r.Municipality), "", 2, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", fontSmall)
	pdf.SetTextColor(60, 60, 60)
	pdf.MultiCell(pageW-margin-x, 4.5, tr(r.Contact), "", "L", false)
	pdf.SetTextColor(0, 0, 0)
	y := max(pdf.GetY(), margin+logoH) + 3
	pdf.Line(margin, y, pageW-margin, y)
	pdf.SetXY(margin, y+6)

	// Heading.
	pdf.SetFont("Helvetica", "B", 17)
	pdf.MultiCell(textW, 8, tr(r.Title), "", "L", false)
	pdf.SetFont("Helvetica", "", 13)
	pdf.MultiCell(textW, 7, tr(r.Service), "", "L", false)
	pdf.Ln(3)
	for _, f := range r.Facts {
		row(pdf, tr, f, textW)
	}

	for _, s := range r.Sections {
		pdf.Ln(4)
		pdf.SetFont("Helvetica", "B", 12)
		pdf.MultiCell(textW, 7, tr(s.Title), "B", "L", false)
		pdf.Ln(1)
		for _, x := range s.Rows {
			row(pdf, tr, x, textW)
		}
	}
	if len(r.Attachments) > 0 {
		pdf.Ln(4)
		pdf.SetFont("Helvetica", "B", 12)
		pdf.MultiCell(textW, 7, tr(r.AttachmentsTitle), "B", "L", false)
		pdf.Ln(1)
		pdf.SetFont("Helvetica", "", fontBody)
		for _, a := range r.Attachments {
			pdf.MultiCell(textW, lineH, tr("• "+a), "", "L", false)
		}
	}
	if r.Footer != "" {
		pdf.Ln(6)
		pdf.SetFont("Helvetica", "", fontSmall)
		pdf.MultiCell(textW, 4.5, tr(r.Footer), "", "L", false)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("receipt: %w", err)
	}
	return buf.Bytes(), nil
}

// row writes a label and its value side by side, the value wrapping in
// its column; a long row moves to the next page whole when it can.
func row(pdf *fpdf.Fpdf, tr func(string) string, r Row, textW float64) {
	indent := float64(r.Indent) * indentW
	left := margin + indent
	lw := labelW - indent
	pdf.SetFont("Helvetica", "B", fontBody)
	labelLines := pdf.SplitLines([]byte(tr(r.Label)), lw-2)
	pdf.SetFont("Helvetica", "", fontBody)
	value := r.Value
	if value == "" {
		value = "–"
	}
	valueLines := pdf.SplitLines([]byte(tr(value)), textW-labelW)
	h := float64(max(len(labelLines), len(valueLines))) * lineH
	_, pageH := pdf.GetPageSize()
	if pdf.GetY()+h > pageH-margin && h < pageH-2*margin {
		pdf.AddPage()
	}
	y := pdf.GetY()
	pdf.SetXY(left, y)
	pdf.SetFont("Helvetica", "B", fontBody)
	pdf.MultiCell(lw-2, lineH, tr(r.Label), "", "L", false)
	ly := pdf.GetY()
	pdf.SetXY(margin+labelW, y)
	pdf.SetFont("Helvetica", "", fontBody)
	pdf.MultiCell(textW-labelW, lineH, tr(value), "", "L", false)
	pdf.SetXY(margin, max(ly, pdf.GetY())+1)
}
