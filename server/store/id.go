package store

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"time"
)

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// NewID returns a time-ordered, unguessable identifier: 48 bits of
// milliseconds followed by 112 random bits, in lowercase Crockford base32
// (32 characters). Keys made from it sort by creation time.
func NewID(now time.Time) string {
	var b [20]byte
	ms := uint64(now.UnixMilli())
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], ms)
	copy(b[:6], ts[2:])
	if _, err := rand.Read(b[6:]); err != nil {
		panic(err)
	}
	return idEncoding.EncodeToString(b[:])
}

// ValidID reports whether s looks like an id made by NewID; handlers use it
// to refuse junk before touching the store.
func ValidID(s string) bool {
	if len(s) != 32 {
		return false
	}
	_, err := idEncoding.DecodeString(s)
	return err == nil
}
