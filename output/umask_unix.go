//go:build unix

package output

import (
	"os"
	"syscall"
)

// umask is read once, at start-up before any goroutine creates files,
// because reading it means setting it for a moment.
var umask = func() os.FileMode {
	m := syscall.Umask(0)
	syscall.Umask(m)
	return os.FileMode(m)
}()
