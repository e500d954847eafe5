package render

import "testing"

func TestContactLinks(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Soita kotipalvelun palveluohjaukseen, puh. 09 123 4030 (ma–pe klo 8–16). Hätätilanteessa soita 112.",
			`Soita kotipalvelun palveluohjaukseen, puh. <a href="tel:091234030">09 123 4030</a> (ma–pe klo 8–16). Hätätilanteessa soita 112.`},
		{"Varhaiskasvatus, varhaiskasvatus@esimerkkila.fi, 040 123 4567",
			`Varhaiskasvatus, <a href="mailto:varhaiskasvatus@esimerkkila.fi">varhaiskasvatus@esimerkkila.fi</a>, <a href="tel:0401234567">040 123 4567</a>`},
		{"Phone +358 9 123 4000.", `Phone <a href="tel:+35891234000">+358 9 123 4000</a>.`},
		{"Postinumero 00100, vuonna 2027, 12 345 €", "Postinumero 00100, vuonna 2027, 12 345 €"},
		{"<b>&</b>", "&lt;b&gt;&amp;&lt;/b&gt;"},
		{"", ""},
	} {
		if got := string(ContactLinks(tc.in)); got != tc.want {
			t.Errorf("ContactLinks(%q)\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}
