package web

import (
	"net/url"
	"strings"
	"unicode"

	"asiointi/i18n"
)

// maxRedirectLen bounds a redirect target taken from input.
const maxRedirectLen = 2048

// localPath is the one check for every redirect target that comes from
// input (a next parameter, a form field, an action): it accepts only one
// of our own pages, /{lang}/…, and answers it unchanged, or "" and false.
//
// A browser repairs what it is given before following a Location: it
// strips tabs and newlines, reads a backslash as a slash and decodes some
// escapes. So the raw value must be printable ASCII without a backslash
// (anything else is percent-encoded by any honest sender), must start with
// a language segment, and its decoded path must hold no empty or dot
// segment, no backslash and no control, format or non-ASCII character.
func localPath(raw string) (string, bool) {
	if raw == "" || len(raw) > maxRedirectLen {
		return "", false
	}
	for i := 0; i < len(raw); i++ {
		if b := raw[i]; b <= ' ' || b >= 0x7f || b == '\\' {
			return "", false
		}
	}
	if !hasLangPrefix(raw) {
		return "", false
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !hasLangPrefix(u.Path) {
		return "", false
	}
	for _, r := range u.Path {
		if r == '\\' || r > unicode.MaxASCII || unicode.IsControl(r) {
			return "", false
		}
	}
	if strings.Contains(u.Path, "//") {
		return "", false
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if seg == "." || seg == ".." {
			return "", false
		}
	}
	return raw, true
}

// hasLangPrefix reports whether p is /{lang} or starts with /{lang}/.
func hasLangPrefix(p string) bool {
	if len(p) < 3 || p[0] != '/' || !i18n.Supported(p[1:3]) {
		return false
	}
	return len(p) == 3 || p[3] == '/' || p[3] == '?' || p[3] == '#'
}

// nextOr is the redirect target raw when it is one of our own pages, else
// fallback.
func nextOr(raw, fallback string) string {
	if p, ok := localPath(raw); ok {
		return p
	}
	return fallback
}
