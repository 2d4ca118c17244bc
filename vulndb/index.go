package vulndb

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"time"
)

// FormatVersion is the on-disk index format this package writes and reads.
// Any change to the layout below bumps it; older files are refused with a
// request to rebuild.
const FormatVersion = 1

// The index file (see docs/importers/vulndb.md):
//
//	header  16 bytes: magic "IOTGVDB\n", uint32 format, uint32 zero
//	blobs   one per key, concatenated; each: uvarint entry count + entries
//	table   keyCount fixed records of 24 bytes (uint32 key offset, uint16
//	        key length, uint16 zero, uint64 blob offset, uint32 blob length,
//	        uint32 blob CRC-32C), then the key bytes; keys sorted bytewise
//	kev     uvarint count, then per CVE: ID, varint date added, byte flags
//	stats   JSON (Stats)
//	footer  80 bytes: magic "IOTGVDBF", uint32 format, uint32 keyCount,
//	        uint64 offset/length of table, kev and stats, uint32 CRC-32C of
//	        each, uint32 CRC-32C of the footer's first 76 bytes
//
// All integers are little-endian. Open reads the header, footer, table,
// KEV list and stats; blobs are read on demand with ReadAt.
const (
	headerSize  = 16
	footerSize  = 80
	tableRecord = 24
)

var (
	headerMagic = []byte("IOTGVDB\n")
	footerMagic = []byte("IOTGVDBF")
	castagnoli  = crc32.MakeTable(crc32.Castagnoli)
)

// ErrIndex is matched (errors.Is) by errors about an unreadable index file:
// corrupt, truncated, not an index, or of another format version.
var ErrIndex = errors.New("vulnerability index unusable")

func indexErr(path, format string, args ...any) error {
	return fmt.Errorf("%s: %w: %s: rebuild it with iotguard vulndb import", path, ErrIndex, fmt.Sprintf(format, args...))
}

// Stats describes an index for `iotguard vulndb status`.
type Stats struct {
	Format  int       `json:"format"`
	BuiltAt time.Time `json:"built_at"`
	// Advisories counts indexed OSV records; Withdrawn the withdrawn ones
	// skipped; Superseded older copies of an ID seen twice; Unindexed
	// records (OSV or NVD) with no package or CPE to match by.
	Advisories int `json:"advisories"`
	Withdrawn  int `json:"withdrawn"`
	Superseded int `json:"superseded"`
	Unindexed  int `json:"unindexed"`
	// CVEs counts indexed NVD CVEs; Rejected those NVD rejected.
	CVEs     int `json:"cves"`
	Rejected int `json:"rejected"`
	// Skipped counts JSON files in imported directories and zips that are
	// not vulnerability data (schemas, configuration).
	Skipped int `json:"skipped"`
	// KEV counts CVE IDs in the known-exploited catalogue.
	KEV        int    `json:"kev"`
	KEVCatalog string `json:"kev_catalog,omitempty"`
	// Packages counts the index keys (ecosystem + package, or CPE vendor +
	// product).
	Packages int `json:"packages"`
	// Ecosystems counts indexed advisories per ecosystem ("NVD" for CVEs).
	Ecosystems map[string]int `json:"ecosystems"`
	Sources    []Source       `json:"sources"`
	// Path and Size describe the index file itself.
	Path string `json:"path"`
	Size int64  `json:"size"`
}

// Source is one imported path.
type Source struct {
	Path string `json:"path"`
	// Kind is directory, zip or file.
	Kind string `json:"kind"`
	// SHA256 is the file's digest; for a directory, the digest of its
	// sorted "relative path NUL file digest LF" lines.
	SHA256  string `json:"sha256"`
	Files   int    `json:"files"`
	Records int    `json:"records"`
}

// DefaultPath is where the index lives unless the caller says otherwise:
// the user's cache directory, iotguard/vulndb.idx.
func DefaultPath() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory for the vulnerability index (%v): pass a path", err)
	}
	return filepath.Join(dir, "iotguard", "vulndb.idx"), nil
}

// keyBlob is a key with its encoded blob, ready to write.
type keyBlob struct {
	key  string
	blob []byte
}

// writeIndex writes the whole file; keys must be sorted and unique.
func writeIndex(w io.Writer, blobs []keyBlob, kev kevSet, stats *Stats) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	var hdr [headerSize]byte
	copy(hdr[:], headerMagic)
	binary.LittleEndian.PutUint32(hdr[8:], FormatVersion)
	bw.Write(hdr[:])
	off := uint64(headerSize)
	table := make([]byte, 0, len(blobs)*tableRecord)
	var keys []byte
	for _, kb := range blobs {
		if len(kb.key) > 0xffff {
			return fmt.Errorf("package key too long (%d bytes)", len(kb.key))
		}
		if len(kb.blob) > 0xffffffff {
			return fmt.Errorf("package %q has more advisory data than the index format holds", clip(kb.key, 60))
		}
		var rec [tableRecord]byte
		binary.LittleEndian.PutUint32(rec[0:], uint32(len(keys)))
		binary.LittleEndian.PutUint16(rec[4:], uint16(len(kb.key)))
		binary.LittleEndian.PutUint64(rec[8:], off)
		binary.LittleEndian.PutUint32(rec[16:], uint32(len(kb.blob)))
		binary.LittleEndian.PutUint32(rec[20:], crc32.Checksum(kb.blob, castagnoli))
		table = append(table, rec[:]...)
		keys = append(keys, kb.key...)
		if _, err := bw.Write(kb.blob); err != nil {
			return err
		}
		off += uint64(len(kb.blob))
	}
	if uint64(len(keys)) > 0xffffffff {
		return errors.New("too many package keys for the index format")
	}
	table = append(table, keys...)

	var ke encoder
	ids := make([]string, 0, len(kev))
	for id := range kev {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	ke.uvarint(uint64(len(ids)))
	for _, id := range ids {
		info := kev[id]
		ke.str(id)
		var added int64
		if !info.added.IsZero() {
			added = info.added.Unix()
		}
		ke.varint(added)
		var flags uint8
		if info.ransomware {
			flags = 1
		}
		ke.byte1(flags)
	}
	statsJSON, err := json.Marshal(stats)
	if err != nil {
		return err
	}

	var foot [footerSize]byte
	copy(foot[:], footerMagic)
	binary.LittleEndian.PutUint32(foot[8:], FormatVersion)
	binary.LittleEndian.PutUint32(foot[12:], uint32(len(blobs)))
	for i, sec := range [][]byte{table, ke.b, statsJSON} {
		binary.LittleEndian.PutUint64(foot[16+16*i:], off)
		binary.LittleEndian.PutUint64(foot[24+16*i:], uint64(len(sec)))
		binary.LittleEndian.PutUint32(foot[64+4*i:], crc32.Checksum(sec, castagnoli))
		if _, err := bw.Write(sec); err != nil {
			return err
		}
		off += uint64(len(sec))
	}
	binary.LittleEndian.PutUint32(foot[76:], crc32.Checksum(foot[:76], castagnoli))
	if _, err := bw.Write(foot[:]); err != nil {
		return err
	}
	return bw.Flush()
}

// Index is an opened vulnerability index. It is safe for concurrent use.
type Index struct {
	r      io.ReaderAt
	closer io.Closer
	path   string
	n      int
	table  []byte // n records, then key bytes
	keys   []byte
	blobHi uint64 // end of the blob area
	kev    kevSet
	stats  Stats
	bufs   sync.Pool
}

// Open opens an index written by Build. It reads only the header, the key
// table, the KEV list and the stats; advisories are read per lookup.
func Open(path string) (*Index, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no vulnerability index at %s: build one with iotguard vulndb import PATH... (OSV directories or zips, NVD feeds, the KEV catalogue)", path)
		}
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	ix, err := openReader(f, fi.Size(), path)
	if err != nil {
		f.Close()
		return nil, err
	}
	ix.closer = f
	return ix, nil
}

// openReader reads an index from r (size bytes); path names it in errors.
func openReader(f io.ReaderAt, size int64, path string) (*Index, error) {
	if size < headerSize+footerSize {
		return nil, indexErr(path, "not a vulnerability index (too short)")
	}
	var hdr [headerSize]byte
	if _, err := f.ReadAt(hdr[:], 0); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if !bytes.Equal(hdr[:8], headerMagic) {
		return nil, indexErr(path, "not a vulnerability index")
	}
	if v := binary.LittleEndian.Uint32(hdr[8:]); v != FormatVersion {
		return nil, indexErr(path, "index format %d, but this iotguard reads format %d", v, FormatVersion)
	}
	var foot [footerSize]byte
	if _, err := f.ReadAt(foot[:], size-footerSize); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if !bytes.Equal(foot[:8], footerMagic) || binary.LittleEndian.Uint32(foot[76:]) != crc32.Checksum(foot[:76], castagnoli) {
		return nil, indexErr(path, "the file is truncated or corrupt (bad footer)")
	}
	if v := binary.LittleEndian.Uint32(foot[8:]); v != FormatVersion {
		return nil, indexErr(path, "index format %d, but this iotguard reads format %d", v, FormatVersion)
	}
	n := int(binary.LittleEndian.Uint32(foot[12:]))
	var secs [3][]byte
	lo := uint64(headerSize)
	for i := range secs {
		off := binary.LittleEndian.Uint64(foot[16+16*i:])
		ln := binary.LittleEndian.Uint64(foot[24+16*i:])
		if off < lo || ln > uint64(size-footerSize) || off+ln > uint64(size-footerSize) {
			return nil, indexErr(path, "section %d lies outside the file", i)
		}
		lo = off + ln
		secs[i] = make([]byte, ln)
		if _, err := f.ReadAt(secs[i], int64(off)); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if crc32.Checksum(secs[i], castagnoli) != binary.LittleEndian.Uint32(foot[64+4*i:]) {
			return nil, indexErr(path, "checksum mismatch in section %d", i)
		}
	}
	ix := &Index{r: f, path: path, n: n, table: secs[0], blobHi: binary.LittleEndian.Uint64(foot[16:])}
	if uint64(n) > uint64(len(ix.table))/tableRecord {
		return nil, indexErr(path, "key table too short")
	}
	ix.keys = ix.table[n*tableRecord:]
	var prev []byte
	for i := range n {
		k, ok := ix.keyAt(i)
		if !ok {
			return nil, indexErr(path, "key %d lies outside the key table", i)
		}
		off, ln, _ := ix.blobAt(i)
		if off < headerSize || off+uint64(ln) > ix.blobHi {
			return nil, indexErr(path, "advisories of key %d lie outside the file", i)
		}
		if i > 0 && bytes.Compare(prev, k) >= 0 {
			return nil, indexErr(path, "keys are not sorted")
		}
		prev = k
	}
	var err error
	if ix.kev, err = decodeKEV(secs[1]); err != nil {
		return nil, indexErr(path, "KEV list: %v", err)
	}
	if err := json.Unmarshal(secs[2], &ix.stats); err != nil {
		return nil, indexErr(path, "stats: %v", err)
	}
	ix.stats.Path, ix.stats.Size = path, size
	return ix, nil
}

func decodeKEV(b []byte) (kevSet, error) {
	d := decoder{b: b}
	n := d.count(3)
	s := make(kevSet, n)
	for range n {
		id := d.str()
		added := d.varint()
		flags := d.byte1()
		info := kevInfo{ransomware: flags&1 != 0}
		if added != 0 {
			info.added = time.Unix(added, 0).UTC()
		}
		s[id] = info
	}
	if d.err != nil {
		return nil, d.err
	}
	return s, nil
}

func (ix *Index) keyAt(i int) ([]byte, bool) {
	rec := ix.table[i*tableRecord:]
	off := binary.LittleEndian.Uint32(rec[0:])
	ln := binary.LittleEndian.Uint16(rec[4:])
	if uint64(off)+uint64(ln) > uint64(len(ix.keys)) {
		return nil, false
	}
	return ix.keys[off : off+uint32(ln)], true
}

func (ix *Index) blobAt(i int) (off uint64, ln uint32, crc uint32) {
	rec := ix.table[i*tableRecord:]
	return binary.LittleEndian.Uint64(rec[8:]), binary.LittleEndian.Uint32(rec[16:]), binary.LittleEndian.Uint32(rec[20:])
}

// lookup returns the blob of a key (nil when absent), in a buffer from the
// pool that the caller returns with release.
func (ix *Index) lookup(key []byte) ([]byte, *[]byte, error) {
	i := sort.Search(ix.n, func(i int) bool {
		k, _ := ix.keyAt(i)
		return bytes.Compare(k, key) >= 0
	})
	if i >= ix.n {
		return nil, nil, nil
	}
	if k, _ := ix.keyAt(i); !bytes.Equal(k, key) {
		return nil, nil, nil
	}
	off, ln, crc := ix.blobAt(i)
	bp, _ := ix.bufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	if cap(*bp) < int(ln) {
		*bp = make([]byte, ln)
	}
	buf := (*bp)[:ln]
	if _, err := ix.r.ReadAt(buf, int64(off)); err != nil {
		ix.bufs.Put(bp)
		return nil, nil, fmt.Errorf("%s: %w", ix.path, err)
	}
	if crc32.Checksum(buf, castagnoli) != crc {
		ix.bufs.Put(bp)
		return nil, nil, indexErr(ix.path, "checksum mismatch in the advisories of %q", clip(string(key), 60))
	}
	return buf, bp, nil
}

func (ix *Index) release(bp *[]byte) {
	if bp != nil && cap(*bp) <= 1<<20 { // keep the pool small
		ix.bufs.Put(bp)
	}
}

// Stats returns what the index holds and where it came from.
func (ix *Index) Stats() *Stats {
	s := ix.stats
	s.Ecosystems = maps.Clone(s.Ecosystems)
	s.Sources = slices.Clone(s.Sources)
	return &s
}

// Close closes the index file.
func (ix *Index) Close() error {
	if ix.closer == nil {
		return nil
	}
	return ix.closer.Close()
}
