package notify

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// TestEncodeAsEncodingJSON: notifications and deliveries are encoded by
// hand with the bytes encoding/json writes, hostile texts and every
// optional field included, and decode back to what was encoded.
func TestEncodeAsEncodingJSON(t *testing.T) {
	hostile := []string{"", "Helmi Korhonen", "Åsa Öberg-Ähtäri", `"quoted" \back\slash`, "<script>alert(1)</script> & more",
		"tab\tnew\nline\rcr\bbs\fff\x00nul\x1fus\x7fdel", "line\u2028sep\u2029par", "bad \xff\xfe utf-8 \xc3", "emoji 🙂 ok", "/cases/06h1?x=1&y=<2>"}
	helsinki, err := time.LoadLocation("Europe/Helsinki")
	if err != nil {
		helsinki = time.FixedZone("EET", 2*3600)
	}
	times := []time.Time{time.Date(2026, 11, 27, 2, 30, 0, 0, time.UTC), time.Date(2026, 6, 1, 12, 0, 0, 123456789, helsinki),
		time.Date(2026, 1, 2, 3, 4, 5, 600000000, time.UTC), time.Now()}
	var ns []Notification
	for i, s := range hostile {
		params := map[string]string{"service": s, "reference": "HH-2026-000123", "actor": s + " " + s}
		if i%3 == 1 {
			params = nil
		}
		if i%3 == 2 {
			params = map[string]string{}
		}
		if i == 6 { // more keys than encodeNotification sorts without allocating
			for j := range 12 {
				params[fmt.Sprintf("k%02d%s", 11-j, s)] = s
			}
		}
		n := Notification{ID: "06h1nnbn7mxews3hdhptspre5bmr5nxv", User: s, Kind: KindProxySubmitted, At: times[i%len(times)],
			Link: "/cases/" + s, Params: params, Read: i%2 == 1}
		switch i % 4 {
		case 1:
			n.Contact = &Contact{Email: s, Phone: "+358 40 123", Lang: "sv"}
		case 2:
			n.Contact = &Contact{Phone: s}
		case 3:
			n.Contact = &Contact{}
		}
		ns = append(ns, n)
	}
	for _, n := range ns {
		want, err := json.Marshal(n)
		if err != nil {
			t.Fatal(err)
		}
		got := encodeNotification(&n)
		if string(got) != string(want) {
			t.Errorf("notification\n got %s\nwant %s", got, want)
			continue
		}
		var back Notification
		if err := unmarshal(got, &back); err != nil {
			t.Errorf("%s: %v", got, err)
		}
	}
	for i, s := range hostile {
		d := Delivery{ID: "06h1nnbn7q5cg0d92fkbg7430v3zj2mn", Notice: s, User: s, Channel: ChannelPush, Target: s, Link: s, Attempt: i}
		if i%2 == 0 {
			d.Target, d.Link = "", ""
		}
		want, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		got := encodeDelivery(&d)
		if string(got) != string(want) {
			t.Errorf("delivery\n got %s\nwant %s", got, want)
			continue
		}
		var back Delivery
		if err := unmarshal(got, &back); err != nil || (back.Attempt != d.Attempt || back.Channel != d.Channel) {
			t.Errorf("%s: %+v %v", got, back, err)
		}
	}
}

// BenchmarkEncode: allocations of encoding a notification and a delivery
// by hand (one each) against encoding/json.
func BenchmarkEncode(b *testing.B) {
	n := Notification{ID: "06h1nnbn7mxews3hdhptspre5bmr5nxv", User: "06h1nnbn6hrvdr2kbhs63ymgx3cwn06q", Kind: KindProxySubmitted,
		At: time.Now(), Link: "/cases/06h1nnbn6q3zq1a1q1xfeb1a0psgkx38",
		Params: map[string]string{"service": "home-help", "reference": "HH-2026-000123", "actor": "Juhani Korhonen", "principal": "Helmi Korhonen"}}
	d := Delivery{ID: n.ID, Notice: n.ID, User: n.User, Channel: ChannelLive, Link: n.Link}
	b.Run("hand", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			encodeNotification(&n)
			encodeDelivery(&d)
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			json.Marshal(n)
			json.Marshal(d)
		}
	})
}

// TestDecodeDelivery: decodeDelivery gives what unmarshal gives, for
// what encodeDelivery writes (hostile texts included) and for other
// JSON: another order, spaces, unknown or missing fields, escapes,
// junk.
func TestDecodeDelivery(t *testing.T) {
	hostile := []string{"", "Helmi", "Åsa Öberg", `"q" \b\`, "<a>&", "tab\tnl\n", "line\u2028sep", "bad \xff utf-8", "🙂", "/cases/x?y=1"}
	var raws []string
	for i, s := range hostile {
		d := Delivery{ID: "06h1nnbn7q5cg0d92fkbg7430v3zj2mn", Notice: s, User: "u" + s, Channel: ChannelEmail, Target: s, Link: s, Attempt: i * 7}
		if i%2 == 0 {
			d.Target, d.Link = "", ""
		}
		raws = append(raws, string(encodeDelivery(&d)))
	}
	raws = append(raws,
		`{"id":"a","notice":"n","user":"u","channel":"live","link":"/cases/c"}`,
		`{"id":"a","notice":"n","user":"u","channel":"push","target":"t","attempt":11}`,
		`{"notice":"n","id":"a","user":"u","channel":"email"}`,
		`{"id": "a", "notice":"n","user":"u","channel":"email"}`,
		`{"id":"a","notice":"n","user":"u","channel":"email","extra":1}`,
		`{"id":"a","notice":"n","user":"u"}`,
		`{"id":"a","notice":"n","user":"u","channel":"email","attempt":007}`,
		`{"id":"a","notice":"n","user":"u","channel":"email","attempt":-1}`,
		`{"id":"a","notice":"n","user":"u","channel":"email","attempt":1e2}`,
		`{"id":"a","notice":"n","user":"u","channel":"email","attempt":99999999999999999999}`,
		`{"id":"a","notice":"n","user":"u","channel":"email"}x`,
		`{"id":"a","notice":"n","user":"u","channel":"email"`,
		`{"id":"a","notice":"n\u0041","user":"u","channel":"email"}`,
		"{\"id\":\"a\",\"notice\":\"n\xff\",\"user\":\"u\",\"channel\":\"email\"}",
		`{"id":"a","notice":"n","user":"u","channel":"email","target":null}`,
		`{"id":"a","notice":"n","user":"u","channel":"email","link":"l","target":"t"}`,
		``, `null`, `[]`)
	for _, raw := range raws {
		var want, got Delivery
		wantErr := unmarshal([]byte(raw), &want)
		gotErr := decodeDelivery([]byte(raw), &got)
		if (gotErr == nil) != (wantErr == nil) || (wantErr == nil && got != want) {
			t.Errorf("%s:\n got %+v, %v\nwant %+v, %v", raw, got, gotErr, want, wantErr)
		}
	}
}

// TestDecodeDeliveryAllocs: a delivery as encodeDelivery writes it
// decodes with one allocation (the string its fields are cut from).
func TestDecodeDeliveryAllocs(t *testing.T) {
	raw := encodeDelivery(&Delivery{ID: "06h1nnbn7q5cg0d92fkbg7430v3zj2mn", Notice: "06h1nnbn7mxews3hdhptspre5bmr5nxv",
		User: "06h1nnbn6hrvdr2kbhs63ymgx3cwn06q", Channel: ChannelLive, Link: "/cases/06h1nnbn6q3zq1a1q1xfeb1a0psgkx38", Attempt: 3})
	var d Delivery
	if n := testing.AllocsPerRun(100, func() { decodeDelivery(raw, &d) }); n > 1 {
		t.Errorf("%v allocations, want 1", n)
	}
	if d.Channel != ChannelLive || d.Attempt != 3 || d.Link != "/cases/06h1nnbn6q3zq1a1q1xfeb1a0psgkx38" {
		t.Errorf("decoded %+v", d)
	}
}

// TestDecodeNotification: decodeNotification gives what unmarshal gives,
// for what encodeNotification writes (hostile texts, every optional
// field) and for other JSON.
func TestDecodeNotification(t *testing.T) {
	hostile := []string{"", "Helmi Korhonen", "Åsa Öberg", `"q" \b\`, "<a>&", "tab\tnl\n", "line\u2028sep", "bad \xff utf-8", "🙂", "/cases/x?y=1"}
	helsinki := time.FixedZone("EET", 2*3600)
	var raws []string
	for i, s := range hostile {
		n := Notification{ID: "06h1nnbn7mxews3hdhptspre5bmr5nxv", User: "u" + s, Kind: KindProxySubmitted,
			At: time.Date(2026, 6, 1, 12, 0, 0, i*123456789%1000000000, [2]*time.Location{time.UTC, helsinki}[i%2]), Link: "/cases/" + s, Read: i%3 == 0}
		if i%4 != 0 {
			n.Params = map[string]string{"service": s, "reference": "HH-2026-000123", "actor": s + " x"}
		}
		switch i % 5 {
		case 1:
			n.Contact = &Contact{Email: s + "a@b.fi", Phone: "+358 40 123", Lang: "sv"}
		case 2:
			n.Contact = &Contact{Phone: "+358" + s}
		case 3:
			n.Contact = &Contact{}
		case 4:
			n.Contact = &Contact{Email: "e@x.fi", Lang: "en"}
		}
		raws = append(raws, string(encodeNotification(&n)))
	}
	const base = `{"id":"a","user":"u","type":"decision","at":"2026-11-27T05:00:00Z","link":"/cases/c"`
	raws = append(raws,
		base+`}`,
		base+`,"params":{}}`,
		base+`,"params":{"a":"1","a":"2"}}`,
		base+`,"params":{"a":"1",}}`,
		base+`,"params":{"a":1}}`,
		base+`,"read":false}`,
		base+`,"read":true,"params":{"a":"1"}}`,
		base+`,"contact":{"lang":"sv","email":"e@x.fi"}}`,
		base+`,"contact":{"email":""}}`,
		base+`,"contact":{"email":"e","email":"f"}}`,
		base+`,"contact":{"fax":"1"}}`,
		base+`,"contact":null}`,
		base+`,"extra":1}`,
		base+` }`,
		base,
		`{"id":"a","user":"u","type":"decision","at":"2026-11-27T25:00:00Z","link":"/cases/c"}`,
		`{"id":"a","user":"u","type":"decision","at":"yesterday","link":"/cases/c"}`,
		`{"id":"a","user":"u","type":"decision","at":"2026-11-27T05:00:00+02:00","link":"/cases/c"}`,
		`{"user":"u","id":"a","type":"decision","at":"2026-11-27T05:00:00Z","link":"/cases/c"}`,
		`{"id":"a","user":"u","type":"decision","at":"2026-11-27T05:00:00Z"}`,
		``, `null`, `{}`)
	for _, raw := range raws {
		var want, got Notification
		wantErr := unmarshal([]byte(raw), &want)
		gotErr := decodeNotification([]byte(raw), &got)
		if (gotErr == nil) != (wantErr == nil) {
			t.Errorf("%s:\n got %v\nwant %v", raw, gotErr, wantErr)
			continue
		}
		if !got.At.Equal(want.At) || got.At.Format(time.RFC3339Nano) != want.At.Format(time.RFC3339Nano) {
			t.Errorf("%s: at %v, want %v", raw, got.At, want.At)
		}
		got.At, want.At = time.Time{}, time.Time{}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v %+v\nwant %+v %+v", raw, got, got.Contact, want, want.Contact)
		}
	}
	raw := encodeNotification(&Notification{ID: "06h1nnbn7mxews3hdhptspre5bmr5nxv", User: "06h1nnbn6hrvdr2kbhs63ymgx3cwn06q", Kind: KindProxySubmitted,
		At: time.Now().UTC(), Link: "/cases/06h1nnbn6q3zq1a1q1xfeb1a0psgkx38",
		Params: map[string]string{"service": "home-help", "reference": "HH-2026-000123", "actor": "Juhani Korhonen", "principal": "Helmi Korhonen"}})
	var n Notification
	if a := testing.AllocsPerRun(100, func() { decodeNotification(raw, &n) }); a > 3 {
		t.Errorf("%v allocations, want at most 3 (the string and the map)", a)
	}
}
