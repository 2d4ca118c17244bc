// Command iotguard applies ISO/IEC 27400 to IoT fleets: a catalog of the 45
// controls, an assessment engine, reports and a server. This package only
// wires the domain and adapter packages together.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// Exit codes, documented in `iotguard --help` and the README.
const (
	exitOK          = 0
	exitFindings    = 1 // --fail-on threshold reached
	exitUsage       = 2 // usage or input error
	exitInternal    = 3 // anything else: I/O, environment
	exitInterrupted = 130
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// usageError marks errors caused by what the user typed or supplied.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

func asUsage(err error) error {
	if err == nil {
		return nil
	}
	return &usageError{err}
}

// findingsError reports that the --fail-on threshold was reached.
type findingsError struct{ msg string }

func (e *findingsError) Error() string { return e.msg }

// exitCode maps an error to the process exit status in one place.
func exitCode(err error) int {
	var ue *usageError
	var fe *findingsError
	var ie *interruptedError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ie), errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.As(err, &fe):
		return exitFindings
	case errors.As(err, &ue):
		return exitUsage
	case isCobraUsage(err):
		return exitUsage
	default:
		return exitInternal
	}
}

// isCobraUsage recognises the errors cobra and pflag return for bad
// command lines, which are not typed.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "invalid argument",
		"flag needs an argument", "accepts ", "requires at least", "requires at most", "required flag", "if any flags in the group"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd(&app{stdin: stdin, stdout: stdout, stderr: stderr})
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err != nil {
		var fe *findingsError
		if !errors.As(err, &fe) {
			fmt.Fprintf(stderr, "iotguard: %v\n", err)
			if exitCode(err) == exitUsage && isCobraUsage(err) {
				fmt.Fprintln(stderr, "Run 'iotguard --help' for usage.")
			}
		} else {
			fmt.Fprintf(stderr, "iotguard: %v\n", err)
		}
	}
	return exitCode(err)
}
