//go:build !unix

package main

import (
	"os"
	"time"
)

// maxRSS is not measured on this system.
func maxRSS(*os.ProcessState) int64 { return 0 }

// cpuTime is not measured on this system.
func cpuTime() time.Duration { return 0 }

// peakRSSSelf is not measured on this system.
func peakRSSSelf() int64 { return 0 }
