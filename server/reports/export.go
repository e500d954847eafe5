package reports

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// Table is a report's figures as rows: the same table the page shows
// beside its chart, and the downloads.
type Table struct {
	Title   string
	Headers []string
	Rows    [][]Value
}

// Value is one cell: a number, a text, or a suppressed count.
type Value struct {
	Text       string
	Number     float64
	IsNumber   bool
	Suppressed bool // fewer than MinCell persons
}

// Num, Txt and Count make Values.
func Num(f float64) Value { return Value{Number: f, IsNumber: true} }
func Txt(s string) Value  { return Value{Text: s} }

// Count is a number of persons, protected (see Protect).
func Count(n int) Value {
	if c := Protect(n); c.Suppressed {
		return Value{Suppressed: true}
	}
	return Num(float64(n))
}

// String is the value as a CSV cell: numbers with a decimal comma when
// comma is true (Finnish and Swedish Excel), suppressed counts as "< 5".
func (v Value) String(comma bool) string {
	switch {
	case v.Suppressed:
		return fmt.Sprintf("< %d", MinCell)
	case v.IsNumber:
		s := fmt.Sprintf("%g", v.Number)
		if comma {
			b := []byte(s)
			for i := range b {
				if b[i] == '.' {
					b[i] = ','
				}
			}
			s = string(b)
		}
		return s
	}
	return v.Text
}

// WriteCSV writes t as UTF-8 CSV with a byte-order mark, so that Excel
// reads ä and ö right. sep is ',' (with decimal points) or ';' (with
// decimal commas: the variant Finnish and Swedish Excel opens directly).
func WriteCSV(w io.Writer, t Table, sep rune) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("\ufeff")
	cw := csv.NewWriter(bw)
	cw.Comma = sep
	cw.UseCRLF = true
	if err := cw.Write(t.Headers); err != nil {
		return err
	}
	row := make([]string, len(t.Headers))
	for _, r := range t.Rows {
		row = row[:0]
		for _, v := range r {
			row = append(row, v.String(sep == ';'))
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteXLSX writes t as an Excel workbook of one sheet: numbers as
// numbers, suppressed counts as the text "< 5", the header row bold and
// frozen.
func WriteXLSX(w io.Writer, t Table) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Sheet1"
	if t.Title != "" {
		name := []rune(t.Title)
		if len(name) > 31 { // Excel's limit for a sheet name
			name = name[:31]
		}
		if err := f.SetSheetName(sheet, sanitizeSheet(string(name))); err != nil {
			return err
		}
		sheet = sanitizeSheet(string(name))
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	for i, h := range t.Headers {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		f.SetCellValue(sheet, cell, h)
		f.SetCellStyle(sheet, cell, cell, bold)
	}
	for r, row := range t.Rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+2)
			var err error
			switch {
			case v.Suppressed:
				err = f.SetCellStr(sheet, cell, v.String(false))
			case v.IsNumber:
				err = f.SetCellFloat(sheet, cell, v.Number, -1, 64)
			default:
				err = f.SetCellStr(sheet, cell, v.Text)
			}
			if err != nil {
				return err
			}
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}

// sanitizeSheet drops the characters Excel refuses in a sheet name.
func sanitizeSheet(s string) string {
	out := []rune{}
	for _, r := range s {
		switch r {
		case ':', '\\', '/', '?', '*', '[', ']':
			r = ' '
		}
		out = append(out, r)
	}
	return string(out)
}
