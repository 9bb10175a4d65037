// Command server runs yousaid: the survey and participation platform for
// young people leaving care.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "yousaid:", err)
		}
		os.Exit(1)
	}
}

// run starts the platform and serves until ctx is cancelled, then shuts
// down gracefully.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	switch {
	case cfg.Backup != "":
		return backup(ctx, cfg, newLogger(stderr, cfg.LogLevel), stdout)
	case cfg.Restore != "":
		return restore(ctx, cfg, newLogger(stderr, cfg.LogLevel), stdout)
	}
	app, err := NewApp(ctx, cfg, newLogger(stdout, cfg.LogLevel))
	if err != nil {
		return err
	}
	if cfg.Repair {
		defer app.Close()
		return app.Repair(ctx, stdout)
	}
	return app.Serve(ctx)
}
