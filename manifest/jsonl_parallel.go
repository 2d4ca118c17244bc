package manifest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/iotguard/iotguard/model"
)

// chunkLines is how many lines one decoding job holds.
const chunkLines = 256

// jsonlChunk is a run of consecutive lines, decoded by one worker.
type jsonlChunk struct {
	seq   int
	buf   []byte // the lines' bytes, back to back
	ends  []int  // end offset of each line in buf
	lines []int  // line number of each line
	devs  []model.Device
	// idHashes are the hashes of the devices' IDs, in a parallel pass
	// that checks them: computed by the worker, counted in file order.
	idHashes []uint64
	err      error // decoding error at the line after the last device
	tail     error // a read error after the last line (too long, I/O)
}

// jsonlParallel is jsonl with the decoding spread over workers: a reader
// cuts the file into chunks of lines, workers decode them, and devices are
// validated and handed on in file order, so errors and duplicates are
// reported exactly as the sequential reader reports them. Decoding JSON is
// most of the cost of an assessment, and it is now on every core.
func (s *streamer) jsonlParallel(r io.Reader, workers int) error {
	done := make(chan struct{})
	var stopped atomic.Bool
	var wg sync.WaitGroup
	defer func() {
		// The decoders finish before this returns, so that no device is
		// handed on (in a parallel pass) after the caller has been told
		// the stream ended.
		stopped.Store(true)
		close(done)
		wg.Wait()
	}()
	jobs := make(chan *jsonlChunk, workers)
	results := make(chan *jsonlChunk, workers*2)
	// Emitted chunks come back for reuse: growing fresh buffers and
	// device slices for every 256 lines was a fifth of the decoding time.
	free := make(chan *jsonlChunk, workers*4)
	// A fresh chunk is made as large as the largest before it, rather
	// than grown by doubling a line at a time (the reader alone touches
	// them, so the hint needs no lock).
	bufHint := 0
	newChunk := func(seq int) *jsonlChunk {
		select {
		case c := <-free:
			*c = jsonlChunk{seq: seq, buf: c.buf[:0], ends: c.ends[:0], lines: c.lines[:0], devs: c.devs[:0], idHashes: c.idHashes[:0]}
			return c
		default:
			return &jsonlChunk{seq: seq, buf: make([]byte, 0, bufHint), ends: make([]int, 0, chunkLines), lines: make([]int, 0, chunkLines)}
		}
	}

	go func() { // reader
		defer close(jobs)
		br := bufio.NewReaderSize(r, 64<<10)
		var scratch []byte
		c := newChunk(0)
		send := func() bool {
			bufHint = max(bufHint, len(c.buf)+len(c.buf)/8)
			select {
			case jobs <- c:
				c = newChunk(c.seq + 1)
				return true
			case <-done:
				return false
			}
		}
		for line := 1; ; line++ {
			b, err := readLine(br, &scratch)
			if errors.Is(err, errLineTooLong) {
				c.tail = inputErr(s.name, line, 0, "", "the line is longer than the %d MiB limit: each device must be one JSON object on one line", MaxLineSize>>20)
				send()
				return
			}
			if err != nil && err != io.EOF {
				c.tail = fmt.Errorf("read %s: %w", s.name, err)
				send()
				return
			}
			if line == 1 {
				b = bytes.TrimPrefix(b, bom)
			}
			if b = bytes.TrimSpace(b); len(b) > 0 {
				c.buf = append(c.buf, b...)
				c.ends = append(c.ends, len(c.buf))
				c.lines = append(c.lines, line)
				if len(c.lines) == chunkLines && !send() {
					return
				}
			}
			if err == io.EOF {
				if len(c.lines) > 0 {
					send()
				}
				return
			}
		}
	}()

	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() { // decoder
			defer wg.Done()
			dec := &streamer{name: s.name, rules: s.rules, transient: s.transient}
			for c := range jobs {
				if stopped.Load() {
					continue // drain: the reader stops at done
				}
				if cap(c.devs) < len(c.lines) {
					c.devs = make([]model.Device, 0, len(c.lines))
				}
				start := 0
				for i, end := range c.ends {
					if s.work != nil && stopped.Load() {
						c.devs = c.devs[:i]
						break
					}
					c.devs = c.devs[:i+1]
					d := &c.devs[i]
					err := dec.decodeJSONInto(c.lines[i], c.buf[start:end], d)
					if err == nil && s.work != nil {
						// Validated and handed on here, on the core that
						// decoded the device and while it is in its cache.
						if ps := dec.rules.check(d); ps != nil {
							err = inputErr(s.name, c.lines[i], 0, ps[0].field, "%s", ps[0].msg)
						} else {
							if s.ids != nil {
								c.idHashes = append(c.idHashes, s.ids.hash(d.ID))
							}
							err = s.work(w, d)
						}
					}
					if err != nil {
						c.devs = c.devs[:i]
						c.err = err
						break
					}
					start = end
				}
				select {
				case results <- c:
				case <-done:
					return
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()

	// Emit in file order.
	pending := map[int]*jsonlChunk{}
	next := 0
	for c := range results {
		pending[c.seq] = c
		for {
			c, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			if err := s.ctx.Err(); err != nil {
				return err
			}
			if s.work == nil {
				for i := range c.devs {
					if err := s.emitDevice(c.lines[i], &c.devs[i]); err != nil {
						return err
					}
				}
			} else if s.ids != nil {
				for _, h := range c.idHashes {
					if err := s.ids.set.Add(h); err != nil {
						return fmt.Errorf("read %s: %w", s.name, err)
					}
				}
			}
			if c.err != nil {
				return c.err
			}
			if c.tail != nil {
				return c.tail
			}
			select {
			case free <- c:
			default:
			}
		}
	}
	return nil
}

// decodeWorkers is how many goroutines decode a side file (and, in a
// parallel pass, check its devices).
func decodeWorkers() int { return runtime.GOMAXPROCS(0) }
