package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestBarDrawsRateAndETA(t *testing.T) {
	var buf bytes.Buffer
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := Force(&buf, func() time.Time { return clock })
	b.Start("checking", 10000)
	clock = clock.Add(2 * time.Second)
	b.Update(5000)
	out := buf.String()
	for _, want := range []string{"checking", " 50%", "5,000/10,000", "2,500/s", "ETA 2s"} {
		if !strings.Contains(out, want) {
			t.Errorf("bar %q lacks %q", out, want)
		}
	}
	b.Done()
	if !strings.HasSuffix(buf.String(), "\r\x1b[K") {
		t.Error("Done does not clear the line")
	}
}

func TestBarSilentWhenNotATerminal(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf)
	b.Start("x", 10)
	b.Update(5)
	b.Done()
	if buf.Len() != 0 {
		t.Errorf("wrote %q to a non-terminal", buf.String())
	}
	var nilBar *Bar
	nilBar.Update(1) // must not panic
}

func TestGroup(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567"} {
		if got := group(n); got != want {
			t.Errorf("group(%d) = %q", n, got)
		}
	}
}
