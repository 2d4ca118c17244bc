package safetext

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// Moved from sbom, whose clean, cleanText and quote these were.
func TestCleanAndQuote(t *testing.T) {
	if got := Clean(" a\x00b\u202ec\r\nd\t "); got != "abc  d" {
		t.Errorf("Clean = %q", got)
	}
	if got := CleanText("a\r\nb\tc\x07"); got != "a\nb\tc" {
		t.Errorf("CleanText = %q", got)
	}
	long := strings.Repeat("é", 100)
	if q := Quote(long); !strings.HasSuffix(q, `"...`) || len(q) > MaxShown+10 {
		t.Errorf("Quote = %q", q)
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ in, line, text string }{
		{"", "", ""},
		{"  plain value\t", "plain value", "plain value"},
		{"bad\xff\xfename", "bad\uFFFDname", "bad\uFFFDname"},
		{"\x1b[31mred\x1b[0m", "[31mred[0m", "[31mred[0m"},
		{"a\u202eb\u2066c", "abc", "abc"},
		{"one\r\ntwo\tthree", "one  two three", "one\ntwo\tthree"},
	}
	for _, tt := range tests {
		if got := Clean(tt.in); got != tt.line {
			t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.line)
		}
		if got := CleanText(tt.in); got != tt.text {
			t.Errorf("CleanText(%q) = %q, want %q", tt.in, got, tt.text)
		}
	}
}

func TestQuote(t *testing.T) {
	if got := Quote("a\x1bb"); got != `"a\x1bb"` {
		t.Errorf("Quote = %s", got)
	}
	if got := QuoteWithSize("a\x1bb"); got != `"a\x1bb"` {
		t.Errorf("QuoteWithSize = %s", got)
	}
	exact := strings.Repeat("x", MaxShown)
	if Quote(exact) != strconv.Quote(exact) || QuoteWithSize(exact) != strconv.Quote(exact) {
		t.Errorf("a value of MaxShown bytes is cut")
	}
	// 59 ASCII bytes then a 2-byte rune across the limit: the cut keeps
	// whole runes.
	s := strings.Repeat("x", MaxShown-1) + "éé"
	if got, want := Quote(s), strconv.Quote(strings.Repeat("x", MaxShown-1))+"..."; got != want {
		t.Errorf("Quote = %s, want %s", got, want)
	}
	if got, want := QuoteWithSize(s), strconv.Quote(strings.Repeat("x", MaxShown-1))+"...(63 bytes)"; got != want {
		t.Errorf("QuoteWithSize = %s, want %s", got, want)
	}
}

func TestLibMsg(t *testing.T) {
	if got := LibMsg(errors.New("line 3: \x1b[2J\u202e\xff")); got != `line 3: \u001b[2J\u202e\ufffd` {
		t.Errorf("LibMsg = %s", got)
	}
	long := LibMsg(errors.New(strings.Repeat("y", 1000)))
	if !strings.HasSuffix(long, "...") || len(long) != 203 {
		t.Errorf("LibMsg of 1000 bytes = %d bytes: %.20q...", len(long), long)
	}
}

func TestEscape(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"plain.json", 300, "plain.json"},
		{"évité", 300, "évité"},
		{"evil\x1b[2J\n.json", 300, `evil\x1b[2J\x0a.json`},
		{"bad\xff.json", 300, `bad\ufffd.json`},
		{"del\x7f", 300, `del\x7f`},
		{strings.Repeat("a", 10), 4, "aaaa...(6 bytes)"},
	}
	for _, tt := range tests {
		if got := Escape(tt.in, tt.n); got != tt.want {
			t.Errorf("Escape(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
