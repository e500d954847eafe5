package ratelimit

import (
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	now := time.Unix(1000, 0)
	l := New(Rule{Burst: 3, Every: time.Second}, func() time.Time { return now })
	for i := 0; i < 3; i++ {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("request %d refused inside burst", i)
		}
	}
	ok, wait := l.Allow("a")
	if ok || wait != time.Second {
		t.Fatalf("4th request: ok=%v wait=%v, want refused with 1s", ok, wait)
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Fatal("other key must have its own bucket")
	}
	now = now.Add(1500 * time.Millisecond)
	if ok, _ := l.Allow("a"); !ok {
		t.Fatal("token not refilled")
	}
	if ok, wait := l.Allow("a"); ok || wait != 500*time.Millisecond {
		t.Fatalf("after refill: ok=%v wait=%v", ok, wait)
	}
}

func TestSweep(t *testing.T) {
	now := time.Unix(1000, 0)
	l := New(Rule{Burst: 1, Every: time.Millisecond}, func() time.Time { return now })
	l.Allow("x")
	now = now.Add(time.Hour)
	l.sweep(now)
	if l.Len() != 0 {
		t.Fatal("idle bucket kept")
	}
}
