package cases

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
)

// TestEncodeStored: the records a submit encodes with encodeStored (a
// case, through encodeCaseRecord; an event; the sent draft's record) are
// json.Marshal's bytes, which wrote them before: members, map key order,
// escapes (HTML, U+2028, invalid UTF-8), numbers, times (zones,
// fractions, zero), omitempty, nil and empty maps and slices.
func TestEncodeStored(t *testing.T) {
	helsinki, err := time.LoadLocation("Europe/Helsinki")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2027, 2, 1, 10, 0, 0, 123456789, helsinki)
	later := time.Date(2027, 3, 31, 23, 59, 59, 0, time.UTC)
	odd := "<b>&amp;</b> \u2028\u2029 \x7f \"q\" \\ \t\n ä€😀 \xff\xfe end"
	// Without invalid UTF-8 (which encodeStored leaves to encoding/json).
	valid := strings.ReplaceAll(odd, "\xff\xfe", "\x00\x1f")
	answers := map[string]any{
		"groupName": "Kerho <b>&", "notes": odd, "participants": 12.0, "fraction": 0.1,
		"big": 1e21, "small": 1e-7, "tiny": 5e-324, "huge": math.MaxFloat64, "negZero": math.Copysign(0, -1),
		"int": 12345678901234567.0, "yes": true, "no": false, "none": nil,
		"list":  []any{"a", 1.5, nil, []any{}, map[string]any{}},
		"group": []any{map[string]any{"z": "1", "a": []any{"x"}, "m": map[string]any{"b": 2.0, "a": 1.0}}},
		"":      "empty key", "key <&>": "html in a key", "ä": "non-ASCII key", "B": "upper", "a": "lower",
	}
	sent := time.Date(2027, 3, 1, 8, 0, 0, 0, helsinki)
	cases := []any{
		&Case{ID: "01jz", Service: "sports-shift", Status: StatusSubmitted, Answers: answers, Parties: []Party{}, SubmittedAt: at},
		&Case{}, // zero: nil maps and slices, zero times
		&Case{ID: "01jy", Reference: "ESI-2027-000001", Service: "s", FormVersion: 3, Status: StatusAwaitingSignatures,
			Actor: Ref{ID: "u1", Name: "Aino <A>", Kind: "resident"}, Principal: &Ref{ID: "u2", Name: valid},
			Answers: map[string]any{}, Municipality: "091", Known: map[string]any{"person.name": "x"},
			Attachments: []Attachment{{ID: "a1", Draft: "d", Field: "f", Name: "plan <1>.pdf", MIME: "application/pdf", Size: 1 << 40, SHA256: "ab", Owner: "u1", CreatedAt: at}},
			Parties:     []Party{{ID: "p", Name: "Pekka", Status: "waiting", Person: "u3"}}, Notified: []Party{{Name: "N"}},
			Round: 2, DraftID: "d", SubmittedAt: at, UpdatedAt: later, DueAt: later.AddDate(0, 1, 0), RetainUntil: later.AddDate(10, 0, 0),
			RetentionDue:      1234567890123,
			Sources:           map[string]PrefillSource{"b": {Source: "population", Locked: true, Hash: "h", Value: "not stored"}, "a": {Source: "earlier-case", Case: "c", Reference: "R"}},
			ConsentsWithdrawn: map[string]*time.Time{"c1": &at, "c0": nil},
			Version:           4, Handler: &Ref{ID: "s1", Name: "Käsittelijä", Kind: "staff"},
			Supplement: &Supplement{Message: valid, Fields: []string{"a", "b"}, Due: later, RequestedAt: at, By: Ref{ID: "s"}, SentAt: &sent, Reminded: true},
			Decision:   &Decision{Outcome: OutcomePartly, Text: "Päätös", At: at, By: Ref{ID: "s"}, Attachment: &Attachment{ID: "x"}}},
		// Values of other types than JSON decodes to (a prefilled value,
		// a test's) take go-json-experiment's own path.
		&Case{Answers: map[string]any{"int": 3, "strings": []string{"a", "<"}, "nilList": []any(nil), "nilMap": map[string]any(nil),
			"strMap": map[string]string{"b": "<", "a": "x"}, "time": at, "f32": float32(0.1), "ref": &Ref{ID: "x"}, "bytes": []byte("<>")}},
		&Case{Answers: map[string]any{"n": math.NaN()}}, &Case{Answers: map[string]any{"i": []any{math.Inf(-1)}}},
		Event{ID: "e1", Case: "01jz", Type: "submitted", At: at, Actor: Ref{ID: "u1", Name: "Aino"}, To: StatusSubmitted},
		Event{ID: "e2", Type: "supplemented", At: time.Time{}, Principal: &Ref{}, Note: valid,
			Changes: []Change{{}}},
		&Draft{ID: "d", Service: "s", FormVersion: 1, Owner: Ref{ID: "u"}, Data: answers, CreatedAt: at, CaseID: "c", UpdatedAt: later, ExpiresAt: later, Version: 7, Step: 2},
		&Draft{ID: "d2", Principal: &Ref{ID: "p"}, Locked: map[string]any{"hetu": "010101-123N", "n": 1.0},
			Prefill: map[string]PrefillSource{"hetu": {Source: "population", About: "p", Locked: true}}, Due: 99, Reopens: "c", Reminded: true},
	}
	// Answers of every kind, made up at random (the same each run).
	r := rand.New(rand.NewPCG(9, 9))
	for i := range 200 {
		cases = append(cases, &Case{ID: "r", Answers: randomAnswers(r, 3), SubmittedAt: at.Add(time.Duration(i) * 1234567 * time.Microsecond)})
	}
	// Prefill and Sources (writeSources): empty, and made up at random.
	cases = append(cases, &Draft{Prefill: map[string]PrefillSource{}}, &Case{Sources: map[string]PrefillSource{}})
	for range 50 {
		cases = append(cases, &Draft{ID: "r", Prefill: randomSources(r)}, &Case{ID: "r", Sources: randomSources(r)})
	}
	for i, v := range cases {
		want, werr := json.Marshal(v)
		if werr != nil { // NaN and infinities are refused both ways
			if _, err := encodeStored(v); err == nil {
				t.Errorf("%d %T: no error, json.Marshal's is %v", i, v, werr)
			}
			continue
		}
		got, err := encodeStored(v)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%d %T (%v):\ngot  %s\nwant %s", i, v, err, got, want)
		}
		pooled, err := encodeStoredPooled(v)
		if err != nil || !bytes.Equal(pooled, want) {
			t.Errorf("%d %T pooled (%v):\ngot  %s\nwant %s", i, v, err, pooled, want)
		}
		putAnswers(pooled)
		if c, ok := v.(*Case); ok {
			rec, err := encodeCaseRecord(c)
			if err != nil || !bytes.Equal(rec[recordRoom:], want) {
				t.Errorf("%d: encodeCaseRecord (%v):\ngot  %s\nwant %s", i, err, rec[recordRoom:], want)
			}
			rec.release()
		}
	}
}

// randomAnswers makes up answers as JSON decodes them: strings (with
// characters that need escaping), numbers, booleans, nulls, lists and
// objects, depth levels deep at most.
func randomAnswers(r *rand.Rand, depth int) map[string]any {
	out := map[string]any{}
	for range r.IntN(8) {
		out[randomString(r)] = randomValue(r, depth)
	}
	return out
}

// randomSources makes up the sources of prefilled answers, with valid
// UTF-8 (output with invalid UTF-8 is encoding/json's, see encodeStored).
func randomSources(r *rand.Rand) map[string]PrefillSource {
	str := func() string { return strings.ToValidUTF8(randomString(r), "") }
	out := map[string]PrefillSource{}
	for range 1 + r.IntN(8) {
		out[str()] = PrefillSource{Source: str(), About: str(), Case: str(),
			Reference: str(), Locked: r.IntN(2) == 0, Hash: str(), Value: randomValue(r, 1)}
	}
	return out
}

func randomValue(r *rand.Rand, depth int) any {
	switch k := r.IntN(9); {
	case k == 0:
		return nil
	case k == 1:
		return r.IntN(2) == 0
	case k == 2:
		return math.Float64frombits(r.Uint64()) // any float (NaN and Inf are refused)
	case k == 3:
		return float64(r.IntN(2000000)-1000000) / float64([]int{1, 10, 1000, 1e7}[r.IntN(4)])
	case k == 4 && depth > 0:
		list := make([]any, r.IntN(4))
		for i := range list {
			list[i] = randomValue(r, depth-1)
		}
		return list
	case k == 5 && depth > 0:
		return randomAnswers(r, depth-1)
	default:
		return randomString(r)
	}
}

func randomString(r *rand.Rand) string {
	parts := []string{"a", "Z", "ä", "€", "😀", "<", ">", "&", "\u2028", "\u2029", "\"", "\\", "/", "\n", "\t", "\x00", "\x1f", "\x7f", "\xff", "\xe2\x82", " ", "0"}
	var b strings.Builder
	for range r.IntN(6) {
		b.WriteString(parts[r.IntN(len(parts))])
	}
	return b.String()
}

// TestEncodeAnswersPooled: encodeAnswers writes into pooled buffers what
// encodeValue makes (what a save stored before; members in map order, so
// compared decoded and by length), also when each buffer goes back to
// the pool and is written again.
func TestEncodeAnswersPooled(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for i := range 300 {
		answers := randomAnswers(r, 3)
		if i%50 == 0 {
			answers = map[string]any{}
		}
		want, werr := encodeValue(answers)
		got, err := encodeAnswers(answers)
		if (werr == nil) != (err == nil) {
			t.Fatalf("%d: got %s (%v)\nwant %s (%v)", i, got, err, want, werr)
		}
		var gotV, wantV any
		if werr == nil && (len(got) != len(want) || jsonv2.Unmarshal(got, &gotV) != nil || jsonv2.Unmarshal(want, &wantV) != nil || !reflect.DeepEqual(gotV, wantV)) {
			t.Fatalf("%d: got %s\nwant %s", i, got, want)
		}
		putAnswers(got)
	}
}
