package cli

import (
	"context"
	"errors"
	"io"
)

func runEmulator(_ context.Context, _ []string, _, _ io.Writer) error {
	return errors.New("not built yet")
}
