// Package definitions embeds the form definitions shipped with the
// program (one JSON file per service).
package definitions

import "embed"

// FS holds *.json.
//
//go:embed *.json
var FS embed.FS
