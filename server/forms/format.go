package forms

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// nbsp keeps a number with its thousands and its unit on one line.
const nbsp = "\u00a0"

// group inserts sep between groups of three digits of an unsigned integer.
func group(digits, sep string) string {
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return b.String()
}

func separators(lang string) (thousands, decimal string) {
	if lang == "en" {
		return ",", "."
	}
	return nbsp, ","
}

// formatNumber writes a number as typed: 12,5 in fi and sv, 12.5 in en;
// thousands are grouped from five digits on (12 500, 12,500; but 1500).
func formatNumber(f float64, lang string) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	s := strconv.FormatFloat(math.Abs(f), 'f', -1, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	th, dec := separators(lang)
	if len(intPart) >= 5 {
		intPart = group(intPart, th)
	}
	if frac != "" {
		intPart += dec + frac
	}
	if f < 0 {
		return "-" + intPart
	}
	return intPart
}

// formatMoney writes cents as 1 234,50 € in fi and sv and €1,234.50 in en.
func formatMoney(cents int64, lang string) string {
	neg := cents < 0
	u := uint64(cents)
	if neg {
		u = -u
	}
	th, dec := separators(lang)
	s := group(strconv.FormatUint(u/100, 10), th) + dec + fmt.Sprintf("%02d", u%100)
	sign := ""
	if neg {
		sign = "-"
	}
	if lang == "en" {
		return sign + "€" + s
	}
	return sign + s + nbsp + "€"
}

// formatSize writes a file size as "123 kB" or "2,4 MB" (1 kB = 1024 B,
// as file managers show it; anything under 1 kB is "1 kB").
func formatSize(n int64, lang string) string {
	if n < 1<<20 {
		kb := (n + 1023) / 1024
		if kb < 1 {
			kb = 1
		}
		if kb < 1024 {
			return strconv.FormatInt(kb, 10) + nbsp + "kB"
		}
	}
	mb := math.Round(float64(n)/(1<<20)*10) / 10
	s := strconv.FormatFloat(mb, 'f', -1, 64)
	if lang != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s + nbsp + "MB"
}

// FormatSize writes a file size in lang.
func FormatSize(n int64, lang string) string { return formatSize(n, lang) }
