package receipt

import (
	"os"
	"strings"
	"testing"
	"time"

	"asiointi/server/receipt/pdftext"
)

func pdfText(t *testing.T, pdf []byte) (shown, objects string) {
	t.Helper()
	shown, objects, err := pdftext.Read(pdf)
	if err != nil {
		t.Fatal(err)
	}
	return shown, objects
}

func sample(lang string) *Receipt {
	return &Receipt{
		Lang: lang, Municipality: "Esimerkkilän kunta", Contact: "Kunnantalo, Raatihuoneentie 1, 99100 Esimerkkilä · +358 9 123 4000",
		Title: "Hakemuksesi on lähetetty", Service: "Kotipalvelun hakeminen",
		Facts: []Row{{Label: "Hakemuksen tunnus", Value: "ESI-2026-000042"}, {Label: "Lähetetty", Value: "23.11.2026 klo 12.00"}},
		Sections: []Section{
			{Title: "Kuka tarvitsee apua", Rows: []Row{{Label: "Etunimi", Value: "Helmi"}, {Label: "Katuosoite", Value: "Kirkkotie 12"}}},
			{Title: "Budjetti", Rows: []Row{{Label: "Kulu", Value: "Salivuokrat", Indent: 1}, {Label: "Summa", Value: "1 200,00 €", Indent: 1}}},
			{Title: "Tilanne", Rows: []Row{{Label: "Kerro omin sanoin", Value: strings.Repeat("Kaaduin keväällä. ", 400)}}},
		},
		AttachmentsTitle: "Liitteet", Attachments: []string{"asemapiirros.pdf (120 kt)"},
		Footer:  "Voit seurata hakemusta Asioinnissa.",
		Created: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC),
	}
}

// TestPDF: the receipt is a PDF that shows the letterhead, the reference,
// every answer with its label (long answers over pages), the attachments,
// in the document's language.
func TestPDF(t *testing.T) {
	logo, err := os.ReadFile("../../assets/icons/icon-192.png")
	if err != nil {
		t.Fatal(err)
	}
	r := sample("fi")
	r.Logo = logo
	pdf, err := PDF(r)
	if err != nil {
		t.Fatal(err)
	}
	shown, objects := pdfText(t, pdf)
	for _, want := range []string{
		"Esimerkkilän kunta", "Hakemuksesi on lähetetty", "Kotipalvelun hakeminen",
		"Hakemuksen tunnus", "ESI-2026-000042", "23.11.2026 klo 12.00",
		"Kuka tarvitsee apua", "Etunimi", "Helmi", "Katuosoite", "Kirkkotie 12",
		"Salivuokrat", "1 200,00 €", "asemapiirros.pdf (120 kt)", "Kaaduin keväällä.",
	} {
		if !strings.Contains(shown, want) {
			t.Errorf("the PDF does not show %q", want)
		}
	}
	if !strings.Contains(objects, "/Lang (fi)") {
		t.Errorf("no /Lang (fi) in the document catalogue")
	}
	if !strings.Contains(objects, "/Subtype /Image") {
		t.Errorf("no logo image")
	}
	if n := strings.Count(objects, "/Type /Page\n"); n < 2 {
		t.Errorf("%d pages; the long answer should run over to a second", n)
	}
	// The same receipt in Swedish says so.
	r = sample("sv")
	pdf, err = PDF(r)
	if err != nil {
		t.Fatal(err)
	}
	if _, objects := pdfText(t, pdf); !strings.Contains(objects, "/Lang (sv)") {
		t.Errorf("no /Lang (sv)")
	}
}

// TestPDFBadLogo: a logo that is not a PNG is an error, not a broken PDF.
func TestPDFBadLogo(t *testing.T) {
	r := sample("en")
	r.Logo = []byte("<svg/>")
	if _, err := PDF(r); err == nil {
		t.Error("a broken logo gave no error")
	}
}
