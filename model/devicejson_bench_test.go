package model

import (
	"bytes"
	"os"
	"testing"
)

// BenchmarkDecodeDeviceJSON decodes lines of a generated fleet
// (iotguard fleet generate --devices 10000 --seed 1, every 97th line).
func BenchmarkDecodeDeviceJSON(b *testing.B) {
	data, err := os.ReadFile("testdata/fleet-sample.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	b.SetBytes(int64(len(data) / len(lines)))
	b.ReportAllocs()
	var d Device
	for i := 0; b.Loop(); i++ {
		d = Device{}
		if !DecodeDeviceJSON(lines[i%len(lines)], &d) {
			b.Fatalf("line %d left the fast path", i%len(lines))
		}
	}
}
