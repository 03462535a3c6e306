//go:build !unix

package localenv

import (
	"errors"
	"os"
)

// lockFile fails: without flock no port is leased (kwokctl's binary
// runtime needs a Unix host anyway).
func lockFile(*os.File) error { return errors.ErrUnsupported }

func unlockFile(*os.File) {}
