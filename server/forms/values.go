package forms

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// cleanLine tidies a one-line text: NFC without the invisible characters
// that cannot be meant (see invisible.go), surrounding space trimmed, any
// run of white space (tabs, line breaks, no-break spaces) made one space.
// ok is false when the text holds other control characters.
func cleanLine(s string) (string, bool) {
	if hasControl(s) {
		return "", false
	}
	return oneSpaced(stripInvisible(s, false)), true
}

// oneSpaced is strings.Join(strings.Fields(s), " "): s itself, not a
// copy, when it already is so (no white space but single spaces between
// words), as most answers are (issue 9: allocations per submit).
func oneSpaced(s string) string {
	space := true // a space here would be leading
	for _, r := range s {
		if !unicode.IsSpace(r) {
			space = false
			continue
		}
		if r != ' ' || space {
			return strings.Join(strings.Fields(s), " ")
		}
		space = true
	}
	if space && s != "" { // trailing
		return strings.Join(strings.Fields(s), " ")
	}
	return s
}

// cleanMultiline tidies a textarea: NFC without the invisible characters
// that cannot be meant (LRM, RLM and ALM stay), line breaks made \n,
// surrounding white space trimmed. ok is false when the text holds control
// characters other than line breaks and tabs.
func cleanMultiline(s string) (string, bool) {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	if hasControl(s) {
		return "", false
	}
	s = strings.TrimSpace(stripInvisible(s, true))
	if !HasVisible(s) {
		return "", true
	}
	return s, true
}

// hasControl reports control characters other than tab and line breaks
// (which one-line text collapses and a textarea keeps), and invalid UTF-8.
func hasControl(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	for _, r := range s {
		if r == '\t' || r == '\n' || r == '\r' {
			continue
		}
		if unicode.IsControl(r) {
			return true
		}
	}
	return false
}

// validEmail is a deliberately simple check: one @, a plausible local
// part, and a domain of at least two labels ending in a 2+ letter TLD.
func validEmail(s string) bool {
	if len(s) > 254 || strings.ContainsFunc(s, unicode.IsSpace) {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || len(local) > 64 || strings.Contains(domain, "@") {
		return false
	}
	if strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, "..") {
		return false
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	if utf8.RuneCountInString(tld) < 2 {
		return false
	}
	for _, r := range tld {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// validPhone accepts Finnish and international numbers as people write
// them: digits, spaces and hyphens, an optional leading +, 7–15 digits,
// e.g. "040 123 4567", "+358 40 123 4567", "09-310 1691".
func validPhone(s string) bool {
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0:
		case r == ' ' || r == '-':
			if i == 0 {
				return false
			}
		default:
			return false
		}
	}
	return digits >= 7 && digits <= 15
}

// ParseTime reads a time of day as residents write it: "18.30", "18:30",
// "8.05", "18" (a whole hour), with an optional "klo", "kl." or "at" in
// front. It returns the time as "HH:MM" (the value of a time field); ok is
// false for anything else, including times past 23:59.
func ParseTime(s string) (string, bool) {
	s = strings.TrimSpace(strings.ToLower(s))
	for _, w := range []string{"klo", "kl.", "kl", "at"} {
		if rest, ok := strings.CutPrefix(s, w); ok && rest != "" && (rest[0] == ' ' || rest[0] >= '0' && rest[0] <= '9') {
			s = strings.TrimSpace(rest)
			break
		}
	}
	h, m, hasMin := strings.Cut(s, ":")
	if !hasMin {
		h, m, hasMin = strings.Cut(s, ".")
	}
	if !hasMin {
		m = "00"
	}
	if len(h) < 1 || len(h) > 2 || len(m) != 2 || !allDigits(h) || !allDigits(m) {
		return "", false
	}
	hh, _ := strconv.Atoi(h)
	mm, _ := strconv.Atoi(m)
	if hh > 23 || mm > 59 {
		return "", false
	}
	hhmm := [5]byte{byte('0' + hh/10), byte('0' + hh%10), ':', byte('0' + mm/10), byte('0' + mm%10)}
	if string(hhmm[:]) == s { // written as it is kept: no copy
		return s, true
	}
	return string(hhmm[:]), true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseMoney reads an amount as residents and clients write it: "123.45",
// "123,45", "1 234,5", "12 €". It returns euro cents; ok is false for
// anything else, including more than 2 decimals or over 12 integer digits.
func parseMoney(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(s, "€"), "€"))
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '\u202f' {
			return -1
		}
		return r
	}, s)
	neg := false
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		neg, s = true, rest
	}
	s = strings.Replace(s, ",", ".", 1)
	intPart, frac, hasFrac := strings.Cut(s, ".")
	if intPart == "" || len(intPart) > 12 || (hasFrac && (frac == "" || len(frac) > 2)) {
		return 0, false
	}
	for _, part := range []string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return 0, false
			}
		}
	}
	for len(frac) < 2 {
		frac += "0"
	}
	n, err := strconv.ParseInt(intPart+frac, 10, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

// moneyString is the stored form of an amount: "1234.50".
func moneyString(cents int64) string {
	sign := ""
	u := uint64(cents)
	if cents < 0 {
		sign, u = "-", -u
	}
	frac := strconv.FormatUint(u%100, 10)
	if len(frac) < 2 {
		frac = "0" + frac
	}
	return sign + strconv.FormatUint(u/100, 10) + "." + frac
}

// toCents converts a money bound of a definition to cents.
func toCents(f float64) int64 {
	if f < 0 {
		return -int64(-f*100 + 0.5)
	}
	return int64(f*100 + 0.5)
}

// ValidEmail is the e-mail check of email fields, for addresses given
// outside a form (a co-applicant's contact).
func ValidEmail(s string) bool { return validEmail(s) }

// ValidPhone is the phone check of phone fields, for numbers given
// outside a form (a co-applicant's contact).
func ValidPhone(s string) bool { return validPhone(s) }
