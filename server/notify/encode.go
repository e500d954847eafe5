package notify

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"asiointi/server/internal/jsonenc"
)

// A notification and its deliveries are encoded in the write of every
// event that notifies (issue 10: what the pipeline costs a submit), so
// they are written by hand rather than through reflection: the same
// bytes as encoding/json (TestEncodeAsEncodingJSON), one allocation each
// instead of about nine. They decode as before (unmarshal).

// encodeNotification is n as encoding/json writes it.
func encodeNotification(n *Notification) []byte {
	size := 96 + len(n.ID) + len(n.User) + len(n.Kind) + len(n.Link)
	for k, v := range n.Params {
		size += len(k) + len(v) + 8
	}
	if n.Contact != nil {
		size += 40 + len(n.Contact.Email) + len(n.Contact.Phone) + len(n.Contact.Lang)
	}
	b := make([]byte, 0, size)
	b = append(b, `{"id":`...)
	b = jsonenc.AppendString(b, n.ID)
	b = append(b, `,"user":`...)
	b = jsonenc.AppendString(b, n.User)
	b = append(b, `,"type":`...)
	b = jsonenc.AppendString(b, n.Kind)
	b = append(b, `,"at":`...)
	b = appendJSONTime(b, n.At)
	b = append(b, `,"link":`...)
	b = jsonenc.AppendString(b, n.Link)
	if len(n.Params) > 0 {
		b = append(b, `,"params":{`...)
		var small [8]string // the keys, sorted as encoding/json sorts them
		keys := small[:0]
		for k := range n.Params {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonenc.AppendString(b, k)
			b = append(b, ':')
			b = jsonenc.AppendString(b, n.Params[k])
		}
		b = append(b, '}')
	}
	if n.Read {
		b = append(b, `,"read":true`...)
	}
	if c := n.Contact; c != nil {
		b = append(b, `,"contact":{`...)
		sep := ""
		for _, f := range [...]struct{ name, v string }{{"email", c.Email}, {"phone", c.Phone}, {"lang", c.Lang}} {
			if f.v != "" {
				b = append(b, sep...)
				b = jsonenc.AppendString(b, f.name)
				b = append(b, ':')
				b = jsonenc.AppendString(b, f.v)
				sep = ","
			}
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

// encodeDelivery is d as encoding/json writes it.
func encodeDelivery(d *Delivery) []byte {
	b := make([]byte, 0, 80+len(d.ID)+len(d.Notice)+len(d.User)+len(d.Channel)+len(d.Target)+len(d.Link))
	b = append(b, `{"id":`...)
	b = jsonenc.AppendString(b, d.ID)
	b = append(b, `,"notice":`...)
	b = jsonenc.AppendString(b, d.Notice)
	b = append(b, `,"user":`...)
	b = jsonenc.AppendString(b, d.User)
	b = append(b, `,"channel":`...)
	b = jsonenc.AppendString(b, d.Channel)
	if d.Target != "" {
		b = append(b, `,"target":`...)
		b = jsonenc.AppendString(b, d.Target)
	}
	if d.Link != "" {
		b = append(b, `,"link":`...)
		b = jsonenc.AppendString(b, d.Link)
	}
	if d.Attempt != 0 {
		b = append(b, `,"attempt":`...)
		b = strconv.AppendInt(b, int64(d.Attempt), 10)
	}
	return append(b, '}')
}

// appendJSONTime is t as time.Time.MarshalJSON writes it (RFC 3339 with
// nanoseconds; the years of notifications are in its range).
func appendJSONTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// decodeDelivery decodes a stored delivery. One as encodeDelivery (or
// encoding/json, the same bytes) writes it whose strings need no
// unescaping is cut from one string copy of raw: one allocation instead
// of one per field and the decoder's (the dispatcher decodes every due
// delivery). Anything else is decoded by unmarshal.
func decodeDelivery(raw []byte, d *Delivery) error {
	if bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) && cutDelivery(string(raw), d) {
		return nil
	}
	*d = Delivery{}
	return unmarshal(raw, d)
}

// cutDelivery fills d from s, encodeDelivery's layout without escapes,
// and reports whether s was that.
func cutDelivery(s string, d *Delivery) bool {
	*d = Delivery{}
	field := func(name string) bool { // ,"name": (the first without the comma)
		if !strings.HasPrefix(s, name) {
			return false
		}
		s = s[len(name):]
		return true
	}
	str := func(v *string) bool { // "…" without escapes
		if len(s) == 0 || s[0] != '"' {
			return false
		}
		end := strings.IndexByte(s[1:], '"')
		if end < 0 {
			return false
		}
		*v, s = s[1:1+end], s[2+end:]
		return true
	}
	if !field(`{"id":`) || !str(&d.ID) || !field(`,"notice":`) || !str(&d.Notice) ||
		!field(`,"user":`) || !str(&d.User) || !field(`,"channel":`) || !str(&d.Channel) {
		return false
	}
	if field(`,"target":`) && !str(&d.Target) {
		return false
	}
	if field(`,"link":`) && !str(&d.Link) {
		return false
	}
	if field(`,"attempt":`) {
		n := 0
		for n < len(s) && s[n] >= '0' && s[n] <= '9' {
			n++
		}
		a, err := strconv.Atoi(s[:n])
		if err != nil || n > 9 || (n > 1 && s[0] == '0') {
			return false
		}
		d.Attempt, s = a, s[n:]
	}
	return s == "}"
}

// decodeNotification decodes a stored notification like unmarshal. One
// as encodeNotification (or encoding/json) writes it whose strings need
// no unescaping is cut from one string copy of raw: three or four
// allocations (the string, the params map, the contact) instead of
// about eleven (the dispatcher reads the notification of every e-mail,
// SMS and push it sends). Anything else is decoded by unmarshal.
func decodeNotification(raw []byte, n *Notification) error {
	if bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) && cutNotification(raw, string(raw), n) {
		return nil
	}
	*n = Notification{}
	return unmarshal(raw, n)
}

// cutNotification fills n from s (raw as a string), encodeNotification's
// layout without escapes, and reports whether s was that.
func cutNotification(raw []byte, s string, n *Notification) bool {
	*n = Notification{}
	i := 0
	field := func(name string) bool {
		if !strings.HasPrefix(s[i:], name) {
			return false
		}
		i += len(name)
		return true
	}
	str := func(v *string) bool {
		if i >= len(s) || s[i] != '"' {
			return false
		}
		end := strings.IndexByte(s[i+1:], '"')
		if end < 0 {
			return false
		}
		*v, i = s[i+1:i+1+end], i+2+end
		return true
	}
	var at string
	if !field(`{"id":`) || !str(&n.ID) || !field(`,"user":`) || !str(&n.User) || !field(`,"type":`) || !str(&n.Kind) ||
		!field(`,"at":`) || !str(&at) {
		return false
	}
	if err := n.At.UnmarshalJSON(raw[i-len(at)-2 : i]); err != nil {
		return false
	}
	if !field(`,"link":`) || !str(&n.Link) {
		return false
	}
	if field(`,"params":{`) {
		if i < len(s) && s[i] == '}' { // encoding/json omits an empty map
			return false
		}
		n.Params = make(map[string]string, strings.Count(s[i:], `":"`))
		for {
			var k, v string
			if !str(&k) || !field(":") || !str(&v) {
				return false
			}
			if _, dup := n.Params[k]; dup {
				return false
			}
			n.Params[k] = v
			if field("}") {
				break
			}
			if !field(",") {
				return false
			}
		}
	}
	if field(`,"read":true`) {
		n.Read = true
	}
	if field(`,"contact":{`) { // its fields in this order, each omitted when empty
		c := &Contact{}
		names := [...]string{"email", "phone", "lang"}
		values := [...]*string{&c.Email, &c.Phone, &c.Lang}
		k := 0
		for first := true; !field("}"); first = false {
			var name string
			if (!first && !field(",")) || !str(&name) || !field(":") {
				return false
			}
			for k < len(names) && names[k] != name {
				k++
			}
			if k == len(names) || !str(values[k]) || *values[k] == "" {
				return false
			}
			k++
		}
		n.Contact = c
	}
	return s[i:] == "}"
}
