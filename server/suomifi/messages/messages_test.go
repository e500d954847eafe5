package messages_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"asiointi/i18n"
	"asiointi/server/notify"
	"asiointi/server/population"
	"asiointi/server/store"
	"asiointi/server/suomifi/messages"
	"asiointi/server/suomifi/messages/messagestest"
)

const (
	helmi = "050840-948K"
	sven  = "171279-9677"
)

func rig(t *testing.T) (*messagestest.Fake, *messages.Client) {
	t.Helper()
	f := messagestest.New("asiointi-api", "pw-1", "0123456-7_asiointi")
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, &messages.Client{BaseURL: srv.URL, Username: "asiointi-api", Password: "pw-1", ServiceID: "0123456-7_asiointi", HTTP: srv.Client()}
}

func noRefusals(t *testing.T, f *messagestest.Fake) {
	t.Helper()
	if len(f.Refused) > 0 {
		t.Errorf("the fake refused requests: %v", f.Refused)
	}
}

func TestSendIdempotent(t *testing.T) {
	f, c := rig(t)
	f.SetActive(helmi)
	ctx := context.Background()
	m := messages.Electronic{ExternalID: "n1.suomifi-messages", RecipientID: helmi, Title: "Uusi viesti", Body: "Juhani lähetti hakemuksen puolestasi."}
	id1, err := c.Send(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	id2, err := c.Send(ctx, m)
	if err != nil || id2 != id1 {
		t.Errorf("repeat: id %d (%v), want the first one %d", id2, err, id1)
	}
	if sent := f.Sent(); len(sent) != 1 || sent[0].ServiceType != "Normal" || sent[0].ServiceID != "0123456-7_asiointi" || sent[0].Title != m.Title {
		t.Errorf("sent = %+v", sent)
	}
	if f.Requests["POST /v1/token"] != 1 {
		t.Errorf("token asked %d times, want once (cached)", f.Requests["POST /v1/token"])
	}
	noRefusals(t, f)
	// Not to a mailbox that is not in use.
	if _, err := c.Send(ctx, messages.Electronic{ExternalID: "n2", RecipientID: sven, Title: "t", Body: "b"}); err == nil {
		t.Error("sent to an inactive mailbox")
	}
}

func TestMailboxBatches(t *testing.T) {
	f, c := rig(t)
	c.MailboxBatch = 10
	var ids []string
	for i := range 25 {
		ids = append(ids, fmt.Sprintf("id-%02d", i))
	}
	f.SetActive("id-03", "id-17", "id-24")
	got, err := c.ActiveMailboxes(context.Background(), ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || !got["id-03"] || !got["id-17"] || !got["id-24"] {
		t.Errorf("active = %v", got)
	}
	if n := f.Requests["POST /v1/mailboxes/active"]; n != 3 || f.MaxBatch != 10 {
		t.Errorf("%d requests, largest %d ids; want 3 of at most 10", n, f.MaxBatch)
	}
	noRefusals(t, f)
}

func TestTokenRenewed(t *testing.T) {
	f, c := rig(t)
	ctx := context.Background()
	if _, err := c.ActiveMailboxes(ctx, []string{helmi}); err != nil {
		t.Fatal(err)
	}
	f.ExpireTokens()
	if _, err := c.ActiveMailboxes(ctx, []string{helmi}); err != nil {
		t.Fatalf("after the token expired: %v", err)
	}
	if n := f.Requests["POST /v1/token"]; n != 2 {
		t.Errorf("token asked %d times, want 2", n)
	}
	c.Password = "wrong"
	f.ExpireTokens()
	if _, err := c.ActiveMailboxes(ctx, []string{helmi}); err == nil {
		t.Error("wrong password accepted")
	}
}

// TestChannel: the notification channel's answers as the pipeline reads
// them.
func TestChannel(t *testing.T) {
	for _, tc := range []struct {
		name      string
		active    bool
		fail      []int
		after     int
		permanent bool
		retry     time.Duration
		ok        bool
	}{
		{name: "delivered", active: true, ok: true},
		{name: "no active mailbox", permanent: true},
		{name: "throttled", active: true, fail: []int{429}, after: 30, retry: 30 * time.Second},
		{name: "server error", active: true, fail: []int{503}},
		{name: "bad request", active: true, fail: []int{400}, permanent: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, c := rig(t)
			if tc.active {
				f.SetActive(helmi)
			}
			ch := &messages.Channel{Client: c}
			// Fetch the token first, so the failure hits the real call.
			if _, err := c.ActiveMailboxes(context.Background(), []string{"x"}); err != nil {
				t.Fatal(err)
			}
			f.FailNext(tc.after, tc.fail...)
			err := ch.Send(context.Background(), notify.Message{Key: "n1.suomifi-messages", Channel: notify.ChannelSuomiFi,
				To: helmi, Subject: "Asiointi", Text: "Uusi viesti", Link: "https://asiointi.example.fi/fi/cases/1"})
			var re *notify.RetryError
			switch {
			case tc.ok && err != nil:
				t.Fatalf("err = %v", err)
			case tc.permanent != errors.Is(err, notify.ErrPermanent):
				t.Errorf("err = %v, permanent = %v", err, tc.permanent)
			case tc.retry > 0 && (!errors.As(err, &re) || re.After != tc.retry):
				t.Errorf("err = %v, want retry after %s", err, tc.retry)
			case !tc.ok && err == nil:
				t.Error("no error")
			}
			if tc.ok {
				sent := f.Sent()
				if len(sent) != 1 || !strings.Contains(sent[0].Body, "https://asiointi.example.fi/fi/cases/1") {
					t.Errorf("sent = %+v", sent)
				}
			}
			if err != nil && strings.Contains(err.Error(), helmi) {
				t.Errorf("the error names the henkilötunnus: %v", err)
			}
		})
	}
}

// people is the dispatcher's directory.
type people map[string]population.Person

func (p people) Person(id string) (population.Person, error) {
	if x, ok := p[id]; ok {
		return x, nil
	}
	return population.Person{}, store.ErrNotFound
}

// TestPipeline: a notification of a kind the installation sends to
// Suomi.fi Messages reaches the mailbox in the recipient's language,
// after a failed attempt, once; a kind not named does not.
func TestPipeline(t *testing.T) {
	f, c := rig(t)
	f.SetActive(sven)
	st, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := notify.SetMessagesKinds(st, []string{notify.KindProxySubmitted}); err != nil {
		t.Fatal(err)
	}
	if err := notify.SetMessagesKinds(st, []string{"no-such-kind"}); !errors.Is(err, notify.ErrUnknown) {
		t.Errorf("unknown kind: %v", err)
	}
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	now := t0
	msg, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	d := &notify.Dispatcher{Store: st, People: people{"sven": {ID: "sven", Hetu: sven, Language: "sv"}},
		Render:  &notify.Renderer{Msg: msg, BaseURL: "https://asiointi.example.fi", ServiceName: func(id, lang string) string { return "Hemservice" }},
		Senders: map[string]notify.Sender{notify.ChannelSuomiFi: &messages.Channel{Client: c}},
		Now:     func() time.Time { return now }, Backoff: time.Minute}
	err = st.Update(func(tx *store.Tx) error {
		if err := notify.Record(tx, notify.Notification{User: "sven", Kind: notify.KindProxySubmitted, At: t0, Link: "/cases/c1",
			Params: map[string]string{"service": "home-help", "actor": "Juhani Korhonen"}}); err != nil {
			return err
		}
		return notify.Record(tx, notify.Notification{User: "sven", Kind: notify.KindDraftExpiring, At: t0, Link: "/drafts/d1",
			Params: map[string]string{"service": "home-help", "expiresAt": t0.Format(time.RFC3339)}})
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ActiveMailboxes(context.Background(), []string{"x"}); err != nil {
		t.Fatal(err)
	}
	f.FailNext(0, 503)
	for range 3 {
		if _, err := d.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		now = now.Add(5 * time.Minute)
	}
	sent := f.Sent()
	if len(sent) != 1 {
		t.Fatalf("sent %d messages, want 1: %+v", len(sent), sent)
	}
	if s := sent[0]; s.Recipient != sven || !strings.Contains(s.Body, "Juhani Korhonen") || !strings.Contains(s.Body, "/sv/cases/c1") {
		t.Errorf("message = %+v", s)
	}
	noRefusals(t, f)

	// The events feed: delivered, then read, over several pages.
	f.AddEvent("Electronic message created", sent[0].ExternalID)
	f.AddEvent("Message sent to electronic mailbox", "other")
	f.AddEvent("Electronic message read", sent[0].ExternalID)
	p := &messages.Poller{Client: c, Store: st}
	n, err := p.PollOnce(context.Background())
	if err != nil || n != 3 {
		t.Fatalf("polled %d, %v; want 3", n, err)
	}
	s, ok, err := p.StatusOf(sent[0].ExternalID)
	if err != nil || !ok || !s.Read {
		t.Errorf("status = %+v %v %v, want read", s, ok, err)
	}
	f.AddEvent("Electronic message created", "later")
	if n, err := p.PollOnce(context.Background()); err != nil || n != 1 {
		t.Errorf("second poll: %d, %v; want only the new event", n, err)
	}
	noRefusals(t, f)
}

// TestDefaultKindsReachMailbox: with the default kinds (no
// ASIOINTI_MESSAGES_KINDS), a decision and a request for more
// information reach the resident's Suomi.fi Messages mailbox; a status
// change does not.
func TestDefaultKindsReachMailbox(t *testing.T) {
	f, c := rig(t)
	f.SetActive(sven)
	st, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := notify.SetMessagesKinds(st, notify.DefaultMessagesKinds); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	msg, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	d := &notify.Dispatcher{Store: st, People: people{"sven": {ID: "sven", Hetu: sven, Language: "sv"}},
		Render:  &notify.Renderer{Msg: msg, BaseURL: "https://asiointi.example.fi", ServiceName: func(id, lang string) string { return "Hemservice" }},
		Senders: map[string]notify.Sender{notify.ChannelSuomiFi: &messages.Channel{Client: c}},
		Now:     func() time.Time { return t0 }, Backoff: time.Minute}
	err = st.Update(func(tx *store.Tx) error {
		for _, kind := range []string{notify.KindDecision, notify.KindSupplementRequested, notify.KindCaseStatus} {
			n := notify.Notification{User: "sven", Kind: kind, At: t0, Link: "/cases/" + kind,
				Params: map[string]string{"service": "home-help", "reference": "ESI-2026-000001", "status": "in-progress"}}
			if err := notify.Record(tx, n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	var links []string
	for _, s := range f.Sent() {
		links = append(links, s.Body)
	}
	got := strings.Join(links, "\n")
	if len(links) != 2 || !strings.Contains(got, "/sv/cases/decision") || !strings.Contains(got, "/sv/cases/supplement-requested") {
		t.Errorf("sent %d messages, want the decision and the supplement request:\n%s", len(links), got)
	}
	noRefusals(t, f)
}
