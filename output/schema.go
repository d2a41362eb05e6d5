package output

import _ "embed"

// FindingSchema is the JSON Schema (draft 2020-12) of one findings.jsonl
// line, shipped with the binary so a program can validate what it reads
// against the version that wrote it.
//
//go:embed finding.schema.json
var FindingSchema []byte
