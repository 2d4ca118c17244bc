package model

import (
	"bytes"
	"os"
	"testing"
)

// BenchmarkDecodeDeviceJSON decodes lines of a generated fleet
// (iotguard fleet generate --devices 10000 --seed 1, every 97th line).
func BenchmarkDecodeDeviceJSON(b *testing.B) {
	lines := sampleLines(b)
	b.SetBytes(int64(len(bytes.Join(lines, nil)) / len(lines)))
	b.ReportAllocs()
	var d Device
	for i := 0; b.Loop(); i++ {
		d = Device{}
		if !DecodeDeviceJSON(lines[i%len(lines)], &d) {
			b.Fatalf("line %d left the fast path", i%len(lines))
		}
	}
}

// BenchmarkDeviceDecoder is BenchmarkDecodeDeviceJSON, transiently.
func BenchmarkDeviceDecoder(b *testing.B) {
	lines := sampleLines(b)
	b.ReportAllocs()
	var dd DeviceDecoder
	var d Device
	for i := 0; b.Loop(); i++ {
		d = Device{}
		if !dd.Decode(lines[i%len(lines)], &d) {
			b.Fatalf("line %d left the fast path", i%len(lines))
		}
	}
}

// A transient decoder allocates nothing for a generated fleet's devices,
// once it has grown to their size.
func TestDeviceDecoderDoesNotAllocate(t *testing.T) {
	lines := sampleLines(t)
	var dd DeviceDecoder
	var d Device
	for _, l := range lines {
		dd.Decode(l, &d)
	}
	i := 0
	if n := testing.AllocsPerRun(200, func() {
		d = Device{}
		if !dd.Decode(lines[i%len(lines)], &d) {
			t.Fatalf("line %d left the fast path", i%len(lines))
		}
		i++
	}); n != 0 {
		t.Errorf("transient decoding allocates %v times per device", n)
	}
}

func sampleLines(tb testing.TB) [][]byte {
	data, err := os.ReadFile("testdata/fleet-sample.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	return bytes.Split(bytes.TrimSpace(data), []byte("\n"))
}
