package eid

import (
	"time"

	"asiointi/server/identity"
)

// CloneAttempt takes the login attempt a token names and answers a maker
// of new tokens for the very same request id (what an attacker holding
// the browser's cookie would have).
func CloneAttempt(st *identity.LoginStates, token string) (func() (string, error), error) {
	var a loginAttempt
	if err := st.Take(kindLogin, token, &a); err != nil {
		return nil, err
	}
	return func() (string, error) { return st.Begin(kindLogin, a, time.Minute) }, nil
}
