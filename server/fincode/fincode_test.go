package fincode

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"asiointi/server/datefmt"
)

// vector is one entry of testdata/vectors.json, shared with
// pwa/js/fincode.test.mjs so the Go and JS rules provably agree.
type vector struct {
	In   string `json:"in"`
	OK   bool   `json:"ok"`
	Note string `json:"note,omitempty"`
}

type vectorFile struct {
	Hetu       []vector `json:"hetu"`
	BusinessID []vector `json:"businessId"`
	IBAN       []vector `json:"iban"`
	PostalCode []vector `json:"postalCode"`
}

func loadVectors(tb testing.TB) vectorFile {
	tb.Helper()
	b, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		tb.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	var v vectorFile
	if err := dec.Decode(&v); err != nil {
		tb.Fatalf("testdata/vectors.json: %v", err)
	}
	return v
}

func TestVectors(t *testing.T) {
	v := loadVectors(t)
	suites := []struct {
		name string
		fn   func(string) bool
		vecs []vector
	}{
		{"hetu", ValidHetu, v.Hetu},
		{"businessId", ValidBusinessID, v.BusinessID},
		{"iban", ValidIBAN, v.IBAN},
		{"postalCode", ValidPostalCode, v.PostalCode},
	}
	for _, s := range suites {
		t.Run(s.name, func(t *testing.T) {
			if len(s.vecs) < 15 {
				t.Fatalf("only %d vectors, want at least 15", len(s.vecs))
			}
			var nOK, nBad int
			seen := map[string]bool{}
			for _, c := range s.vecs {
				if seen[c.In] {
					t.Errorf("duplicate vector %q", c.In)
				}
				seen[c.In] = true
				if c.OK {
					nOK++
				} else {
					nBad++
				}
				if got := s.fn(c.In); got != c.OK {
					t.Errorf("%s(%q) = %v, want %v (%s)", s.name, c.In, got, c.OK, c.Note)
				}
			}
			if nOK == 0 || nBad == 0 {
				t.Errorf("vectors need both valid and invalid cases (ok=%d bad=%d)", nOK, nBad)
			}
		})
	}
}

// mkHetu builds a hetu with a correct control character.
func mkHetu(ddmmyy string, sign byte, zzz string) string {
	n := digits(ddmmyy, 0, 6)*1000 + digits(zzz, 0, 3)
	return ddmmyy + string(sign) + zzz + string(hetuCheckChars[n%31])
}

func TestValidHetuCenturySigns(t *testing.T) {
	for _, sign := range []byte("+-YXWVUABCDEF") {
		h := mkHetu("010190", sign, "123")
		if !ValidHetu(h) {
			t.Errorf("ValidHetu(%q) = false, want true", h)
		}
	}
	for c := 0; c < 256; c++ {
		if strings.IndexByte("+-YXWVUABCDEF", byte(c)) >= 0 {
			continue
		}
		h := "010190" + string(rune(c)) + "123" + mkHetu("010190", '-', "123")[10:]
		if ValidHetu(h) {
			t.Errorf("ValidHetu(%q) = true for century sign %q", h, rune(c))
		}
	}
}

func TestValidHetuIndividualNumbers(t *testing.T) {
	for n := 0; n <= 999; n++ {
		h := mkHetu("150677", '-', fmt.Sprintf("%03d", n))
		if got, want := ValidHetu(h), n >= 2; got != want {
			t.Errorf("ValidHetu(%q) = %v, want %v", h, got, want)
		}
	}
}

// Exactly one control character is accepted for every valid body.
func TestValidHetuSingleCheckChar(t *testing.T) {
	for _, h := range []string{"131052-308T", "171279-9677", "010594Y9021", "290200A1239"} {
		n := 0
		for c := 0; c < 256; c++ {
			if ValidHetu(h[:10] + string(rune(c))) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s: %d control characters accepted, want 1", h[:10], n)
		}
	}
}

// Walk every day from 1800 to 2099 and check date validation against the
// time package (both directions: real dates validate, others do not).
func TestValidHetuCalendar(t *testing.T) {
	signs := map[int]byte{1800: '+', 1900: '-', 2000: 'A'}
	for century, sign := range signs {
		for yy := 0; yy < 100; yy++ {
			y := century + yy
			for m := 1; m <= 12; m++ {
				for d := 0; d <= 32; d++ {
					h := mkHetu(fmt.Sprintf("%02d%02d%02d", d, m, yy), sign, "234")
					real := d >= 1 && time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Day() == d
					if got := ValidHetu(h); got != real {
						t.Fatalf("ValidHetu(%q) = %v, want %v", h, got, real)
					}
				}
			}
		}
	}
}

func TestHetuBirthDate(t *testing.T) {
	tests := []struct {
		in   string
		want string // YYYY-MM-DD, "" if invalid
	}{
		{"131052-308T", "1952-10-13"},
		{"131052Y308T", "1952-10-13"},
		{"210620A925C", "2020-06-21"},
		{"010110F555X", "2010-01-01"},
		{"311231+256X", "1831-12-31"},
		{"290200A1239", "2000-02-29"},
		{"290200-1239", ""},
		{"131052-308U", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, ok := HetuBirthDate(tt.in)
		if tt.want == "" {
			if ok || !got.IsZero() {
				t.Errorf("HetuBirthDate(%q) = %v, %v; want zero, false", tt.in, got, ok)
			}
			continue
		}
		if !ok || got.Format(time.DateOnly) != tt.want || got.Location() != time.UTC ||
			got.Hour()+got.Minute()+got.Second()+got.Nanosecond() != 0 {
			t.Errorf("HetuBirthDate(%q) = %v, %v; want %s midnight UTC", tt.in, got, ok, tt.want)
		}
	}
}

func TestHetuAge(t *testing.T) {
	helsinki := datefmt.Helsinki()
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	tests := []struct {
		hetu   string
		on     time.Time
		want   int
		wantOK bool
	}{
		{"131052-308T", day("2024-10-12"), 71, true},
		{"131052-308T", day("2024-10-13"), 72, true}, // birthday
		{"131052-308T", day("2024-10-14"), 72, true},
		{"131052-308T", day("1952-10-13"), 0, true}, // day of birth
		{"131052-308T", day("1952-10-12"), 0, false},
		{"131052-308T", day("1900-01-01"), 0, false},
		{"210620A925C", day("2038-06-20"), 17, true},
		{"210620A925C", day("2038-06-21"), 18, true}, // comes of age
		{"311231+256X", day("2025-01-01"), 193, true},
		{"010110F555X", day("2010-12-31"), 0, true},
		// Born on Feb 29 2000: completes a year on Feb 28 in common years.
		{"290200A1239", day("2001-02-27"), 0, true},
		{"290200A1239", day("2001-02-28"), 1, true},
		{"290200A1239", day("2018-02-27"), 17, true},
		{"290200A1239", day("2018-02-28"), 18, true},
		{"290200A1239", day("2018-03-01"), 18, true},
		{"290200A1239", day("2024-02-28"), 23, true}, // leap year
		{"290200A1239", day("2024-02-29"), 24, true},
		// The calendar date of on is used in on's own location.
		{"210620A925C", time.Date(2038, 6, 20, 23, 30, 0, 0, time.UTC), 17, true},
		{"210620A925C", time.Date(2038, 6, 20, 23, 30, 0, 0, time.UTC).In(helsinki), 18, true},
		{"210620A925C", time.Date(2038, 6, 21, 0, 0, 0, 0, helsinki), 18, true},
		// Invalid hetu.
		{"131052-308U", day("2024-01-01"), 0, false},
		{"", day("2024-01-01"), 0, false},
	}
	for _, tt := range tests {
		got, ok := HetuAge(tt.hetu, tt.on)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("HetuAge(%q, %v) = %d, %v; want %d, %v", tt.hetu, tt.on, got, ok, tt.want, tt.wantOK)
		}
	}
}

// For every 7-digit body, exactly one check digit validates unless the
// remainder is 1, in which case none does.
func TestValidBusinessIDCheckDigits(t *testing.T) {
	for _, body := range []string{"0000000", "1234567", "2345678", "1111111", "7654321", "0112038", "9999999", "5000000", "0000010"} {
		var valid []int
		for c := 0; c <= 9; c++ {
			if ValidBusinessID(fmt.Sprintf("%s-%d", body, c)) {
				valid = append(valid, c)
			}
		}
		sum := 0
		for i, w := range businessIDWeights {
			sum += int(body[i]-'0') * w
		}
		want := 1
		if sum%11 == 1 {
			want = 0
		}
		if len(valid) != want {
			t.Errorf("body %s (remainder %d): valid check digits %v", body, sum%11, valid)
		}
	}
}

func TestDemoBusinessID(t *testing.T) {
	if !ValidBusinessID("2345678-0") {
		t.Fatal("demo association id 2345678-0 does not validate")
	}
}

func TestValidIBANTable(t *testing.T) {
	for cc, n := range ibanLengths {
		if len(cc) != 2 || !isUpper(cc[0]) || !isUpper(cc[1]) || n < 15 || n > 34 {
			t.Errorf("bad length table entry %q: %d", cc, n)
		}
	}
	if ibanLengths["FI"] != 18 {
		t.Errorf("FI length = %d, want 18", ibanLengths["FI"])
	}
}

// Every single-digit change of a valid IBAN must be rejected (mod 97
// detects all single substitutions).
func TestValidIBANSingleSubstitution(t *testing.T) {
	for _, iban := range []string{"FI2112345600000785", "DE89370400440532013000", "NO9386011117947"} {
		for i := 2; i < len(iban); i++ {
			for d := byte('0'); d <= '9'; d++ {
				if d == iban[i] {
					continue
				}
				s := iban[:i] + string(d) + iban[i+1:]
				if ValidIBAN(s) {
					t.Errorf("ValidIBAN(%q) = true (changed position %d of %s)", s, i, iban)
				}
			}
		}
	}
}

func TestNormalizeIBAN(t *testing.T) {
	tests := []struct{ in, want string }{
		{"FI2112345600000785", "FI2112345600000785"},
		{"fi21 1234 5600 0007 85", "FI2112345600000785"},
		{" FI21\t1234\u00a05600\u202f0007 85\n", "FI2112345600000785"},
		{"gb82 west 1234 5698 7654 32", "GB82WEST12345698765432"},
		{"", ""},
	}
	for _, tt := range tests {
		got := NormalizeIBAN(tt.in)
		if got != tt.want {
			t.Errorf("NormalizeIBAN(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if !ValidIBAN(got) && tt.want != "" {
			t.Errorf("ValidIBAN(NormalizeIBAN(%q)) = false", tt.in)
		}
	}
}

func TestFormatIBAN(t *testing.T) {
	tests := []struct{ in, want string }{
		{"FI2112345600000785", "FI21 1234 5600 0007 85"},
		{"fi21 1234 5600 0007 85", "FI21 1234 5600 0007 85"},
		{"FI 2112 3456 0000 0785", "FI21 1234 5600 0007 85"},
		{"DE89370400440532013000", "DE89 3704 0044 0532 0130 00"},
		{"NO9386011117947", "NO93 8601 1117 947"},
		{"BE68539007547034", "BE68 5390 0754 7034"},
		{"FI21", "FI21"},
		{"", ""},
	}
	for _, tt := range tests {
		got := FormatIBAN(tt.in)
		if got != tt.want {
			t.Errorf("FormatIBAN(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if ValidIBAN(tt.in) != ValidIBAN(got) && tt.in == NormalizeIBAN(tt.in) {
			t.Errorf("FormatIBAN changed validity of %q", tt.in)
		}
	}
}

func TestValidPostalCodeExhaustive(t *testing.T) {
	for n := 0; n <= 99999; n += 7 {
		if s := fmt.Sprintf("%05d", n); !ValidPostalCode(s) {
			t.Fatalf("ValidPostalCode(%q) = false", s)
		}
	}
}

func FuzzValidHetu(f *testing.F) {
	for _, v := range loadVectors(f).Hetu {
		f.Add(v.In)
	}
	f.Add("\xff\xfe\x00\x00\x00\x00\x00\x00\x00\x00\x00")
	f.Add("99999999999")
	f.Fuzz(func(t *testing.T, s string) {
		ok := ValidHetu(s)
		bd, bdOK := HetuBirthDate(s)
		age, ageOK := HetuAge(s, time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC))
		if ok != bdOK {
			t.Fatalf("ValidHetu(%q) = %v but HetuBirthDate ok = %v", s, ok, bdOK)
		}
		if !ok {
			if ageOK {
				t.Fatalf("HetuAge(%q) ok for invalid hetu", s)
			}
			return
		}
		if len(s) != 11 || strings.ToUpper(s) != s || strings.TrimSpace(s) != s {
			t.Fatalf("ValidHetu accepted malformed %q", s)
		}
		if got := bd.Format("020106"); got != s[:6] {
			t.Fatalf("HetuBirthDate(%q) = %v, does not round-trip (%s)", s, bd, got)
		}
		if y := bd.Year(); y < 1800 || y > 2099 {
			t.Fatalf("HetuBirthDate(%q) year %d out of range", s, y)
		}
		if !ageOK || age < 100 || age > 400 {
			t.Fatalf("HetuAge(%q, 2200-01-01) = %d, %v", s, age, ageOK)
		}
	})
}

func BenchmarkValidHetu(b *testing.B) {
	inputs := []string{"131052-308T", "290200A1239", "131052-308U", "not a hetu"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		ValidHetu(inputs[i%len(inputs)])
	}
}

func BenchmarkValidIBAN(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		ValidIBAN("FI21 1234 5600 0007 85")
	}
}
