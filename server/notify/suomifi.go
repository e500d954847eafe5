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

// queueMessages owes n to Suomi.fi Messages when its kind goes there.
func queueMessages(q *queue) error {
	var kinds []string
	err := get(q.tx, store.Settings, messagesKindsKey, &kinds)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil || !slices.Contains(kinds, q.n.Kind) {
		return err
	}
	return q.add(ChannelSuomiFi, "")
}
