// Package safetext makes text from untrusted input safe to store and to
// repeat in messages. Such text (a value, a key, a file name, a library's
// error message that embeds input) can hold terminal escapes,
// bidirectional overrides, invalid UTF-8 or megabytes: none of it reaches a
// terminal, a log or a stored value verbatim. The importers use it for the
// values they keep (Clean, CleanText) and in their error messages (Quote,
// LibMsg, Escape).
package safetext

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxShown bounds how many bytes of a value from the input a message
// repeats.
const MaxShown = 60

// Quote shows a value from the input in a message: quoted, escaped, and cut
// after MaxShown bytes with "..." after the closing quote. Never call it on
// a value that may be a secret.
func Quote(s string) string {
	if cut, ok := clip(s); ok {
		return fmt.Sprintf("%q...", s[:cut])
	}
	return fmt.Sprintf("%q", s)
}

// QuoteWithSize is Quote, but a cut value says how long it was:
// "abc"...(1234 bytes).
func QuoteWithSize(s string) string {
	if cut, ok := clip(s); ok {
		return strconv.Quote(s[:cut]) + fmt.Sprintf("...(%d bytes)", len(s))
	}
	return strconv.Quote(s)
}

// clip returns where to cut s, on a rune boundary at or before MaxShown
// bytes, and whether it is too long.
func clip(s string) (int, bool) {
	if len(s) <= MaxShown {
		return len(s), false
	}
	cut := MaxShown
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return cut, true
}

// LibMsg makes a library error message safe to show: such messages can
// embed input text (a whole tag-value line, an identifier), so invalid
// UTF-8, control and bidirectional-override characters are escaped as
// \uXXXX and the length is bounded.
func LibMsg(err error) string {
	const maxLen = 200
	var b strings.Builder
	for _, r := range err.Error() {
		if b.Len() >= maxLen {
			b.WriteString("...")
			break
		}
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			fmt.Fprintf(&b, "\\u%04x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Escape escapes control characters (\xNN) and invalid UTF-8 (\ufffd) and
// cuts s after about n bytes, saying how many were left out.
func Escape(s string, n int) string {
	clean := len(s) <= n && utf8.ValidString(s)
	for i := 0; clean && i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			clean = false
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if b.Len() >= n {
			fmt.Fprintf(&b, "...(%d bytes)", len(s)-i)
			break
		}
		switch {
		case r == utf8.RuneError:
			b.WriteString(`\ufffd`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Clean makes a single-line value from the input safe to store and print:
// invalid UTF-8 becomes U+FFFD, control and bidirectional-override
// characters are dropped (line breaks and tabs become spaces), and
// surrounding space is trimmed.
func Clean(s string) string { return sanitize(s, false) }

// CleanText is Clean for free text: line breaks and tabs are kept, carriage
// returns dropped.
func CleanText(s string) string { return sanitize(s, true) }

func sanitize(s string, multiline bool) string {
	ok := utf8.ValidString(s)
	if ok {
		for _, r := range s {
			if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
				ok = false
				break
			}
		}
	}
	if ok {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '\n' || r == '\t':
			if multiline {
				b.WriteRune(r)
			} else {
				b.WriteByte(' ')
			}
		case r == '\r':
			if !multiline {
				b.WriteByte(' ')
			}
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r):
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}
