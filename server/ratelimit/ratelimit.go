// Package ratelimit is an in-memory token-bucket limiter keyed by strings
// (a session, a client address). One process owns the store, so one
// process's memory is the right place for it.
package ratelimit

import (
	"math"
	"sync"
	"time"
)

// Rule allows Burst requests at once, refilled at Per / Every.
type Rule struct {
	Burst int
	Every time.Duration // time to earn one token
}

type bucket struct {
	tokens float64
	last   time.Time
}

// Limiter applies one rule to many keys.
type Limiter struct {
	rule Rule
	now  func() time.Time
	mu   sync.Mutex
	m    map[string]*bucket
	ops  int
}

// New makes a limiter; now is injectable for tests.
func New(rule Rule, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{rule: rule, now: now, m: map[string]*bucket{}}
}

// Allow takes a token for key. When none is left it returns false and how
// long until one will be.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ops++
	if l.ops%4096 == 0 {
		l.sweep(now)
	}
	b, ok := l.m[key]
	if !ok {
		b = &bucket{tokens: float64(l.rule.Burst), last: now}
		l.m[key] = b
	}
	if el := now.Sub(b.last); el > 0 {
		b.tokens = math.Min(float64(l.rule.Burst), b.tokens+float64(el)/float64(l.rule.Every))
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) * float64(l.rule.Every))
	return false, wait
}

// sweep drops buckets that have refilled completely.
func (l *Limiter) sweep(now time.Time) {
	full := time.Duration(l.rule.Burst) * l.rule.Every
	for k, b := range l.m {
		if now.Sub(b.last) > full {
			delete(l.m, k)
		}
	}
}

// Len is the number of tracked keys.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.m)
}
