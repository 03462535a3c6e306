// Command lbsg provisions AWS load balancers and their security groups for
// Kubernetes Services and Ingresses, and ships the tools around it (an AWS
// emulator, a sandbox, plan and audit). All logic lives in internal/cli.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/lbsg/lbsg/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
