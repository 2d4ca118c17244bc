package auditlog

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/iotguard/iotguard/internal/atomicfile"
	"github.com/iotguard/iotguard/store"
)

// LoadOrCreateKey reads the Ed25519 signing key at path, or creates one
// there (mode 0600, in a folder created 0700) when the file does not
// exist, with its public key beside it as PublicKeyPath(path). The file
// holds a PEM "PRIVATE KEY" (PKCS #8), a raw 32-byte seed, or the seed as
// 64 hex digits. A key that group or others may read or write is refused,
// as ssh refuses one: whoever reads it can forge checkpoints.
func LoadOrCreateKey(path string) (ed25519.PrivateKey, error) {
	key, err := loadKey(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("audit key %s: %w", path, err)
	}
	_, key, err = ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("audit key: generate: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("audit key: encode: %w", err)
	}
	// O_EXCL: when two processes start at once, one creates the key and
	// the other reads it, instead of both writing different keys.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return loadKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("audit key %s: %w", path, err)
	}
	werr := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(path)
		return nil, fmt.Errorf("audit key %s: %w", path, werr)
	}
	if err := WritePublicKey(PublicKeyPath(path), key.Public().(ed25519.PublicKey)); err != nil {
		return nil, err
	}
	return key, nil
}

func loadKey(path string) (ed25519.PrivateKey, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("audit key: %w", err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("audit key %s: mode %04o lets others read or change it; run chmod 600 %s", path, perm, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("audit key: %w", err)
	}
	key, err := ParsePrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("audit key %s: %w", path, err)
	}
	return key, nil
}

// ParsePrivateKey reads a PEM PKCS #8 Ed25519 key, a raw 32-byte seed, or
// a seed written as 64 hex digits.
func ParsePrivateKey(data []byte) (ed25519.PrivateKey, error) {
	if block, _ := pem.Decode(data); block != nil {
		if block.Type != "PRIVATE KEY" {
			return nil, fmt.Errorf("PEM block %q, want PRIVATE KEY", block.Type)
		}
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("PKCS #8: %w", err)
		}
		ek, ok := k.(ed25519.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("key is %T, want Ed25519", k)
		}
		return ek, nil
	}
	if len(data) == ed25519.SeedSize {
		return ed25519.NewKeyFromSeed(data), nil
	}
	if seed, err := hex.DecodeString(string(bytes.TrimSpace(data))); err == nil && len(seed) == ed25519.SeedSize {
		return ed25519.NewKeyFromSeed(seed), nil
	}
	return nil, errors.New("not an Ed25519 key (want PEM PRIVATE KEY, a 32-byte seed or 64 hex digits)")
}

// PublicKeyPath is where LoadOrCreateKey writes the public key of the key
// at keyPath, for auditors.
func PublicKeyPath(keyPath string) string { return keyPath + ".pub" }

// WitnessPath is the witness file of the key at keyPath.
func WitnessPath(keyPath string) string { return keyPath + ".head" }

// MarshalPublicKey writes a public key as PEM "PUBLIC KEY" (PKIX).
func MarshalPublicKey(pub ed25519.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		// Only fails for key types x509 does not know; Ed25519 it knows.
		panic(fmt.Sprintf("auditlog: encode public key: %v", err))
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// WritePublicKey writes pub to path as PEM, readable by everyone.
func WritePublicKey(path string, pub ed25519.PublicKey) error {
	if err := atomicfile.WriteBytes(path, 0o644, MarshalPublicKey(pub)); err != nil {
		return fmt.Errorf("audit public key: %w", err)
	}
	return nil
}

// ParsePublicKey reads a PEM "PUBLIC KEY", a raw 32-byte key, or the key
// as 64 hex digits or standard base64.
func ParsePublicKey(data []byte) (ed25519.PublicKey, error) {
	if block, _ := pem.Decode(data); block != nil {
		if block.Type != "PUBLIC KEY" {
			return nil, fmt.Errorf("audit public key: PEM block %q, want PUBLIC KEY", block.Type)
		}
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("audit public key: %w", err)
		}
		ek, ok := k.(ed25519.PublicKey)
		if !ok {
			return nil, fmt.Errorf("audit public key is %T, want Ed25519", k)
		}
		return ek, nil
	}
	if len(data) == ed25519.PublicKeySize {
		return ed25519.PublicKey(data), nil
	}
	text := string(bytes.TrimSpace(data))
	if b, err := hex.DecodeString(text); err == nil && len(b) == ed25519.PublicKeySize {
		return ed25519.PublicKey(b), nil
	}
	if b, err := base64.StdEncoding.DecodeString(text); err == nil && len(b) == ed25519.PublicKeySize {
		return ed25519.PublicKey(b), nil
	}
	return nil, errors.New("audit public key: not an Ed25519 public key (want PEM PUBLIC KEY, 32 bytes, hex or base64)")
}

// ReadPublicKeyFile reads a public key file (see ParsePublicKey).
func ReadPublicKeyFile(path string) (ed25519.PublicKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("audit public key: %w", err)
	}
	pub, err := ParsePublicKey(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return pub, nil
}

// ReadWitness reads the witness file; a missing file is (nil, nil).
func ReadWitness(path string) (*store.Checkpoint, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit witness: %w", err)
	}
	var c store.Checkpoint
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("audit witness %s: %w", path, err)
	}
	return &c, nil
}

// WriteWitness replaces the witness file atomically with c: a reader sees
// the old checkpoint or the new one, never a torn file.
func WriteWitness(path string, c store.Checkpoint) error {
	data, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("audit witness: %w", err)
	}
	if err := atomicfile.WriteBytes(path, 0o600, append(data, '\n')); err != nil {
		return fmt.Errorf("audit witness: %w", err)
	}
	return nil
}
