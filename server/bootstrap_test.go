package server

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/iotguard/iotguard/store"
)

func TestBootstrapGeneratesTokenOnce(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	var out bytes.Buffer
	if err := Bootstrap(ctx, st, "Admin@Example.test", "", &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	secret := lines[len(lines)-1]
	if !strings.HasPrefix(secret, TokenPrefix) {
		t.Fatalf("output:\n%s", out.String())
	}
	p, err := st.Platform().Authenticate(ctx, HashToken(secret), testNow)
	if err != nil {
		t.Fatal(err)
	}
	if !p.User.PlatformAdmin || p.User.Email != "admin@example.test" || len(p.Memberships) != 1 || p.Memberships[0].Role != store.RoleAdmin {
		t.Errorf("principal %+v", p)
	}
	// A second start leaves the database and prints nothing.
	out.Reset()
	if err := Bootstrap(ctx, st, "admin@example.test", "", &out); err != nil || out.Len() != 0 {
		t.Errorf("second bootstrap: %v, %q", err, out.String())
	}
}

func TestBootstrapWithEnvToken(t *testing.T) {
	ctx := context.Background()
	good := "igt_9fJ2kQ7xLm4Rt8Vb1Nc6Hd3Ws5Pz0Ya2Ke7Ug4Xq"
	tests := []struct {
		token string
		ok    bool
	}{
		{good, true},
		{"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true},
		{"short", false},
		{strings.Repeat("a", 64), false},
		{"passwordpasswordpasswordpassword", false},
		{good + " ", false},
	}
	for _, tt := range tests {
		st := openStore(t)
		var out bytes.Buffer
		err := Bootstrap(ctx, st, "admin@example.test", tt.token, &out)
		if (err == nil) != tt.ok {
			t.Errorf("%q: err %v", tt.token, err)
			continue
		}
		if !tt.ok {
			if n, _ := st.Platform().CountUsers(ctx); n != 0 {
				t.Errorf("%q: a refused token still created %d users", tt.token, n)
			}
			if strings.Contains(err.Error(), tt.token) && len(tt.token) > 8 {
				t.Errorf("the error repeats the token: %v", err)
			}
			continue
		}
		if strings.Contains(out.String(), tt.token) {
			t.Errorf("the env token was printed")
		}
		if _, err := st.Platform().Authenticate(ctx, HashToken(tt.token), testNow); err != nil {
			t.Errorf("%q: %v", tt.token, err)
		}
	}
}

func TestPasswordHashing(t *testing.T) {
	h, err := HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("hash %s", h)
	}
	for _, tt := range []struct {
		pw   string
		want bool
	}{{"correct horse battery staple", true}, {"correct horse battery stapler", false}, {"", false}} {
		if ok, err := VerifyPassword(h, tt.pw); ok != tt.want || err != nil {
			t.Errorf("%q: %v %v", tt.pw, ok, err)
		}
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=64,t=1,p=1$!!$a2V5"} {
		if _, err := VerifyPassword(bad, "x"); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := HashPassword("short"); err == nil {
		t.Error("short password hashed")
	}
}

func TestLimiter(t *testing.T) {
	now := testNow
	l := newLimiter(60, 2, func() time.Time { return now })
	for i, want := range []bool{true, true, false} {
		if ok, _ := l.allow("k"); ok != want {
			t.Errorf("attempt %d: %v", i, ok)
		}
	}
	if ok, _ := l.allow("other"); !ok {
		t.Error("keys share a bucket")
	}
	now = now.Add(time.Second)
	if ok, _ := l.allow("k"); !ok {
		t.Error("no refill after a second at 60/min")
	}
}
