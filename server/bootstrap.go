package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/iotguard/iotguard/store"
)

// DefaultTenantName names the tenant Bootstrap creates.
const DefaultTenantName = "default"

// MinEnvTokenLen is the shortest IOTGUARD_ADMIN_TOKEN accepted.
const MinEnvTokenLen = 32

// minEnvTokenBits is the least estimated entropy of IOTGUARD_ADMIN_TOKEN:
// 32 random hexadecimal digits have 128 bits; "password1234..." has far
// fewer and is refused.
const minEnvTokenBits = 120

// Bootstrap prepares an empty database: a platform-admin user with
// adminEmail, a default tenant with that user as its admin, and an API
// token. The token is tokenFromEnv (IOTGUARD_ADMIN_TOKEN, for automation)
// when set, else a fresh one that is written to out once: it never goes
// through the logger. A database that has users is left alone.
func Bootstrap(ctx context.Context, st store.Store, adminEmail, tokenFromEnv string, out io.Writer) error {
	pl := st.Platform()
	n, err := pl.CountUsers(ctx)
	if err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	}
	if n > 0 {
		return nil
	}
	adminEmail = normaliseEmail(adminEmail)
	if !strings.Contains(adminEmail, "@") {
		return fmt.Errorf("bootstrap: admin e-mail %q is not an e-mail address", adminEmail)
	}
	secret, hash := "", []byte(nil)
	if tokenFromEnv != "" {
		if err := checkEnvToken(tokenFromEnv); err != nil {
			return fmt.Errorf("bootstrap: IOTGUARD_ADMIN_TOKEN: %w", err)
		}
		hash = HashToken(tokenFromEnv)
	} else {
		secret, hash = NewToken()
	}
	by := store.Actor{Name: "bootstrap"}
	u, err := pl.CreateUser(ctx, by, store.User{Email: adminEmail, Name: "Administrator", PlatformAdmin: true})
	if err != nil {
		return fmt.Errorf("bootstrap: admin user: %w", err)
	}
	by = store.Actor{UserID: u.ID, Name: u.Email}
	t, err := pl.CreateTenant(ctx, by, store.Tenant{Name: DefaultTenantName})
	if err != nil {
		return fmt.Errorf("bootstrap: default tenant: %w", err)
	}
	if err := pl.SetMembership(ctx, by, store.Membership{TenantID: t.ID, UserID: u.ID, Role: store.RoleAdmin}); err != nil {
		return fmt.Errorf("bootstrap: membership: %w", err)
	}
	// The bootstrap token does not expire: automation that set
	// IOTGUARD_ADMIN_TOKEN relies on it. Revoke it once other admins exist.
	if _, err := pl.CreateToken(ctx, by, store.Token{UserID: u.ID, Name: "bootstrap", Hash: hash}); err != nil {
		return fmt.Errorf("bootstrap: token: %w", err)
	}
	fmt.Fprintf(out, "iotguard: created platform admin %s and tenant %q (id %s)\n", u.Email, t.Name, t.ID)
	if secret != "" {
		fmt.Fprintf(out, "iotguard: admin API token (shown once, store it now):\n%s\n", secret)
	} else {
		fmt.Fprintln(out, "iotguard: the admin API token is the one in IOTGUARD_ADMIN_TOKEN")
	}
	return nil
}

var errWeakToken = errors.New("the token must be at least 32 characters of random text (e.g. openssl rand -hex 32)")

// checkEnvToken refuses short or low-entropy tokens. The estimate is the
// length times the Shannon entropy of the token's character frequencies:
// crude, but it refuses repeated or dictionary-like strings and accepts
// any output of a random generator.
func checkEnvToken(tok string) error {
	if len(tok) < MinEnvTokenLen || len(tok) > 256 || strings.TrimSpace(tok) != tok || strings.ContainsAny(tok, " \t\r\n") {
		return errWeakToken
	}
	if entropyBits(tok) < minEnvTokenBits {
		return errWeakToken
	}
	return nil
}

func entropyBits(s string) float64 {
	freq := map[rune]float64{}
	n := 0.0
	for _, r := range s {
		freq[r]++
		n++
	}
	h := 0.0
	for _, c := range freq {
		p := c / n
		h -= p * math.Log2(p)
	}
	return h * n
}
