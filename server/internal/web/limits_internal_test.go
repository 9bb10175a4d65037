package web

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestTokenBucket(t *testing.T) {
	clock := &fakeClock{t: time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC)}
	l := newLimiter(Rate{PerSecond: 2, Burst: 3}, clock.now)
	for i := range 3 {
		if ok, _ := l.take("k"); !ok {
			t.Fatalf("take %d refused within the burst", i+1)
		}
	}
	ok, wait := l.take("k")
	if ok || wait != 500*time.Millisecond {
		t.Fatalf("over the burst: ok=%v wait=%s, want refused, 500ms", ok, wait)
	}
	if ok, _ := l.take("other"); !ok {
		t.Fatal("another key shares the bucket")
	}
	clock.t = clock.t.Add(500 * time.Millisecond)
	if ok, _ := l.take("k"); !ok {
		t.Fatal("no token after the wait it gave")
	}
	l.give("k")
	if ok, _ := l.take("k"); !ok {
		t.Fatal("a token given back was lost")
	}
	clock.t = clock.t.Add(time.Hour)
	for range 3 {
		if ok, _ := l.take("k"); !ok {
			t.Fatal("the bucket did not refill to its burst")
		}
	}
	if ok, _ := l.take("k"); ok {
		t.Fatal("the bucket refilled past its burst")
	}
	if ok, _ := newLimiter(Rate{}, clock.now).take("k"); !ok {
		t.Fatal("a zero Rate limited something")
	}
}

func TestLimiterMemoryIsBounded(t *testing.T) {
	clock := &fakeClock{t: time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC)}
	l := newLimiter(Rate{PerSecond: 1, Burst: 2}, clock.now)
	for i := range maxLimiterKeys + 10 {
		l.take(strings.Repeat("x", i%7) + string(rune('a'+i%26)) + time.Duration(i).String())
	}
	if n := len(l.buckets); n > maxLimiterKeys {
		t.Fatalf("%d buckets kept, bound is %d", n, maxLimiterKeys)
	}
}

// TestKeyringRotates: the limiter keys hold no address, differ under each
// key, and the limiters start afresh when the key is replaced.
func TestKeyringRotates(t *testing.T) {
	clock := &fakeClock{t: time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC)}
	g := newGuards(Limits{ClientSubmissions: Rate{PerSecond: 0.001, Burst: 1}, KeyRotation: time.Hour}, clock.now)
	const addr = "203.0.113.9"
	id1 := g.keys.id("client", addr)
	if strings.Contains(id1, addr) || strings.Contains(id1, "203") || len(id1) != 32 {
		t.Fatalf("limiter key %q", id1)
	}
	if g.keys.id("client", addr) != id1 {
		t.Fatal("one key, two ids for one address")
	}
	if g.keys.id("account", addr) == id1 {
		t.Fatal("kinds share ids")
	}
	if ok, _ := g.clientSubmissions.take(id1); !ok {
		t.Fatal("first take refused")
	}
	if ok, _ := g.clientSubmissions.take(id1); ok {
		t.Fatal("second take allowed")
	}
	for k := range g.clientSubmissions.buckets {
		if strings.Contains(k, addr) {
			t.Fatal("a limiter holds the address")
		}
	}
	clock.t = clock.t.Add(time.Hour)
	id2 := g.keys.id("client", addr)
	if id2 == id1 {
		t.Fatal("the key did not rotate")
	}
	if n := len(g.clientSubmissions.buckets); n != 0 {
		t.Fatalf("%d buckets survived the rotation", n)
	}
	if ok, _ := g.clientSubmissions.take(id2); !ok {
		t.Fatal("refused after rotation")
	}
}

// FuzzParseEnvelope: the JSON envelope parser never panics, and whatever
// it accepts has a language or none, answers that are JSON, and no key
// that could become a query operator.
func FuzzParseEnvelope(f *testing.F) {
	for _, seed := range []string{
		`{"language":"en","answers":{"home_safe":"never"}}`,
		`{"language":"ps","code":"K7M2-QX9P","answers":{"areas":["housing","money"],"anxiety":7}}`,
		`{"language":"en","answers":null,"code":null}`,
		`{"$where":"1","language":"en"}`,
		`{"language":{"$ne":null}}`,
		`{"a.b":1}`,
		`{"language":"en","language":"ar"}`,
		`{"language":"en"} {}`,
		`[]`, `null`, `"x"`, `{`, `{"answers":{"$gt":""}}`,
		"{\"language\":\"en\",\"answers\":{\"x\":\"\u0000\"}}",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		env, err := parseEnvelope(body)
		if err != nil {
			var ae *apiError
			if !errors.As(err, &ae) || ae.Status != 400 {
				t.Fatalf("error %v is not a 400", err)
			}
			return
		}
		if !json.Valid(env.answers) {
			t.Fatalf("accepted answers that are not JSON: %q", env.answers)
		}
		var top map[string]json.RawMessage
		if err := json.Unmarshal(body, &top); err != nil {
			t.Fatalf("accepted a body that is not a JSON object: %v", err)
		}
		for k := range top {
			if k != "language" && k != "code" && k != "answers" {
				t.Fatalf("accepted the key %q", k)
			}
		}
	})
}
