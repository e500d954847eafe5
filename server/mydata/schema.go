package mydata

import _ "embed"

// Schema is the JSON Schema (draft 2020-12) of Data, version
// SchemaVersion, served at SchemaPath beside the download.
//
//go:embed schema.json
var Schema []byte
