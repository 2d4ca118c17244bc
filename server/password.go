package server

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are argon2id's cost parameters. They are written into each
// hash (PHC string format), so raising them later only affects new hashes.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	KeyLen  uint32
	SaltLen uint32
}

// PasswordParams are RFC 9106's second recommended option (64 MiB, 3
// passes, 4 lanes): about 100 ms on a server core, which logins can afford
// and guessers cannot. Tests lower them.
var PasswordParams = Argon2Params{Memory: 64 * 1024, Time: 3, Threads: 4, KeyLen: 32, SaltLen: 16}

// Password length bounds: long passphrases are welcome, but argon2 input
// is hashed whole, so an unbounded one would be a cheap denial of service.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 256
)

// HashPassword returns the argon2id PHC string of a password.
func HashPassword(password string) (string, error) {
	if err := checkPassword(password); err != nil {
		return "", err
	}
	p := PasswordParams
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

func checkPassword(password string) error {
	n := len([]rune(password))
	if n < MinPasswordLen || len(password) > MaxPasswordLen {
		return badRequest("a password needs %d to %d characters", MinPasswordLen, MaxPasswordLen)
	}
	return nil
}

var errBadHash = errors.New("not an argon2id hash")

// VerifyPassword reports whether password matches the PHC hash, comparing
// in constant time.
func VerifyPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	var p Argon2Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false, errBadHash
	}
	// Refuse parameters that would let a stored hash exhaust memory.
	if p.Memory == 0 || p.Memory > 1<<20 || p.Time == 0 || p.Time > 16 || p.Threads == 0 {
		return false, errBadHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 128 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is verified against when the account does not exist, so that
// a login for an unknown e-mail takes as long as one for a known one.
var dummyHash = sync.OnceValue(func() string {
	h, err := HashPassword("not-a-real-password-0123456789")
	if err != nil {
		panic(err)
	}
	return h
})
