package fleetgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"

	"github.com/iotguard/iotguard/model"
)

// Generate writes a fleet to dir: the SBOMs and evidence files the
// solution references, the devices as JSON lines (dir/devices.jsonl) and
// the manifest dir/iotguard.yaml through opt.WriteManifest, which is
// required and is called once every device is encoded. progress, if set, is called with
// the number of devices written so far, from the calling goroutine.
func Generate(ctx context.Context, dir string, opt Options, progress func(done int)) (*Summary, error) {
	if opt.WriteManifest == nil {
		return nil, errNoManifestWriter
	}
	g, err := New(opt)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("fleetgen: %w", err)
	}
	var written []string
	paths := make([]string, 0, len(g.files))
	for p := range g.files {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return nil, fmt.Errorf("fleetgen: %w", err)
		}
		if err := os.WriteFile(full, g.files[p], 0o644); err != nil {
			return nil, fmt.Errorf("fleetgen: %w", err)
		}
		written = append(written, p)
	}

	// The devices go to a temporary file first and replace devices.jsonl
	// after the manifest is written, because a manifest writer may create
	// the side file itself (manifest.Write writes an empty one when given
	// no devices), and so that a failed run leaves no manifest naming a
	// half-written fleet.
	tmp, n, err := g.writeDevicesTemp(ctx, dir, opt.Concurrency, progress)
	if err != nil {
		return nil, err
	}
	if err := opt.WriteManifest(dir, g.sol, DevicesFile); err != nil {
		os.Remove(tmp)
		return nil, err
	}
	if err := os.Rename(tmp, filepath.Join(dir, DevicesFile)); err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("fleetgen: %w", err)
	}
	written = append(written, DevicesFile, "iotguard.yaml")

	sum := g.Summary()
	sum.Files, sum.Bytes = written, n
	return sum, nil
}

// writeDevicesTemp writes the JSON lines to a temporary file in dir and
// returns its path.
func (g *Generator) writeDevicesTemp(ctx context.Context, dir string, workers int, progress func(int)) (string, int64, error) {
	f, err := os.CreateTemp(dir, "."+DevicesFile+".*.tmp")
	if err != nil {
		return "", 0, fmt.Errorf("fleetgen: %w", err)
	}
	tmp := f.Name()
	n, werr := g.WriteJSONL(ctx, f, workers, progress)
	if cerr := f.Close(); werr == nil && cerr != nil {
		werr = fmt.Errorf("fleetgen: %w", cerr)
	}
	if werr == nil {
		if err := os.Chmod(tmp, 0o644); err != nil {
			werr = fmt.Errorf("fleetgen: %w", err)
		}
	}
	if werr != nil {
		os.Remove(tmp)
		return "", 0, werr
	}
	return tmp, n, nil
}

// blockSize is the number of devices a worker encodes at a time.
const blockSize = 2048

type block struct {
	start, end int
	buf        *bytes.Buffer
	err        error
	done       chan struct{}
}

var bufPool = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, blockSize*1024)) }}

// WriteJSONL writes every device as one JSON object per line, the bytes
// manifest.WriteJSONL would write for the same devices. Blocks of devices
// are built and encoded by workers (zero: GOMAXPROCS) and written in
// order, with a bounded number of blocks in flight, so memory does not
// grow with the fleet. progress, if set, is called after each block with
// the number of devices written, from the calling goroutine. It returns
// the number of bytes written.
func (g *Generator) WriteJSONL(ctx context.Context, w io.Writer, workers int, progress func(done int)) (int64, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	jobs := make(chan *block, workers)
	order := make(chan *block, 2*workers)
	go func() {
		defer close(order)
		defer close(jobs)
		for start := 0; start < g.n; start += blockSize {
			blk := &block{start: start, end: min(start+blockSize, g.n), done: make(chan struct{})}
			select {
			case order <- blk:
			case <-ctx.Done():
				return
			}
			jobs <- blk // never blocks for long: workers drain jobs until it closes
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := newBuilder(g)
			var d model.Device
			for blk := range jobs {
				blk.err = ctx.Err()
				if blk.err == nil {
					buf := bufPool.Get().(*bytes.Buffer)
					buf.Reset()
					enc := json.NewEncoder(buf)
					enc.SetEscapeHTML(false)
					for i := blk.start; i < blk.end && blk.err == nil; i++ {
						b.device(i, &d)
						if err := enc.Encode(&d); err != nil {
							blk.err = fmt.Errorf("fleetgen: device %s: %w", d.ID, err)
						}
					}
					blk.buf = buf
				}
				close(blk.done)
			}
		}()
	}

	var total int64
	var err error
	for blk := range order {
		<-blk.done
		if err == nil && blk.err != nil {
			err = blk.err
		}
		if err == nil {
			var n int
			n, err = w.Write(blk.buf.Bytes())
			total += int64(n)
			if err != nil {
				err = fmt.Errorf("fleetgen: write devices: %w", err)
			}
		}
		if blk.buf != nil {
			bufPool.Put(blk.buf)
		}
		if err != nil {
			cancel() // the producers stop; keep draining so they can exit
			continue
		}
		if progress != nil {
			progress(blk.end)
		}
	}
	wg.Wait()
	if err == nil {
		err = ctx.Err()
	}
	return total, err
}
