//go:build darwin || linux || openbsd

package main

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// writeBuffers writes bufs to f in order, up to maxIovecs of them in one
// writev. It trims the slices of bufs as it goes.
func writeBuffers(f *os.File, bufs [][]byte) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return writeEach(f, bufs)
	}
	for len(bufs) > 0 {
		batch := bufs[:min(len(bufs), maxIovecs)]
		var n int
		var werr error
		err := rc.Write(func(fd uintptr) bool {
			n, werr = unix.Writev(int(fd), batch)
			return werr != unix.EAGAIN
		})
		switch {
		case err != nil:
			return err
		case werr == unix.EINTR:
			continue
		case werr != nil:
			return &os.PathError{Op: "write", Path: f.Name(), Err: werr}
		}
		var ok bool
		if bufs, ok = advance(bufs, n); !ok {
			return &os.PathError{Op: "write", Path: f.Name(), Err: io.ErrShortWrite}
		}
	}
	return nil
}
