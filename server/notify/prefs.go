package notify

import (
	"errors"
	"slices"

	jsonv1 "github.com/go-json-experiment/json/v1"

	"asiointi/server/store"
)

// Channels a notification may go to besides the in-app list, which is
// always on.
const (
	ChannelEmail = "email"
	ChannelSMS   = "sms"
	ChannelPush  = "push"
)

// OptionalChannels are the channels a person turns on or off, in the
// order settings show them.
var OptionalChannels = []string{ChannelPush, ChannelEmail, ChannelSMS}

// Preferences say which kinds go to which optional channels.
type Preferences struct {
	// On maps a kind to its channels; a kind missing here has its default.
	On map[string][]string `json:"on"`
}

// defaults: push and e-mail for what others did in your name or in the
// name of your organisation; the rest (a handler's new case too: it is
// in their inbox) in the app only.
var defaults = map[string][]string{
	KindProxySubmitted:    {ChannelPush, ChannelEmail},
	KindProxySupplemented: {ChannelPush, ChannelEmail},
	KindProxyWithdrew:     {ChannelPush, ChannelEmail},
	KindProxyApproved:     {ChannelPush, ChannelEmail},
	KindProxyConsent:      {ChannelPush, ChannelEmail},
	KindProxyShared:       {ChannelPush, ChannelEmail},
	KindCaseShared:        {ChannelPush, ChannelEmail},
	KindSubmittedFor:      {},
	KindPartySubmitted:    {ChannelPush, ChannelEmail},
	KindPartyStatus:       {ChannelPush, ChannelEmail},
	KindOrgSubmitted:      {ChannelPush, ChannelEmail},
	KindOrgSupplemented:   {ChannelPush, ChannelEmail},
	KindOrgWithdrew:       {ChannelPush, ChannelEmail},
	KindHandlerSubmitted:  {},
	KindDraftExpiring:     {},
	// A co-applicant is asked on every channel there is for them; the
	// applicant hears of the answers where they hear of their own.
	KindInvitation:         {ChannelPush, ChannelEmail, ChannelSMS},
	KindInvitationReminder: {ChannelPush, ChannelEmail, ChannelSMS},
	// Told where they were asked that they need not answer.
	KindPartyRemoved:      {ChannelPush, ChannelEmail, ChannelSMS},
	KindPartyAnswered:     {},
	KindPartyDeclined:     {ChannelPush, ChannelEmail},
	KindInvitationExpired: {ChannelPush, ChannelEmail},
	KindAllApproved:       {ChannelPush, ChannelEmail},
	// A handler's answers: the resident must not miss them.
	KindCaseStatus:          {},
	KindSupplementRequested: {ChannelPush, ChannelEmail},
	KindDecision:            {ChannelPush, ChannelEmail},
	KindCaseMessage:         {ChannelPush, ChannelEmail},
	KindCaseActivity:        {},
	KindSupplementDue:       {ChannelPush, ChannelEmail},
	KindDigest:              {ChannelEmail},
}

// Channels lists the optional channels on for kind.
func (p Preferences) Channels(kind string) []string {
	if on, ok := p.On[kind]; ok {
		return on
	}
	return defaults[kind]
}

// Has reports whether channel is on for kind.
func (p Preferences) Has(kind, channel string) bool {
	return slices.Contains(p.Channels(kind), channel)
}

// Set turns channel on or off for kind.
func (p *Preferences) Set(kind, channel string, on bool) {
	cur := slices.DeleteFunc(slices.Clone(p.Channels(kind)), func(c string) bool { return c == channel })
	if on {
		cur = append(cur, channel)
	}
	if p.On == nil {
		p.On = map[string][]string{}
	}
	p.On[kind] = cur
}

// ErrUnknown refuses a kind or channel this package does not know.
var ErrUnknown = errors.New("notify: unknown kind or channel")

// Prefs reads and changes people's preferences.
type Prefs struct {
	Store *store.Store
}

func prefsIn(tx *store.Tx, user string) (Preferences, error) {
	// Most people never change theirs: the lookup alone, nothing decoded
	// or allocated (it runs in the write of every event that notifies).
	raw, err := tx.GetRaw(store.NotifyPrefs, user)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			err = nil
		}
		return Preferences{}, err
	}
	var p Preferences
	err = unmarshal(raw, &p)
	return p, err
}

// Get returns the person's preferences (defaults when never changed).
func (s *Prefs) Get(user string) (Preferences, error) {
	var p Preferences
	err := s.Store.View(func(tx *store.Tx) (err error) {
		p, err = prefsIn(tx, user)
		return err
	})
	return p, err
}

// Save sets the person's choices for the channels named in shown (the
// ones a settings form offered): on maps kind to the channels to turn on;
// the shown channels not named for a kind are turned off, the others keep
// their value.
func (s *Prefs) Save(user string, shown []string, on map[string][]string) error {
	for _, ch := range shown {
		if !slices.Contains(OptionalChannels, ch) {
			return ErrUnknown
		}
	}
	for k, chs := range on {
		if !slices.Contains(Kinds, k) {
			return ErrUnknown
		}
		for _, ch := range chs {
			if !slices.Contains(shown, ch) {
				return ErrUnknown
			}
		}
	}
	return s.Store.Update(func(tx *store.Tx) error {
		p, err := prefsIn(tx, user)
		if err != nil {
			return err
		}
		for _, k := range Kinds {
			for _, ch := range shown {
				p.Set(k, ch, slices.Contains(on[k], ch))
			}
		}
		return tx.Put(store.NotifyPrefs, user, p)
	})
}

// The notifications and deliveries this package stores are decoded with
// github.com/go-json-experiment/json/v1: encoding/json's semantics on the
// v2 engine, which decodes a notification with a fifth of encoding/json's
// allocations (25 to 5); they are encoded by hand (encode.go). Each is
// done in or next to the write of every event that notifies (issue 10:
// what the pipeline costs a submit).

func unmarshal(raw []byte, v any) error { return jsonv1.Unmarshal(raw, v) }

// get decodes the value at key like store.Tx.Get, with unmarshal.
func get(tx *store.Tx, bucket, key string, v any) error {
	raw, err := tx.GetRaw(bucket, key)
	if err != nil {
		return err
	}
	return unmarshal(raw, v)
}
