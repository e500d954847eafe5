package notify

import (
	"errors"
	"slices"

	"asiointi/server/store"
)

// ChannelSuomiFi delivers to the recipient's Suomi.fi Messages mailbox,
// for the kinds the installation names (SetMessagesKinds), whatever the
// person's own channel choices: the national model sends the principal
// word of finished business there.
const ChannelSuomiFi = "suomifi-messages"

// DefaultMessagesKinds go to Suomi.fi Messages unless configured
// otherwise: what was done in the person's name or for them, and the word
// of the municipality on their case that they must not miss — a
// decision, and a request for more information (it has a deadline).
var DefaultMessagesKinds = []string{KindProxySubmitted, KindSubmittedFor, KindPartySubmitted,
	KindDecision, KindSupplementRequested}

const messagesKindsKey = "notify/suomifi-messages-kinds"

// SetMessagesKinds records the kinds that go to Suomi.fi Messages; none
// turns the channel off. Unknown kinds are refused.
func SetMessagesKinds(st *store.Store, kinds []string) error {
	for _, k := range kinds {
		if !slices.Contains(Kinds, k) {
			return ErrUnknown
		}
	}
	return st.Update(func(tx *store.Tx) error {
		if len(kinds) == 0 {
			return tx.Delete(store.Settings, messagesKindsKey)
		}
		return tx.Put(store.Settings, messagesKindsKey, kinds)
	})
}

// messagesKinds are the kinds that go to Suomi.fi Messages, read once
// for all the notifications of one event (none: the channel is off).
type messagesKinds struct {
	read  bool
	kinds []string
}

func (m *messagesKinds) get(tx *store.Tx) ([]string, error) {
	if m.read {
		return m.kinds, nil
	}
	raw, err := tx.GetRaw(store.Settings, messagesKindsKey)
	if errors.Is(err, store.ErrNotFound) { // the channel is off: nothing decoded
		m.read = true
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if err := unmarshal(raw, &m.kinds); err != nil {
		return nil, err
	}
	m.read = true
	return m.kinds, nil
}

// queueMessages owes n to Suomi.fi Messages when its kind goes there.
func queueMessages(q *queue) error {
	kinds, err := q.messages.get(q.tx)
	if err != nil || !slices.Contains(kinds, q.n.Kind) {
		return err
	}
	return q.add(ChannelSuomiFi, "")
}
