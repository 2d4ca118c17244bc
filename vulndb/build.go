package vulndb

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/iotguard/iotguard/internal/atomicfile"
	"github.com/iotguard/iotguard/model"
	"github.com/iotguard/iotguard/vercmp"
)

// Build imports OSV records (files, directories searched recursively for
// *.json and *.json.gz, zip files such as osv.dev's per-ecosystem all.zip),
// NVD CVE JSON 2.0 (API responses, yearly feeds, gzip or zip) and the CISA
// KEV catalogue into one index file at out, replacing it atomically. Kinds
// are told apart by content. Withdrawn OSV records and rejected CVEs are
// skipped and counted; when an ID appears twice, the copy with the later
// modified time wins.
func Build(ctx context.Context, out string, sources ...string) (*Stats, error) {
	if len(sources) == 0 {
		return nil, errors.New("nothing to import: give OSV directories or zips, NVD feeds or the KEV catalogue")
	}
	b := newBuilder()
	for _, src := range sources {
		if err := b.addSource(ctx, src); err != nil {
			return nil, err
		}
	}
	if dir := filepath.Dir(out); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
	}
	blobs, stats := b.finish()
	if err := atomicfile.Write(out, 0o644, func(w io.Writer) error {
		return writeIndex(w, blobs, b.kev, stats)
	}); err != nil {
		return nil, err
	}
	if fi, err := os.Stat(out); err == nil {
		stats.Path, stats.Size = out, fi.Size()
	}
	return stats, nil
}

// Import adds sources to the index at out: it rebuilds from the sources the
// existing index was built from (those still present) and the new ones.
// Without an existing index it is Build.
func Import(ctx context.Context, out string, sources ...string) (*Stats, error) {
	all := slices.Clone(sources)
	if ix, err := Open(out); err == nil {
		for _, s := range ix.Stats().Sources {
			if _, err := os.Stat(s.Path); err == nil {
				all = append(all, s.Path)
			}
		}
		ix.Close()
	}
	seen := map[string]bool{}
	var uniq []string
	for _, s := range all {
		abs, err := filepath.Abs(s)
		if err != nil {
			abs = s
		}
		if !seen[abs] {
			seen[abs] = true
			uniq = append(uniq, s)
		}
	}
	return Build(ctx, out, uniq...)
}

// prepared is one record in index form, made by a worker.
type prepared struct {
	ns         string // "osv" or "nvd": IDs are unique within a namespace
	id         string
	modified   time.Time
	withdrawn  bool
	ecosystems []string
	entries    []keyBlob // one per key; blob holds a single entry
	kev        *KEV
}

type chunk struct {
	id   string
	data []byte
	dead bool
}

type advisory struct {
	modified   time.Time
	chunks     []*chunk
	ecosystems []string
	ns         string
}

type builder struct {
	keys       map[string][]*chunk
	advisories map[string]*advisory
	kev        kevSet
	stats      Stats
}

func newBuilder() *builder {
	return &builder{keys: map[string][]*chunk{}, advisories: map[string]*advisory{}, kev: kevSet{}}
}

// add merges one prepared record (called from one goroutine only).
func (b *builder) add(p *prepared) {
	if p.kev != nil {
		for id, info := range p.kev.set() {
			b.kev[id] = info
		}
		if p.kev.CatalogVersion != "" {
			b.stats.KEVCatalog = p.kev.CatalogVersion
		}
		return
	}
	if p.withdrawn {
		if p.ns == "osv" {
			b.stats.Withdrawn++
		} else {
			b.stats.Rejected++
		}
		return
	}
	if len(p.entries) == 0 {
		b.stats.Unindexed++
		return
	}
	id := p.ns + ":" + p.id
	if old, ok := b.advisories[id]; ok {
		b.stats.Superseded++
		if !p.modified.After(old.modified) {
			return
		}
		for _, c := range old.chunks {
			c.dead, c.data = true, nil
		}
	}
	a := &advisory{modified: p.modified, ecosystems: p.ecosystems, ns: p.ns}
	for _, e := range p.entries {
		c := &chunk{id: p.id, data: e.blob}
		b.keys[e.key] = append(b.keys[e.key], c)
		a.chunks = append(a.chunks, c)
	}
	b.advisories[id] = a
}

// finish sorts keys and advisories and assembles the blobs and stats.
func (b *builder) finish() ([]keyBlob, *Stats) {
	st := b.stats
	st.Format = FormatVersion
	st.BuiltAt = time.Now().UTC().Truncate(time.Second)
	st.Ecosystems = map[string]int{}
	for _, a := range b.advisories {
		if a.ns == "osv" {
			st.Advisories++
		} else {
			st.CVEs++
		}
		for _, e := range a.ecosystems {
			st.Ecosystems[e]++
		}
	}
	st.KEV = len(b.kev)
	keys := make([]string, 0, len(b.keys))
	for k := range b.keys {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	blobs := make([]keyBlob, 0, len(keys))
	for _, k := range keys {
		var live []*chunk
		for _, c := range b.keys[k] {
			if !c.dead {
				live = append(live, c)
			}
		}
		if len(live) == 0 {
			continue
		}
		slices.SortFunc(live, func(x, y *chunk) int { return strings.Compare(x.id, y.id) })
		var e encoder
		e.uvarint(uint64(len(live)))
		for _, c := range live {
			e.b = append(e.b, c.data...)
		}
		blobs = append(blobs, keyBlob{key: k, blob: e.b})
	}
	b.keys = nil
	st.Packages = len(blobs)
	return blobs, &st
}

// job is one file to parse; open may be called twice (a retry as a feed).
type job struct {
	name string
	open func() (io.ReadCloser, error)
	size int64 // uncompressed size when known, to size the read buffer
	hash bool  // compute the file's SHA-256 (directory members)
	// member marks files found in a directory or zip, which may hold
	// other JSON (schemas, configs): skipped rather than refused.
	member bool
}

type result struct {
	recs    []*prepared
	name    string
	digest  string
	skipped bool
	err     error
}

func (b *builder) addSource(ctx context.Context, src string) error {
	abs, err := filepath.Abs(src)
	if err != nil {
		return err
	}
	fi, err := os.Stat(src)
	if err != nil {
		return err
	}
	s := Source{Path: abs}
	var jobs []job
	switch {
	case fi.IsDir():
		s.Kind = "directory"
		var zips []string
		err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if p != src && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			lower := strings.ToLower(d.Name())
			switch {
			case strings.HasSuffix(lower, ".json"), strings.HasSuffix(lower, ".json.gz"):
				j := fileJob(p, true)
				j.member = true
				if info, err := d.Info(); err == nil {
					j.size = info.Size()
				}
				jobs = append(jobs, j)
			case strings.HasSuffix(lower, ".zip"):
				zips = append(zips, p)
			}
			return nil
		})
		if err != nil {
			return err
		}
		lines, recs, files, err := b.run(ctx, src, jobs)
		if err != nil {
			return err
		}
		for _, z := range zips {
			zs, err := b.addZip(ctx, z)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(src, z)
			lines = append(lines, rel+"\x00"+zs.SHA256+"\n")
			recs += zs.Records
			files += zs.Files
		}
		sort.Strings(lines)
		h := sha256.New()
		for _, l := range lines {
			io.WriteString(h, l)
		}
		s.SHA256, s.Records, s.Files = hex.EncodeToString(h.Sum(nil)), recs, files
	case isZip(src):
		zs, err := b.addZip(ctx, src)
		if err != nil {
			return err
		}
		s = zs
		s.Path = abs
	default:
		s.Kind = "file"
		_, recs, _, err := b.run(ctx, src, []job{fileJob(src, false)})
		if err != nil {
			return err
		}
		if s.SHA256, err = fileDigest(src); err != nil {
			return err
		}
		s.Records, s.Files = recs, 1
	}
	b.stats.Sources = append(b.stats.Sources, s)
	return nil
}

func (b *builder) addZip(ctx context.Context, path string) (Source, error) {
	s := Source{Path: path, Kind: "zip"}
	f, err := os.Open(path)
	if err != nil {
		return s, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return s, err
	}
	// Entries are read nearly in order by the workers: a window cache turns
	// two small preads per entry into one large read per megabyte.
	zr, err := zip.NewReader(newWindowReader(f, fi.Size()), fi.Size())
	if err != nil {
		return s, fmt.Errorf("%s: %w: not a readable zip file: %v", path, ErrFormat, err)
	}
	var jobs []job
	for _, f := range zr.File {
		lower := strings.ToLower(f.Name)
		if f.FileInfo().IsDir() || strings.HasPrefix(lower, "__macosx/") ||
			!(strings.HasSuffix(lower, ".json") || strings.HasSuffix(lower, ".json.gz")) {
			continue
		}
		jobs = append(jobs, job{name: path + "!" + f.Name, size: int64(min(f.UncompressedSize64, MaxSize)), member: true,
			open: func() (io.ReadCloser, error) { return f.Open() }})
	}
	_, recs, files, err := b.run(ctx, path, jobs)
	if err != nil {
		return s, err
	}
	if s.SHA256, err = fileDigest(path); err != nil {
		return s, err
	}
	s.Records, s.Files = recs, files
	return s, nil
}

// windowReader is an io.ReaderAt over a file that keeps the last few
// 1 MiB windows it read.
type windowReader struct {
	f    io.ReaderAt
	size int64
	mu   sync.Mutex
	wins [4]window
	next int
}

type window struct {
	off  int64
	data []byte
}

const windowSize = 1 << 20

func newWindowReader(f io.ReaderAt, size int64) *windowReader {
	w := &windowReader{f: f, size: size}
	for i := range w.wins {
		w.wins[i].off = -1
	}
	return w
}

func (w *windowReader) ReadAt(p []byte, off int64) (int, error) {
	if len(p) > windowSize/4 {
		return w.f.ReadAt(p, off) // large reads gain nothing from the cache
	}
	n := 0
	for n < len(p) {
		if off >= w.size {
			return n, io.EOF
		}
		start := off - off%windowSize
		data, err := w.window(start)
		if err != nil {
			return n, err
		}
		c := copy(p[n:], data[off-start:])
		if c == 0 {
			return n, io.EOF
		}
		n += c
		off += int64(c)
	}
	return n, nil
}

func (w *windowReader) window(start int64) ([]byte, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, win := range w.wins {
		if win.off == start {
			return win.data, nil
		}
	}
	win := &w.wins[w.next]
	w.next = (w.next + 1) % len(w.wins)
	if cap(win.data) < windowSize {
		win.data = make([]byte, windowSize)
	}
	n, err := w.f.ReadAt(win.data[:min(windowSize, w.size-start)], start)
	if err != nil && !(errors.Is(err, io.EOF) && int64(n) == w.size-start) {
		win.off = -1
		return nil, err
	}
	win.off, win.data = start, win.data[:n]
	return win.data, nil
}

func isZip(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var magic [4]byte
	n, _ := io.ReadFull(f, magic[:])
	return n == 4 && bytes.Equal(magic[:], []byte("PK\x03\x04"))
}

func fileJob(path string, digest bool) job {
	return job{name: path, hash: digest, open: func() (io.ReadCloser, error) { return os.Open(path) }}
}

func fileDigest(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// run parses jobs on all cores and merges the results; for directory
// members it returns "relative path NUL digest LF" lines.
func (b *builder) run(ctx context.Context, root string, jobs []job) (lines []string, records, files int, err error) {
	if len(jobs) == 0 {
		return nil, 0, 0, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan job)
	results := make(chan result, 64)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				r := parseJob(j)
				select {
				case results <- r:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		defer close(work)
		for _, j := range jobs {
			select {
			case work <- j:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()
	for r := range results {
		if r.err != nil {
			if err == nil {
				err = r.err
				cancel()
			}
			continue
		}
		if err != nil {
			continue
		}
		if r.skipped {
			b.stats.Skipped++
			continue
		}
		files++
		for _, p := range r.recs {
			b.add(p)
			if p.kev != nil {
				records += len(p.kev.Vulnerabilities)
			} else {
				records++
			}
		}
		if r.digest != "" {
			rel, rerr := filepath.Rel(root, r.name)
			if rerr != nil {
				rel = r.name
			}
			lines = append(lines, filepath.ToSlash(rel)+"\x00"+r.digest+"\n")
		}
	}
	if err == nil {
		err = ctx.Err()
	}
	return lines, records, files, err
}

// parseJob reads one file into prepared records.
func parseJob(j job) result {
	rc, err := j.open()
	if err != nil {
		return result{err: err}
	}
	defer rc.Close()
	var h hash.Hash
	var r io.Reader = rc
	if j.hash {
		h = sha256.New()
		r = io.TeeReader(rc, h)
	}
	res := result{name: j.name}
	_, err = decodeSized(j.name, r, j.size, MaxFeedSize, false, docSink{
		osv: func(o *OSV) error { res.recs = append(res.recs, prepareOSV(o)); return nil },
		cve: func(c *CVE) error { res.recs = append(res.recs, prepareCVE(c)); return nil },
		kev: func(k *KEV) error { res.recs = append(res.recs, &prepared{kev: k}); return nil },
	})
	var fe *FormatError
	if errors.As(err, &fe) && fe.other && j.member {
		return result{name: j.name, skipped: true}
	}
	if err != nil {
		return result{err: err}
	}
	if h != nil {
		if _, err := io.Copy(io.Discard, r); err != nil { // the digest covers the whole file
			return result{err: fmt.Errorf("%s: %w", j.name, err)}
		}
		res.digest = hex.EncodeToString(h.Sum(nil))
	}
	return res
}

// maxSummary bounds stored summaries.
const maxSummary = 300

// prepareOSV encodes an OSV record: one entry per package key, holding all
// of the record's affected entries for that package.
func prepareOSV(o *OSV) *prepared {
	p := &prepared{ns: "osv", id: clean(o.ID, 200), withdrawn: o.IsWithdrawn()}
	p.modified, _ = parseTime(o.Modified)
	if p.withdrawn {
		return p
	}
	summary := clean(o.Summary, maxSummary)
	if summary == "" {
		summary = summarize(o.Details, 200)
	}
	type group struct {
		affs []affectedSpec
		sev  model.Severity
		cvss float64
	}
	groups := map[string]*group{}
	var order []string
	ecos := map[string]bool{}
	for i := range o.Affected {
		a := &o.Affected[i]
		base, name := vercmp.Base(a.Package.Ecosystem), a.Package.Name
		if name == "" && a.Package.PURL != "" {
			// A package given only by purl.
			if p, err := parsePURL(a.Package.PURL); err == nil {
				if b, _, names := p.osvPackage(); b != "" {
					base, name = b, names[0]
				}
			}
		}
		if base == "" || name == "" {
			continue
		}
		spec, ok := prepareAffected(a, base)
		if !ok {
			continue
		}
		key := indexKey(base, normalizeName(base, name))
		g := groups[key]
		if g == nil {
			g = &group{sev: model.Info}
			groups[key] = g
			order = append(order, key)
		}
		g.affs = append(g.affs, spec)
		sev, score := osvSeverity(o, a)
		if sev.Rank() > g.sev.Rank() {
			g.sev = sev
		}
		g.cvss = max(g.cvss, score)
		ecos[base] = true
	}
	for _, key := range order {
		g := groups[key]
		meta := metaSpec{
			id: p.id, aliases: cleanIDs(o.Aliases), upstream: cleanIDs(o.Upstream), summary: summary,
			published: o.PublishedTime(), severity: g.sev, cvss: g.cvss,
		}
		p.entries = append(p.entries, keyBlob{key: key, blob: encodeEntry(
			func(e *encoder) { encodeOSVMatch(e, g.affs) }, &meta)})
	}
	for e := range ecos {
		p.ecosystems = append(p.ecosystems, e)
	}
	slices.Sort(p.ecosystems)
	return p
}

func cleanIDs(ids []string) []string {
	var out []string
	for _, id := range ids {
		if id = clean(id, 200); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// prepareCVE encodes an NVD CVE: one entry per CPE vendor and product of
// its vulnerable criteria.
func prepareCVE(c *CVE) *prepared {
	p := &prepared{ns: "nvd", id: clean(c.ID, 200), modified: c.LastModified, withdrawn: c.Rejected()}
	if p.withdrawn {
		return p
	}
	sev := model.Medium
	if c.CVSS > 0 {
		sev = SeverityFromCVSS(c.CVSS)
	}
	meta := metaSpec{id: p.id, summary: summarize(c.Description, 200), published: c.Published,
		severity: sev, cvss: c.CVSS, kev: c.KEV}
	rules := map[string][]cpeRule{}
	var order []string
	for _, m := range c.Matches {
		cp, err := parseCPE(m.Criteria)
		if err != nil {
			continue
		}
		k := indexKey(nvdKeyPrefix, cp.key())
		if _, ok := rules[k]; !ok {
			order = append(order, k)
		}
		rules[k] = append(rules[k], cpeRule{c: cp,
			startIncluding: m.VersionStartIncluding, startExcluding: m.VersionStartExcluding,
			endIncluding: m.VersionEndIncluding, endExcluding: m.VersionEndExcluding})
	}
	for _, k := range order {
		rs := rules[k]
		p.entries = append(p.entries, keyBlob{key: k, blob: encodeEntry(
			func(e *encoder) { encodeNVDMatch(e, rs) }, &meta)})
	}
	if len(p.entries) > 0 {
		p.ecosystems = []string{"NVD"}
	}
	return p
}
