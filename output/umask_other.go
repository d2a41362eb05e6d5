//go:build !unix

package output

import "os"

// umask stands in for the Unix one where files have no such mask.
var umask os.FileMode = 0o022
