// Command tilsyn is the Tilsyn monitoring system: one binary that serves the
// web interface and API and runs the maintenance commands.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "tilsyn: "+strings.ReplaceAll(err.Error(), "\n", "; "))
		os.Exit(1)
	}
}
