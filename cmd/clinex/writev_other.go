//go:build !(darwin || linux || openbsd)

package main

import "os"

// writeBuffers writes bufs to f in order (one write each where the
// system has no writev for clinex).
func writeBuffers(f *os.File, bufs [][]byte) error { return writeEach(f, bufs) }
