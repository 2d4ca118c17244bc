//go:build !linux

package main

import (
	"errors"
	"os"
	"runtime"
	"syscall"
	"time"
)

var errNoProc = errors.New("process statistics need Linux's /proc")

func childProcAttr() *syscall.SysProcAttr { return nil }

func childMaxRSS(*os.ProcessState) int64 { return 0 }

func processCPU(int) (time.Duration, error) { return 0, errNoProc }

func machineCPU() (busy, total int64, err error) { return 0, 0, errNoProc }

func loadAverage() (float64, error) { return 0, errNoProc }

func cpuModel() string { return "unknown" }

func kernel() string { return runtime.GOOS }

func databaseCPU(string) (time.Duration, error) { return 0, errNoProc }
