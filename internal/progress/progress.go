// Package progress draws a one-line progress bar with rate and ETA on a
// terminal. It draws nothing when the output is not a terminal, or under
// CI, so pipes and CI logs stay clean.
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// Bar is a progress bar; the zero value and a nil *Bar draw nothing.
type Bar struct {
	mu      sync.Mutex
	w       io.Writer
	label   string
	total   int
	start   time.Time
	last    time.Time
	drawn   bool
	enabled bool
	now     func() time.Time
}

// Enabled reports whether w is an interactive terminal outside CI.
func Enabled(w io.Writer) bool {
	if os.Getenv("CI") != "" || os.Getenv("TERM") == "dumb" || os.Getenv("NO_PROGRESS") != "" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// New returns a bar writing to w when w is a terminal, else an inert bar.
func New(w io.Writer) *Bar {
	return &Bar{w: w, enabled: Enabled(w), now: time.Now}
}

// Force returns a bar that draws even when w is not a terminal (tests).
func Force(w io.Writer, now func() time.Time) *Bar {
	return &Bar{w: w, enabled: true, now: now}
}

// Start begins a phase with a label and a total (0 when unknown).
func (b *Bar) Start(label string, total int) {
	if b == nil || !b.enabled {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.label, b.total, b.start = label, total, b.now()
	b.last = time.Time{}
}

// Update redraws the bar with done items, at most ten times a second.
func (b *Bar) Update(done int) {
	if b == nil || !b.enabled {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	if now.Sub(b.last) < 100*time.Millisecond && (b.total == 0 || done < b.total) {
		return
	}
	b.last = now
	b.drawn = true
	fmt.Fprint(b.w, "\r"+b.line(done, now)+"\x1b[K")
}

// line renders the bar for done items at time now.
func (b *Bar) line(done int, now time.Time) string {
	elapsed := now.Sub(b.start).Seconds()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(done) / elapsed
	}
	if b.total <= 0 {
		return fmt.Sprintf("%s %s devices  %s/s", b.label, group(done), group(int(rate)))
	}
	frac := float64(done) / float64(b.total)
	if frac > 1 {
		frac = 1
	}
	const width = 30
	fill := int(frac * width)
	bar := strings.Repeat("=", fill)
	if fill < width {
		bar += ">" + strings.Repeat(" ", width-fill-1)
	}
	eta := "--"
	if rate > 0 && done < b.total {
		eta = (time.Duration(float64(b.total-done)/rate) * time.Second).Round(time.Second).String()
	} else if done >= b.total {
		eta = "0s"
	}
	return fmt.Sprintf("%s [%s] %3.0f%% %s/%s  %s/s  ETA %s", b.label, bar, frac*100, group(done), group(b.total), group(int(rate)), eta)
}

// Done clears the bar line.
func (b *Bar) Done() {
	if b == nil || !b.enabled {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.drawn {
		fmt.Fprint(b.w, "\r\x1b[K")
		b.drawn = false
	}
}

// group formats n with thousands separators.
func group(n int) string {
	s := fmt.Sprint(n)
	if len(s) <= 3 {
		return s
	}
	var out []byte
	pre := len(s) % 3
	if pre > 0 {
		out = append(out, s[:pre]...)
	}
	for i := pre; i < len(s); i += 3 {
		if len(out) > 0 {
			out = append(out, ',')
		}
		out = append(out, s[i:i+3]...)
	}
	return string(out)
}
