//go:build !unix

package output

import "os"

var umask os.FileMode = 0o022
