// Package logo checks a municipality's logo (an SVG or PNG file given to
// `asiointi import-municipality`) and draws it as a PNG for the PDF
// receipt, which cannot show SVG.
//
// An SVG is served as it is and shown in an <img>, where scripts never
// run; opened directly it would be a document of the site, so Parse
// refuses anything active or outside in it: scripts, event handlers,
// embedded documents, animations, links out of the file, DOCTYPE and
// entity declarations. It must also draw: what the PDF receipt cannot draw
// (text, embedded images, style sheets) is refused, so that the printed
// logo is the one on the page.
package logo

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io"
	"strings"

	"github.com/srwiley/oksvg"
	"github.com/srwiley/rasterx"

	"asiointi/server/population"
)

// Types of logo.
const (
	SVG = "image/svg+xml"
	PNG = "image/png"
)

// Limits of a logo file.
const (
	MaxBytes  = 64 << 10 // a logo is small: it is in every page's header
	MinPixels = 32       // a PNG's shorter side at least
	MaxPixels = 2048     // a PNG's longer side at most
	// RasterPixels is the longer side of the PNG an SVG is drawn as for
	// the PDF receipt: 18 mm at about 300 dpi.
	RasterPixels = 256
)

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// Parse checks a logo file and tells its type from its content: a PNG or
// an SVG, at most MaxBytes, safe to serve and drawable.
func Parse(data []byte) (population.Logo, error) {
	switch {
	case len(data) == 0:
		return population.Logo{}, errors.New("the file is empty")
	case len(data) > MaxBytes:
		return population.Logo{}, fmt.Errorf("the file is %d KiB; a logo may be at most %d KiB", (len(data)+1023)/1024, MaxBytes/1024)
	case bytes.HasPrefix(data, pngSignature):
		cfg, err := png.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return population.Logo{}, fmt.Errorf("not a readable PNG: %w", err)
		}
		if w, h := cfg.Width, cfg.Height; min(w, h) < MinPixels || max(w, h) > MaxPixels {
			return population.Logo{}, fmt.Errorf("the PNG is %d × %d pixels; each side must be %d to %d", w, h, MinPixels, MaxPixels)
		}
		if _, err := png.Decode(bytes.NewReader(data)); err != nil {
			return population.Logo{}, fmt.Errorf("not a readable PNG: %w", err)
		}
		return population.Logo{Type: PNG, Data: bytes.Clone(data)}, nil
	}
	if err := checkSVG(data); err != nil {
		return population.Logo{}, err
	}
	if _, err := drawSVG(data, RasterPixels); err != nil {
		return population.Logo{}, err
	}
	return population.Logo{Type: SVG, Data: bytes.Clone(data)}, nil
}

// Extension is the file name extension of a logo's type.
func Extension(l population.Logo) string {
	if l.Type == PNG {
		return ".png"
	}
	return ".svg"
}

// Raster is the logo as a PNG the PDF library reads: an SVG drawn at
// RasterPixels on its longer side, a PNG again as 8-bit, non-interlaced
// (the PDF library reads no other kind).
func Raster(l population.Logo) ([]byte, error) {
	var img image.Image
	switch l.Type {
	case SVG:
		var err error
		if img, err = drawSVG(l.Data, RasterPixels); err != nil {
			return nil, err
		}
	case PNG:
		src, err := png.Decode(bytes.NewReader(l.Data))
		if err != nil {
			return nil, fmt.Errorf("logo: %w", err)
		}
		nrgba := image.NewNRGBA(src.Bounds())
		draw.Draw(nrgba, nrgba.Bounds(), src, src.Bounds().Min, draw.Src)
		img = nrgba
	default:
		return nil, fmt.Errorf("logo: unknown type %q", l.Type)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("logo: %w", err)
	}
	return b.Bytes(), nil
}

// drawSVG draws an SVG with px pixels on its longer side; an element it
// cannot draw is an error.
func drawSVG(data []byte, px int) (*image.NRGBA, error) {
	icon, err := oksvg.ReadIconStream(bytes.NewReader(data), oksvg.StrictErrorMode)
	if err != nil {
		return nil, fmt.Errorf("the SVG cannot be drawn on the PDF receipt (use shapes and paths, text as paths): %w", err)
	}
	vw, vh := icon.ViewBox.W, icon.ViewBox.H
	if vw <= 0 || vh <= 0 {
		return nil, errors.New("the SVG has no size: give its <svg> a viewBox")
	}
	w, h := px, px
	if vw > vh {
		h = max(1, int(float64(px)*vh/vw+0.5))
	} else {
		w = max(1, int(float64(px)*vw/vh+0.5))
	}
	icon.SetTarget(0, 0, float64(w), float64(h))
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	icon.Draw(rasterx.NewDasher(w, h, rasterx.NewScannerGV(w, h, img, img.Bounds())), 1)
	return img, nil
}

const svgNS = "http://www.w3.org/2000/svg"

// refusedElements run scripts, embed other documents or change the
// drawing after it is shown.
var refusedElements = map[string]bool{
	"script": true, "foreignobject": true, "iframe": true, "embed": true, "object": true,
	"handler": true, "listener": true, "animate": true, "set": true, "animatetransform": true,
	"animatemotion": true, "animatecolor": true, "discard": true, "image": true, "a": true,
}

// checkSVG refuses an SVG that is not one, or that could do anything but
// be drawn: see the package comment.
func checkSVG(data []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	root := true
	inStyle := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if root {
				return errors.New("not an SVG or PNG file")
			}
			return fmt.Errorf("the SVG is not well-formed XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return errors.New("the SVG has a DOCTYPE or entity declaration; remove it")
		case xml.ProcInst:
			if t.Target != "xml" {
				return fmt.Errorf("the SVG has a processing instruction <?%s?>; remove it", t.Target)
			}
		case xml.StartElement:
			name := strings.ToLower(t.Name.Local)
			if root {
				if name != "svg" || t.Name.Space != svgNS {
					return errors.New("not an SVG or PNG file (an SVG's root is <svg xmlns=\"" + svgNS + "\">)")
				}
				root = false
			}
			if refusedElements[name] {
				return fmt.Errorf("the SVG has a <%s> element; a logo may not script, link or embed anything", t.Name.Local)
			}
			if name == "style" {
				inStyle++
			}
			for _, a := range t.Attr {
				if err := checkAttr(t.Name.Local, a); err != nil {
					return err
				}
			}
		case xml.EndElement:
			if strings.EqualFold(t.Name.Local, "style") {
				inStyle--
			}
		case xml.CharData:
			if inStyle > 0 {
				if err := checkCSS("<style>", string(t)); err != nil {
					return err
				}
			}
		}
	}
	if root {
		return errors.New("not an SVG or PNG file")
	}
	return nil
}

func checkAttr(element string, a xml.Attr) error {
	name := strings.ToLower(a.Name.Local)
	where := fmt.Sprintf("the attribute %s of <%s>", a.Name.Local, element)
	switch {
	case strings.HasPrefix(name, "on"):
		return fmt.Errorf("the SVG has an event handler (%s); a logo may not script", where)
	case name == "href" || name == "src":
		if !strings.HasPrefix(strings.TrimSpace(a.Value), "#") {
			return fmt.Errorf("%s points outside the file (%q); a logo may refer only to its own parts (#id)", where, a.Value)
		}
	}
	return checkCSS(where, a.Value)
}

// checkCSS refuses what a style or presentation value could fetch or run:
// an outside url(), @import, javascript: and old IE expressions.
func checkCSS(where, v string) error {
	low := strings.ToLower(strings.Join(strings.Fields(v), ""))
	for _, bad := range []string{"javascript:", "@import", "expression("} {
		if strings.Contains(low, bad) {
			return fmt.Errorf("the SVG has %q in %s; a logo may not script or load anything", bad, where)
		}
	}
	for rest := low; ; {
		i := strings.Index(rest, "url(")
		if i < 0 {
			return nil
		}
		rest = strings.TrimLeft(rest[i+4:], `'"`)
		if !strings.HasPrefix(rest, "#") {
			return fmt.Errorf("%s loads something outside the file (url(…)); a logo may refer only to its own parts (url(#id))", where)
		}
	}
}
