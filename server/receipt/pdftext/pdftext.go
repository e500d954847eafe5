// Package pdftext reads back what a PDF made by package receipt shows, so
// that tests can check a receipt's content without a PDF library: the
// text operands of its content streams (Windows-1252, as receipt writes
// them) and its object dictionaries (for metadata such as /Lang).
package pdftext

import (
	"bytes"
	"compress/zlib"
	"errors"
	"io"
	"regexp"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

var tj = regexp.MustCompile(`\(((?:[^()\\]|\\.)*)\) ?Tj`)

// Read returns the strings the PDF shows, one a line, and the text of its
// objects outside streams.
func Read(pdf []byte) (shown, objects string, err error) {
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || !bytes.Contains(pdf[max(0, len(pdf)-32):], []byte("%%EOF")) {
		return "", "", errors.New("pdftext: not a whole PDF")
	}
	var out, obj strings.Builder
	rest := pdf
	for {
		i := bytes.Index(rest, []byte("stream\n"))
		if i < 0 {
			obj.Write(rest)
			break
		}
		obj.Write(rest[:i])
		rest = rest[i+len("stream\n"):]
		j := bytes.Index(rest, []byte("endstream"))
		if j < 0 {
			return "", "", errors.New("pdftext: a stream without its end")
		}
		data := rest[:j]
		rest = rest[j+len("endstream"):]
		zr, err := zlib.NewReader(bytes.NewReader(data))
		if err != nil {
			continue // not compressed text: an image
		}
		plain, err := io.ReadAll(zr)
		if err != nil {
			continue
		}
		for _, m := range tj.FindAllSubmatch(plain, -1) {
			s := strings.NewReplacer(`\\`, `\`, `\(`, `(`, `\)`, `)`).Replace(string(m[1]))
			u, err := charmap.Windows1252.NewDecoder().String(s)
			if err != nil {
				return "", "", err
			}
			out.WriteString(u)
			out.WriteString("\n")
		}
	}
	return out.String(), obj.String(), nil
}
