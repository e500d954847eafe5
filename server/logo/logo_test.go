package logo_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"strings"
	"testing"

	"asiointi/server/logo"
	"asiointi/server/population"
)

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA64(image.Rect(0, 0, w, h)) // 16 bits a channel: the PDF library reads only 8
	img.Set(1, 1, color.RGBA64{R: 0xffff, A: 0xffff})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const svgOpen = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 20">`

// TestParse: the shipped logos and a PNG are accepted with their type;
// every refusal says why (type, size, anything active or outside in an
// SVG, what the receipt cannot draw).
func TestParse(t *testing.T) {
	for _, path := range []string{"../population/demo-logo.svg", "../../deploy/kuusimaki-logo.svg"} {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if l, err := logo.Parse(raw); err != nil || l.Type != logo.SVG {
			t.Errorf("%s: %v %v", path, l.Type, err)
		}
	}
	if l, err := logo.Parse(pngOf(t, 120, 40)); err != nil || l.Type != logo.PNG {
		t.Errorf("a PNG: %v %v", l.Type, err)
	}
	if l, err := logo.Parse([]byte(svgOpen + `<rect width="40" height="20" fill="#123456" style="fill: url(#g)"/><path d="M0 0h4v4z"/></svg>`)); err != nil || l.Type != logo.SVG {
		t.Errorf("shapes and an own reference: %v", err)
	}
	big := []byte(svgOpen + "<!--" + strings.Repeat("x", logo.MaxBytes) + "--></svg>")
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "empty"},
		{"too big", big, "a logo may be at most 64 KiB"},
		{"a JPEG", []byte("\xff\xd8\xff\xe0\x00\x10JFIF"), "not an SVG or PNG file"},
		{"HTML", []byte(`<html><body>hi</body></html>`), "not an SVG or PNG file"},
		{"text", []byte("a logo"), "not an SVG or PNG file"},
		{"a broken PNG", append([]byte("\x89PNG\r\n\x1a\n"), "garbage"...), "not a readable PNG"},
		{"a tiny PNG", pngOf(t, 16, 16), "16 × 16 pixels"},
		{"a huge PNG", pngOf(t, 4000, 40), "4000 × 40 pixels"},
		{"script", []byte(svgOpen + `<script>alert(1)</script></svg>`), "<script>"},
		{"script in a group", []byte(svgOpen + `<g><SCRIPT href="x.js"/></g></svg>`), "<SCRIPT>"},
		{"event handler", []byte(svgOpen + `<rect width="4" height="4" onclick="alert(1)"/></svg>`), "event handler (the attribute onclick of <rect>)"},
		{"onload on the root", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4" onload="alert(1)"></svg>`), "event handler"},
		{"foreignObject", []byte(svgOpen + `<foreignObject><p>x</p></foreignObject></svg>`), "<foreignObject>"},
		{"a link", []byte(svgOpen + `<a href="javascript:alert(1)"><rect width="4" height="4"/></a></svg>`), "<a>"},
		{"use of an outside file", []byte(svgOpen + `<use href="https://example.com/x.svg#a"/></svg>`), "points outside the file"},
		{"xlink to javascript", []byte(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 4 4"><use xlink:href="javascript:alert(1)"/></svg>`), "points outside the file"},
		{"outside url in a style", []byte(svgOpen + `<rect width="4" height="4" style="fill: url( 'https://example.com/p.svg#x')"/></svg>`), "loads something outside the file"},
		{"style sheet import", []byte(svgOpen + `<style>@import "https://example.com/a.css";</style></svg>`), `"@import"`},
		{"animation", []byte(svgOpen + `<set attributeName="fill" to="red"/></svg>`), "<set>"},
		{"embedded image", []byte(svgOpen + `<image href="#a" width="4" height="4"/></svg>`), "<image>"},
		{"entity", []byte(`<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"></svg>`), "DOCTYPE or entity"},
		{"style sheet instruction", []byte(`<?xml-stylesheet href="https://example.com/a.css"?><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"></svg>`), "processing instruction"},
		{"no namespace", []byte(`<svg viewBox="0 0 4 4"><rect width="4" height="4"/></svg>`), "an SVG's root is"},
		{"not well-formed", []byte(svgOpen + `<rect width="4"></svg>`), "not well-formed"},
		{"text the receipt cannot draw", []byte(svgOpen + `<text x="1" y="10">Kunta</text></svg>`), "cannot be drawn on the PDF receipt"},
		{"no size", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><rect width="4" height="4"/></svg>`), "viewBox"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := logo.Parse(tc.data); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestRaster: an SVG is drawn in its proportions at RasterPixels on its
// longer side; a 16-bit PNG comes back as an 8-bit one of the same size.
func TestRaster(t *testing.T) {
	for _, tc := range []struct {
		name string
		logo population.Logo
		w, h int
	}{
		{"wide SVG", population.Logo{Type: logo.SVG, Data: []byte(svgOpen + `<rect width="40" height="20" fill="#123456"/></svg>`)}, logo.RasterPixels, logo.RasterPixels / 2},
		{"16-bit PNG", population.Logo{Type: logo.PNG, Data: pngOf(t, 120, 40)}, 120, 40},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := logo.Raster(tc.logo)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			// IHDR: bit depth at byte 24, interlace method at 28.
			if b := img.Bounds(); b.Dx() != tc.w || b.Dy() != tc.h || raw[24] != 8 || raw[28] != 0 {
				t.Errorf("%v, depth %d, interlace %d; want %d × %d, 8-bit, not interlaced", b, raw[24], raw[28], tc.w, tc.h)
			}
		})
	}
	if _, err := logo.Raster(population.Logo{Type: "image/gif"}); err == nil {
		t.Error("an unknown type was drawn")
	}
}
