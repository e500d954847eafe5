package notify_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"asiointi/i18n"
	"asiointi/server/internal/pgtest"
	"asiointi/server/notify"
	"asiointi/server/population"
	"asiointi/server/store"
	"asiointi/server/store/storetest"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type people map[string]population.Person

func (p people) Person(id string) (population.Person, error) {
	if x, ok := p[id]; ok {
		return x, nil
	}
	return population.Person{}, store.ErrNotFound
}

var demo = people{
	"helmi":  {ID: "helmi", FirstName: "Helmi", LastName: "Korhonen", Language: "fi", Email: "helmi@example.fi", Phone: "+358401"},
	"juhani": {ID: "juhani", FirstName: "Juhani", LastName: "Korhonen", Language: "fi", Email: "juhani@example.fi"},
	"sven":   {ID: "sven", FirstName: "Sven", LastName: "Lindqvist", Language: "sv", Email: "sven@example.fi"},
}

func openStore(t *testing.T, dir string) *store.Store {
	t.Helper()
	st, err := storetest.Open(t, dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func renderer(t *testing.T) *notify.Renderer {
	t.Helper()
	msg, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return &notify.Renderer{Msg: msg, BaseURL: "https://asiointi.example.fi",
		ServiceName: func(id, lang string) string {
			return map[string]string{"fi": "Kotipalvelu", "sv": "Hemservice", "en": "Home help"}[lang]
		}}
}

func TestRecipients(t *testing.T) {
	juhani, helmi := notify.Person{ID: "juhani", Name: "Juhani"}, &notify.Person{ID: "helmi", Name: "Helmi"}
	tests := []struct {
		name string
		a    notify.Action
		want []notify.Recipient
	}{
		{"for oneself: nobody", notify.Action{Actor: juhani}, nil},
		{"principal is the actor: nobody", notify.Action{Actor: juhani, Principal: &notify.Person{ID: "juhani"}}, nil},
		{"proxy: principal first, then actor", notify.Action{Actor: juhani, Principal: helmi}, []notify.Recipient{
			{User: "helmi", Kind: notify.KindProxySubmitted}, {User: "juhani", Kind: notify.KindSubmittedFor}}},
		{"parties, each once, not the actor", notify.Action{Actor: juhani, Parties: []notify.Person{{ID: "sven"}, {ID: "juhani"}, {ID: "sven"}}},
			[]notify.Recipient{{User: "sven", Kind: notify.KindPartySubmitted}}},
		{"principal also a party: told as principal", notify.Action{Actor: juhani, Principal: helmi, Parties: []notify.Person{{ID: "helmi"}, {ID: "aino"}}},
			[]notify.Recipient{{User: "helmi", Kind: notify.KindProxySubmitted}, {User: "juhani", Kind: notify.KindSubmittedFor}, {User: "aino", Kind: notify.KindPartySubmitted}}},
		{"organisation: its role holders, then the actor", notify.Action{Actor: juhani, Organisation: &notify.Organisation{ID: "1234567-8", Name: "Yhdistys",
			Members: []notify.Person{{ID: "aino"}, {ID: "juhani"}, {ID: "eero"}}}},
			[]notify.Recipient{{User: "aino", Kind: notify.KindOrgSubmitted}, {User: "eero", Kind: notify.KindOrgSubmitted}, {User: "juhani", Kind: notify.KindSubmittedFor}}},
		{"organisation with the actor its only role holder: nobody", notify.Action{Actor: juhani, Organisation: &notify.Organisation{ID: "1234567-8",
			Members: []notify.Person{{ID: "juhani"}}}}, nil},
		{"organisation with no role holders: nobody", notify.Action{Actor: juhani, Organisation: &notify.Organisation{ID: "1234567-8"}}, nil},
		{"handlers of a resident's own action", notify.Action{Actor: juhani, Handlers: []notify.Person{{ID: "kasittelija1"}, {ID: "kasittelija2"}, {ID: "kasittelija1"}}},
			[]notify.Recipient{{User: "kasittelija1", Kind: notify.KindHandlerSubmitted}, {User: "kasittelija2", Kind: notify.KindHandlerSubmitted}}},
		{"handlers last, after principal, actor and parties", notify.Action{Actor: juhani, Principal: helmi, Parties: []notify.Person{{ID: "aino"}},
			Handlers: []notify.Person{{ID: "kasittelija1"}}},
			[]notify.Recipient{{User: "helmi", Kind: notify.KindProxySubmitted}, {User: "juhani", Kind: notify.KindSubmittedFor},
				{User: "aino", Kind: notify.KindPartySubmitted}, {User: "kasittelija1", Kind: notify.KindHandlerSubmitted}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := notify.Recipients(tc.a); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestSettingsKinds(t *testing.T) {
	staff, residents := notify.SettingsKinds(true), notify.SettingsKinds(false)
	if !reflect.DeepEqual(staff, []string{notify.KindHandlerSubmitted, notify.KindCaseActivity, notify.KindDigest}) {
		t.Errorf("staff see %v", staff)
	}
	if len(staff)+len(residents) != len(notify.Kinds) || slices.Contains(residents, notify.KindHandlerSubmitted) ||
		!slices.Contains(residents, notify.KindOrgSubmitted) {
		t.Errorf("residents see %v", residents)
	}
}

func TestPreferences(t *testing.T) {
	st := openStore(t, t.TempDir())
	prefs := &notify.Prefs{Store: st}
	p, err := prefs.Get("helmi")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		kind, ch string
		want     bool
	}{
		{notify.KindProxySubmitted, notify.ChannelPush, true},
		{notify.KindProxySubmitted, notify.ChannelEmail, true},
		{notify.KindProxySubmitted, notify.ChannelSMS, false},
		// Every finished action in someone's name (issue 11), not only a submit.
		{notify.KindProxySupplemented, notify.ChannelPush, true},
		{notify.KindProxySupplemented, notify.ChannelEmail, true},
		{notify.KindProxyWithdrew, notify.ChannelPush, true},
		{notify.KindProxyWithdrew, notify.ChannelEmail, true},
		{notify.KindProxyApproved, notify.ChannelPush, true},
		{notify.KindProxyApproved, notify.ChannelEmail, true},
		{notify.KindDraftExpiring, notify.ChannelEmail, false},
		{notify.KindSubmittedFor, notify.ChannelPush, false},
	} {
		if p.Has(tc.kind, tc.ch) != tc.want {
			t.Errorf("default %s/%s = %v, want %v", tc.kind, tc.ch, !tc.want, tc.want)
		}
	}
	if err := prefs.Save("helmi", []string{notify.ChannelEmail, notify.ChannelSMS}, map[string][]string{notify.KindDraftExpiring: {notify.ChannelSMS}}); err != nil {
		t.Fatal(err)
	}
	p, _ = prefs.Get("helmi")
	if !p.Has(notify.KindDraftExpiring, notify.ChannelSMS) || p.Has(notify.KindProxySubmitted, notify.ChannelEmail) {
		t.Errorf("after save: %+v", p)
	}
	if !p.Has(notify.KindProxySubmitted, notify.ChannelPush) {
		t.Errorf("push, not shown, was changed: %+v", p)
	}
	for _, bad := range []map[string][]string{{"no-such-kind": nil}, {notify.KindDraftExpiring: {"fax"}}, {notify.KindDraftExpiring: {notify.ChannelPush}}} {
		if err := prefs.Save("helmi", []string{notify.ChannelEmail, notify.ChannelSMS}, bad); !errors.Is(err, notify.ErrUnknown) {
			t.Errorf("Save(%v) = %v, want ErrUnknown", bad, err)
		}
	}
	// Push went off for the proxy action too, for the rest of the test.
	prefs.Save("helmi", []string{notify.ChannelPush}, nil)
	// Deliveries follow the saved choice: SMS for the reminder only.
	err = st.Update(func(tx *store.Tx) error {
		if err := notify.DraftExpiring(tx, "helmi", "d1", "home-help", t0, t0.Add(72*time.Hour)); err != nil {
			return err
		}
		return notify.Submitted(tx, notify.Action{Case: "c1", At: t0, Actor: notify.Person{ID: "juhani"}, Principal: &notify.Person{ID: "helmi"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	var chans []string
	st.View(func(tx *store.Tx) error {
		return tx.Scan(store.Outbox, "", func(_ string, raw []byte) error {
			if !strings.Contains(string(raw), `"channel":"live"`) { // every notification goes live
				chans = append(chans, string(raw))
			}
			return nil
		})
	})
	if len(chans) != 1 || !strings.Contains(chans[0], `"channel":"sms"`) {
		t.Errorf("outbox %v, want one SMS", chans)
	}
}

func TestInbox(t *testing.T) {
	st := openStore(t, t.TempDir())
	inbox := &notify.Inbox{Store: st}
	var ids []string
	err := st.Update(func(tx *store.Tx) error {
		ids = ids[:0]
		for i := range 3 {
			n := notify.Notification{ID: store.NewID(t0.Add(time.Duration(i) * time.Second)), User: "helmi", Kind: notify.KindProxySubmitted, At: t0.Add(time.Duration(i) * time.Second), Link: "/cases/x"}
			ids = append(ids, n.ID)
			if err := notify.Record(tx, n); err != nil {
				return err
			}
		}
		return notify.Record(tx, notify.Notification{User: "sven", Kind: notify.KindDraftExpiring, At: t0})
	})
	if err != nil {
		t.Fatal(err)
	}
	list, _ := inbox.List("helmi", 0)
	if len(list) != 3 || list[0].ID != ids[2] || list[2].ID != ids[0] {
		t.Fatalf("not newest first: %+v", list)
	}
	if l, _ := inbox.List("helmi", 2); len(l) != 2 {
		t.Errorf("limit 2 gave %d", len(l))
	}
	unread := func(u string) int { n, _ := inbox.Unread(u); return n }
	if unread("helmi") != 3 {
		t.Errorf("unread %d", unread("helmi"))
	}
	svens, _ := inbox.List("sven", 0)
	for _, tc := range []struct {
		name, user, id string
		want           error
		unread         int
	}{
		{"own", "helmi", ids[1], nil, 2},
		{"own again", "helmi", ids[1], nil, 2},
		{"someone else's", "helmi", svens[0].ID, notify.ErrNotFound, 2},
		{"junk", "helmi", "../x", notify.ErrNotFound, 2},
		{"junk user", "helmi/..", ids[0], notify.ErrNotFound, 2},
	} {
		if err := inbox.MarkRead(tc.user, tc.id); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
		if unread("helmi") != tc.unread {
			t.Errorf("%s: unread %d, want %d", tc.name, unread("helmi"), tc.unread)
		}
	}
	if unread("sven") != 1 {
		t.Errorf("Sven's count changed: %d", unread("sven"))
	}
	if err := inbox.MarkAllRead("helmi"); err != nil {
		t.Fatal(err)
	}
	list, _ = inbox.List("helmi", 0)
	for _, n := range list {
		if !n.Read {
			t.Errorf("%s unread after read-all", n.ID)
		}
	}
	if unread("helmi") != 0 || unread("sven") != 1 {
		t.Errorf("unread helmi %d sven %d", unread("helmi"), unread("sven"))
	}
}

func TestRenderInRecipientsLanguage(t *testing.T) {
	r := renderer(t)
	n := notify.Notification{Kind: notify.KindProxySubmitted, Link: "/cases/c1", Params: map[string]string{"actor": "Juhani Korhonen", "service": "home-help"}}
	for lang, want := range map[string]string{
		"fi": "Juhani Korhonen lähetti puolestasi hakemuksen: Kotipalvelu.",
		"sv": "Juhani Korhonen skickade en ansökan för din räkning: Hemservice.",
		"en": "Juhani Korhonen sent an application in your name: Home help.",
	} {
		if got := r.Text(lang, n); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
	org := notify.Notification{Kind: notify.KindOrgSubmitted, Params: map[string]string{"actor": "Juhani Korhonen", "principal": "Kylän Kyläyhdistys ry", "service": "home-help"}}
	party := notify.Notification{Kind: notify.KindPartyStatus, Params: map[string]string{"actor": "Aino Virtanen", "service": "home-help", "reference": "ESI-2026-000001", "status": "decided"}}
	handler := notify.Notification{Kind: notify.KindHandlerSubmitted, Params: map[string]string{"actor": "Juhani Korhonen", "service": "home-help", "reference": "ESI-2026-000001"}}
	for _, tc := range []struct {
		lang string
		n    notify.Notification
		want string
	}{
		{"fi", org, "Juhani Korhonen lähetti hakemuksen organisaation Kylän Kyläyhdistys ry nimissä: Kotipalvelu."},
		{"sv", org, "Juhani Korhonen skickade en ansökan i namn av Kylän Kyläyhdistys ry: Hemservice."},
		{"en", handler, "Juhani Korhonen sent a new application for you to handle: Home help, ESI-2026-000001."},
		{"fi", party, "Hakemuksen ESI-2026-000001 (Kotipalvelu), jonka Aino Virtanen lähetti ja jossa olet osapuolena, tila muuttui: Päätös on tehty."},
		{"sv", party, "Ansökan ESI-2026-000001 (Hemservice) som Aino Virtanen skickade och där du är part har ny status: Beslut har fattats."},
		{"en", party, "The application ESI-2026-000001 (Home help) that Aino Virtanen sent, in which you are a party, has a new status: A decision has been made."},
	} {
		if got := r.Text(tc.lang, tc.n); got != tc.want {
			t.Errorf("%s %s: %q, want %q", tc.lang, tc.n.Kind, got, tc.want)
		}
	}
	exp := func(days int) notify.Notification {
		return notify.Notification{Kind: notify.KindDraftExpiring, At: t0, Link: "/drafts/d",
			Params: map[string]string{"service": "home-help", "expiresAt": t0.Add(time.Duration(days)*24*time.Hour - time.Minute).Format(time.RFC3339Nano)}}
	}
	for _, tc := range []struct {
		lang string
		days int
		want string
	}{
		{"sv", 1, "om 1 dag,"}, {"sv", 3, "om 3 dagar,"}, {"en", 1, "in 1 day,"}, {"en", 2, "in 2 days,"}, {"fi", 3, "3 päivän kuluttua"},
	} {
		if got := r.Text(tc.lang, exp(tc.days)); !strings.Contains(got, tc.want) {
			t.Errorf("%s %d days: %q lacks %q", tc.lang, tc.days, got, tc.want)
		}
	}
	subj, text, html := r.Mail("sv", n)
	if subj != "Nytt meddelande i e-tjänsten" || !strings.Contains(text, "https://asiointi.example.fi/sv/cases/c1") ||
		!strings.Contains(html, `href="https://asiointi.example.fi/sv/cases/c1"`) || !strings.Contains(html, "Hemservice") {
		t.Errorf("mail %q\n%s\n%s", subj, text, html)
	}
	if title := r.PushTitle("en"); strings.Contains(title, "Juhani") || title == "" {
		t.Errorf("push title %q", title)
	}
}

// fakeSender records messages and answers from a script by attempt.
type fakeSender struct {
	mu    sync.Mutex
	got   []notify.Message
	reply func(m notify.Message, attempt int) error
	block chan struct{} // when set, the send whose reply is errBlock waits on it
}

var errBlock = errors.New("block")

func (f *fakeSender) Send(ctx context.Context, m notify.Message) error {
	f.mu.Lock()
	f.got = append(f.got, m)
	n := 0
	for _, g := range f.got {
		if g.Key == m.Key {
			n++
		}
	}
	reply := f.reply
	f.mu.Unlock()
	if reply == nil {
		return nil
	}
	err := reply(m, n)
	if errors.Is(err, errBlock) {
		<-f.block
		return nil
	}
	return err
}

func (f *fakeSender) keys() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for _, m := range f.got {
		out[m.Key]++
	}
	return out
}

func outboxLen(t *testing.T, st *store.Store) int {
	n := 0
	st.View(func(tx *store.Tx) (err error) { n, err = tx.Count(store.Outbox); return err })
	return n
}

func submitFor(t *testing.T, st *store.Store, cases ...string) {
	t.Helper()
	err := st.Update(func(tx *store.Tx) error {
		for _, c := range cases {
			if err := notify.Submitted(tx, notify.Action{Case: c, Service: "home-help", At: t0,
				Actor: notify.Person{ID: "juhani", Name: "Juhani Korhonen"}, Principal: &notify.Person{ID: "helmi", Name: "Helmi Korhonen"}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDispatchRetries(t *testing.T) {
	st := openStore(t, t.TempDir())
	clk := &clock{t: t0}
	prefs := &notify.Prefs{Store: st}
	prefs.Save("helmi", notify.OptionalChannels, map[string][]string{notify.KindProxySubmitted: {notify.ChannelEmail, notify.ChannelSMS}})
	submitFor(t, st, "c1")
	mail := &fakeSender{reply: func(m notify.Message, attempt int) error {
		switch attempt {
		case 1:
			return errors.New("connection refused")
		case 2:
			return &notify.RetryError{After: 10 * time.Minute, Err: errors.New("429")}
		}
		return nil
	}}
	sms := &fakeSender{reply: func(notify.Message, int) error { return fmt.Errorf("%w: 400", notify.ErrPermanent) }}
	var omu sync.Mutex
	outcomes := map[string]int{}
	d := &notify.Dispatcher{Store: st, Render: renderer(t), People: demo, Now: clk.Now, Backoff: time.Minute,
		Senders: map[string]notify.Sender{notify.ChannelEmail: mail, notify.ChannelSMS: sms},
		Observe: func(channel, outcome string, _ time.Duration) {
			omu.Lock()
			outcomes[channel+" "+outcome]++
			omu.Unlock()
		}}
	run := func() int {
		n, err := d.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := run(); n != 4 { // e-mail, SMS, and live to both
		t.Fatalf("took %d, want 4", n)
	}
	if outboxLen(t, st) != 1 {
		t.Fatalf("outbox %d after first run, want the e-mail waiting", outboxLen(t, st))
	}
	if n := run(); n != 0 {
		t.Errorf("retried at once: %d", n)
	}
	clk.Add(47 * time.Second) // under 80 % of the first backoff
	if n := run(); n != 0 {
		t.Errorf("retried before the backoff: %d", n)
	}
	clk.Add(30 * time.Second) // past 120 %
	if n := run(); n != 1 {
		t.Errorf("second attempt: took %d", n)
	}
	clk.Add(9 * time.Minute) // Retry-After 10 min is honoured
	if n := run(); n != 0 {
		t.Errorf("retried before Retry-After: %d", n)
	}
	clk.Add(time.Minute + time.Second)
	if n := run(); n != 1 {
		t.Errorf("third attempt: took %d", n)
	}
	if outboxLen(t, st) != 0 {
		t.Errorf("outbox %d after delivery", outboxLen(t, st))
	}
	keys := mail.keys()
	if len(keys) != 1 {
		t.Errorf("one idempotency key across attempts, got %v", keys)
	}
	for k, n := range keys {
		if n != 3 || !strings.HasSuffix(k, ".email") {
			t.Errorf("key %s sent %d times", k, n)
		}
	}
	m := mail.got[2]
	if m.To != "helmi@example.fi" || m.Lang != "fi" || !strings.Contains(m.Text, "Juhani Korhonen lähetti puolestasi") ||
		m.Link != "https://asiointi.example.fi/fi/cases/c1" {
		t.Errorf("message %+v", m)
	}
	if len(sms.got) != 1 {
		t.Errorf("a 400 was retried: %d sends", len(sms.got))
	}
	want := map[string]int{"email retry": 2, "email delivered": 1, "sms dropped": 1, "live delivered": 2}
	if !reflect.DeepEqual(outcomes, want) {
		t.Errorf("observed %v, want %v", outcomes, want)
	}
}

// TestDispatchRecipientLanguage: Sven gets Swedish.
func TestDispatchRecipientLanguage(t *testing.T) {
	st := openStore(t, t.TempDir())
	err := st.Update(func(tx *store.Tx) error {
		return notify.Submitted(tx, notify.Action{Case: "c1", Service: "home-help", At: t0,
			Actor: notify.Person{ID: "juhani", Name: "Juhani Korhonen"}, Principal: &notify.Person{ID: "sven", Name: "Sven Lindqvist"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	mail := &fakeSender{}
	d := &notify.Dispatcher{Store: st, Render: renderer(t), People: demo, Now: func() time.Time { return t0 },
		Senders: map[string]notify.Sender{notify.ChannelEmail: mail}}
	if _, err := d.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(mail.got) != 1 || mail.got[0].Lang != "sv" || mail.got[0].To != "sven@example.fi" ||
		!strings.Contains(mail.got[0].Text, "skickade en ansökan för din räkning: Hemservice") || !strings.Contains(mail.got[0].Link, "/sv/") {
		t.Errorf("got %+v", mail.got)
	}
}

// TestDispatchCrash: the store is closed in the middle of a dispatch (the
// program dies with one send in flight) and opened again: every committed
// notification is delivered, and only the one in flight twice.
func TestDispatchCrash(t *testing.T) {
	dir := t.TempDir()
	st, err := storetest.Open(t, dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const total = 20
	var cs []string
	for i := range total {
		cs = append(cs, fmt.Sprintf("c%02d", i))
	}
	submitFor(t, st, cs...)
	clk := &clock{t: t0}
	mail := &fakeSender{block: make(chan struct{})}
	var mu sync.Mutex
	sent := 0
	inFlight := make(chan string, 1)
	mail.reply = func(m notify.Message, _ int) error {
		mu.Lock()
		defer mu.Unlock()
		sent++
		if sent == 8 {
			inFlight <- m.Key
			return errBlock
		}
		return nil
	}
	a := &notify.Dispatcher{Store: st, Render: renderer(t), People: demo, Now: clk.Now, Workers: 1, Batch: 5,
		Lease: time.Minute, Senders: map[string]notify.Sender{notify.ChannelEmail: mail}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.Run(ctx); close(done) }()
	key := <-inFlight
	st.Close() // the crash: nothing after this is written
	close(mail.block)
	cancel()
	<-done

	st = openStore(t, dir)
	if n := outboxLen(t, st); n == 0 {
		t.Errorf("nothing left after the crash")
	}
	clk.Add(2 * time.Minute) // the lease of the one in flight runs out
	mail.reply = nil
	b := &notify.Dispatcher{Store: st, Render: renderer(t), People: demo, Now: clk.Now,
		Senders: map[string]notify.Sender{notify.ChannelEmail: mail}}
	for {
		n, err := b.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	keys := mail.keys()
	if len(keys) != total {
		t.Errorf("%d notifications delivered, want %d", len(keys), total)
	}
	for k, n := range keys {
		if want := map[bool]int{true: 2, false: 1}[k == key]; n != want {
			t.Errorf("%s delivered %d times, want %d", k, n, want)
		}
	}
	if outboxLen(t, st) != 0 {
		t.Errorf("outbox not empty")
	}
}

// TestHandlersTold: one path tells handlers, through Action.Handlers: of
// a submitted application and of a resident's action on a case being
// handled (HandlersOnly: the handlers alone, not the one who acted), each
// linked to the staff page of the case.
func TestHandlersTold(t *testing.T) {
	st := openStore(t, t.TempDir())
	inbox := &notify.Inbox{Store: st}
	aino := notify.Person{ID: "aino", Name: "Aino Virtanen"}
	kaisa := notify.Person{ID: "kaisa", Name: "Kaisa Käsittelijä"}
	err := st.Update(func(tx *store.Tx) error {
		if err := notify.Submitted(tx, notify.Action{Case: "c1", Reference: "ESI-1", Service: "home-help", At: t0, Actor: aino,
			Parties: []notify.Person{{ID: "sven"}}, Handlers: []notify.Person{kaisa}}); err != nil {
			return err
		}
		return notify.HandlersOnly(tx, notify.Action{Case: "c2", Reference: "ESI-2", Service: "home-help", At: t0.Add(time.Second), Actor: aino,
			Parties: []notify.Person{{ID: "sven"}}, Handlers: []notify.Person{kaisa, aino}, HandlerKind: notify.KindCaseActivity, Status: "in-progress"})
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := inbox.List("kaisa", 0)
	if len(got) != 2 || got[0].Kind != notify.KindCaseActivity || got[0].Link != "/staff/cases/c2" || got[0].Params["status"] != "in-progress" ||
		got[1].Kind != notify.KindHandlerSubmitted || got[1].Link != "/staff/cases/c1" {
		t.Errorf("kaisa's notifications: %+v", got)
	}
	if got, _ := inbox.List("sven", 0); len(got) != 1 || got[0].Link != "/cases/c1" {
		t.Errorf("the party hears of the submission only: %+v", got)
	}
	if got, _ := inbox.List("aino", 0); len(got) != 0 {
		t.Errorf("the one who acted is told: %+v", got)
	}
}

// TestDispatchTwoNodes: two nodes' dispatchers share one PostgreSQL
// database (each its own connections, as two processes have) and deliver
// one outbox side by side; then node A dies with a send in flight (its
// connections cut: nothing it does after is written). Node B delivers
// the rest, and A's unfinished claims once their lease runs out: every
// notification arrives exactly once, but for the one A was sending when
// it died, which arrives twice (the receiver drops it by its key). On
// PostgreSQL whatever the run's backend: bbolt is one process's file.
func TestDispatchTwoNodes(t *testing.T) {
	url := pgtest.URL(t)
	open := func() *store.Store {
		st, err := store.Open(t.TempDir(), store.Options{URL: url})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	stA, stB := open(), open()
	defer stB.Close()
	const total = 60
	var cs []string
	for i := range total {
		cs = append(cs, fmt.Sprintf("c%02d", i))
	}
	submitFor(t, stA, cs...)
	clk := &clock{t: t0}

	started := make(chan struct{})
	inFlight := make(chan string, 1)
	aBlocked := make(chan struct{})
	var blockOnce sync.Once
	unblockB := func() { blockOnce.Do(func() { close(aBlocked) }) }
	var sentA int
	mailA := &fakeSender{block: make(chan struct{})}
	mailA.reply = func(m notify.Message, _ int) error {
		sentA++ // one worker: no lock needed
		switch sentA {
		case 1:
			close(started)
		case 3:
			inFlight <- m.Key
			unblockB()
			return errBlock
		}
		return nil
	}
	// B's sends wait until A is stuck in its third: B holds at most a
	// batch meanwhile, so A always gets that far (B once took every
	// delivery first under load, and the test waited for A forever).
	mailB := &fakeSender{reply: func(notify.Message, int) error { <-aBlocked; return nil }}
	// A sends one at a time, so that it dies with exactly one send whose
	// outcome is not written (TestDispatchCrash); B as configured.
	a := &notify.Dispatcher{Store: stA, Render: renderer(t), People: demo, Now: clk.Now, Workers: 1, Batch: 5,
		Lease: time.Minute, Poll: 10 * time.Millisecond, Senders: map[string]notify.Sender{notify.ChannelEmail: mailA}}
	b := &notify.Dispatcher{Store: stB, Render: renderer(t), People: demo, Now: clk.Now, Workers: 4, Batch: 8,
		Lease: time.Minute, Poll: 10 * time.Millisecond, Senders: map[string]notify.Sender{notify.ChannelEmail: mailB}}
	ctxA, cancelA := context.WithCancel(context.Background())
	ctxB, cancelB := context.WithCancel(context.Background())
	doneA, doneB := make(chan struct{}), make(chan struct{})
	go func() { a.Run(ctxA); close(doneA) }()
	<-started
	go func() { b.Run(ctxB); close(doneB) }()
	defer func() { cancelB(); <-doneB }()

	var key string
	select {
	case key = <-inFlight:
	case <-time.After(time.Minute):
		unblockB()
		t.Fatal("A never got to its third send")
	}
	stA.Close() // A dies: its connections are gone
	close(mailA.block)
	cancelA()
	<-doneA
	clk.Add(2 * time.Minute) // A's claims run out; B takes them
	deadline := time.Now().Add(30 * time.Second)
	for outboxLen(t, stB) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries still in the outbox", outboxLen(t, stB))
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancelB()
	<-doneB

	byA, byB := mailA.keys(), mailB.keys()
	if len(byA) < 3 || len(byB) == 0 {
		t.Errorf("A sent %d, B %d: both nodes should have delivered", len(byA), len(byB))
	}
	all := map[string]int{}
	for _, m := range []map[string]int{byA, byB} {
		for k, n := range m {
			all[k] += n
		}
	}
	if len(all) != total {
		t.Errorf("%d notifications delivered, want %d", len(all), total)
	}
	for k, n := range all {
		if want := map[bool]int{true: 2, false: 1}[k == key]; n != want {
			t.Errorf("%s delivered %d times (A %d, B %d), want %d", k, n, byA[k], byB[k], want)
		}
	}
}
