// Package assets embeds the stylesheets, icons and images.
package assets

import "embed"

// FS holds css/ and icons/, served under /s/<version>/.
//
//go:embed css icons
var FS embed.FS
