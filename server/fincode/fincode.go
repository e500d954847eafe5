// Package fincode validates Finnish identifiers and codes used by the
// Asiointi e-services: personal identity codes (henkilötunnus, "hetu"),
// business IDs (Y-tunnus), IBAN account numbers and postal codes.
//
// All functions are pure and safe for concurrent use. They never panic on
// arbitrary input. Inputs are expected to be already trimmed by the caller;
// only ValidIBAN / NormalizeIBAN tolerate embedded spaces.
//
// The browser twin of this package lives in pwa/js/fincode.js and is checked
// against the same test vectors (server/fincode/testdata/vectors.json).
package fincode

import (
	"strings"
	"time"
)

// hetuCheckChars maps (DDMMYYZZZ mod 31) to the hetu control character.
const hetuCheckChars = "0123456789ABCDEFHJKLMNPRSTUVWXY"

// hetuCentury returns the first year of the century denoted by the hetu
// century sign (the 7th character), or false if the sign is unknown.
// Signs Y X W V U (1900s) and B C D E F (2000s) were added in the 2023 reform.
func hetuCentury(c byte) (int, bool) {
	switch c {
	case '+':
		return 1800, true
	case '-', 'Y', 'X', 'W', 'V', 'U':
		return 1900, true
	case 'A', 'B', 'C', 'D', 'E', 'F':
		return 2000, true
	}
	return 0, false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// digits parses s[i:j] as a non-negative decimal number. The caller must
// have verified that the bytes are ASCII digits.
func digits(s string, i, j int) int {
	n := 0
	for k := i; k < j; k++ {
		n = n*10 + int(s[k]-'0')
	}
	return n
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(y, m int) int {
	switch m {
	case 2:
		if isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// parseHetu validates s and returns the birth date components.
func parseHetu(s string) (year, month, day int, ok bool) {
	if len(s) != 11 {
		return 0, 0, 0, false
	}
	for _, i := range [...]int{0, 1, 2, 3, 4, 5, 7, 8, 9} {
		if !isDigit(s[i]) {
			return 0, 0, 0, false
		}
	}
	century, ok := hetuCentury(s[6])
	if !ok {
		return 0, 0, 0, false
	}
	day, month = digits(s, 0, 2), digits(s, 2, 4)
	year = century + digits(s, 4, 6)
	if month < 1 || month > 12 || day < 1 || day > daysIn(year, month) {
		return 0, 0, 0, false
	}
	// 000 and 001 are never issued; 002–899 are regular, 900–999 temporary
	// (also used for test persons). Both of the latter are accepted.
	if digits(s, 7, 10) < 2 {
		return 0, 0, 0, false
	}
	n := digits(s, 0, 6)*1000 + digits(s, 7, 10)
	if s[10] != hetuCheckChars[n%31] {
		return 0, 0, 0, false
	}
	return year, month, day, true
}

// ValidHetu reports whether s is a syntactically valid Finnish personal
// identity code (henkilötunnus) of the form DDMMYYCZZZQ:
//
//   - DDMMYY is a real calendar date in the century given by C;
//   - C is '+' (1800s), '-', 'Y', 'X', 'W', 'V', 'U' (1900s) or
//     'A'–'F' (2000s), as per the 2023 reform;
//   - ZZZ is 002–999 (900–999 are temporary / test-person numbers);
//   - Q is the control character: DDMMYYZZZ mod 31 indexed into
//     "0123456789ABCDEFHJKLMNPRSTUVWXY".
//
// Letters must be uppercase and s must not contain surrounding whitespace.
// ValidHetu does not check that the birth date is in the past.
func ValidHetu(s string) bool {
	_, _, _, ok := parseHetu(s)
	return ok
}

// HetuBirthDate returns the birth date encoded in a valid hetu as midnight
// UTC of that day. ok is false if s is not a valid hetu.
func HetuBirthDate(s string) (time.Time, bool) {
	y, m, d, ok := parseHetu(s)
	if !ok {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), true
}

// HetuAge returns the age in completed years of the person identified by
// the hetu s on the calendar date of on (in on's own location; pass a time
// in Europe/Helsinki for Finnish local dates). The time of day is ignored.
//
// A person born on 29 February completes a year on 28 February in common
// years, following the Finnish rule for periods counted in years
// (laki säädettyjen määräaikain laskemisesta 150/1930, 3 §).
//
// ok is false if s is not a valid hetu or on is before the birth date.
func HetuAge(s string, on time.Time) (int, bool) {
	by, bm, bd, ok := parseHetu(s)
	if !ok {
		return 0, false
	}
	oy, om, od := on.Date()
	age := oy - by
	// Birthday in year oy; 29 Feb falls back to the last day of February.
	if bd > daysIn(oy, bm) {
		bd = daysIn(oy, bm)
	}
	if int(om) < bm || (int(om) == bm && od < bd) {
		age--
	}
	if age < 0 {
		return 0, false
	}
	return age, true
}

// businessIDWeights are the Y-tunnus check digit weights.
var businessIDWeights = [7]int{7, 9, 10, 5, 8, 4, 2}

// ValidBusinessID reports whether s is a valid Finnish business ID
// (Y-tunnus) of the exact form NNNNNNN-C. The check digit C is computed
// with weights 7,9,10,5,8,4,2: remainder 0 gives 0, remainder 1 is never
// issued (invalid), otherwise C = 11 - remainder. Older 6-digit IDs must be
// zero-padded by the caller; they are not accepted here.
func ValidBusinessID(s string) bool {
	if len(s) != 9 || s[7] != '-' || !isDigit(s[8]) {
		return false
	}
	sum := 0
	for i, w := range businessIDWeights {
		if !isDigit(s[i]) {
			return false
		}
		sum += int(s[i]-'0') * w
	}
	r := sum % 11
	switch r {
	case 0:
		return s[8] == '0'
	case 1:
		return false
	}
	return int(s[8]-'0') == 11-r
}

// ibanLengths holds the IBAN length of the EU/EEA countries, Switzerland,
// the United Kingdom and the remaining SEPA members (AD, GI, MC, SM, VA).
// Countries not listed are rejected by ValidIBAN.
var ibanLengths = map[string]int{
	"AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24,
	"DE": 22, "DK": 18, "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22,
	"GI": 23, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IS": 26, "IT": 27,
	"LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31, "NL": 18,
	"NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24,
	"SM": 27, "VA": 22,
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// ValidIBAN reports whether s is a valid IBAN for one of the countries in
// the length table (EU/EEA, CH, GB and the other SEPA members). Spaces
// anywhere in s are ignored (so both "FI2112345600000785" and
// "FI21 1234 5600 0007 85" are accepted); other whitespace is not.
// Letters must be uppercase: use NormalizeIBAN first for user input.
// The length must match the country and the mod-97 checksum must be 1.
func ValidIBAN(s string) bool {
	s = strings.ReplaceAll(s, " ", "")
	if len(s) < 4 || !isUpper(s[0]) || !isUpper(s[1]) || !isDigit(s[2]) || !isDigit(s[3]) {
		return false
	}
	if n, ok := ibanLengths[s[:2]]; !ok || len(s) != n {
		return false
	}
	// Rearranged: BBAN + country code + check digits; letters A=10..Z=35.
	r := 0
	for i := 0; i < len(s); i++ {
		c := s[(i+4)%len(s)]
		switch {
		case isDigit(c):
			r = (r*10 + int(c-'0')) % 97
		case isUpper(c):
			r = (r*100 + int(c-'A') + 10) % 97
		default:
			return false
		}
	}
	return r == 1
}

// NormalizeIBAN removes all whitespace (including non-breaking spaces from
// copy-paste) from s and converts it to uppercase. It does not validate.
func NormalizeIBAN(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch r {
		case ' ', '\t', '\n', '\r', '\v', '\f', '\u00a0', '\u2007', '\u202f':
			continue
		}
		b.WriteRune(r)
	}
	return strings.ToUpper(b.String())
}

// FormatIBAN returns the normalized form of s (see NormalizeIBAN) printed
// in groups of four characters separated by single spaces, e.g.
// "FI21 1234 5600 0007 85". It does not validate.
func FormatIBAN(s string) string {
	s = NormalizeIBAN(s)
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	for i, r := range []rune(s) {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ValidPostalCode reports whether s is a Finnish postal code: exactly five
// ASCII digits (e.g. "00100", "99999").
func ValidPostalCode(s string) bool {
	if len(s) != 5 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
