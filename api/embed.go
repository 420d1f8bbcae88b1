// Package api holds the OpenAPI description of Tilsyn's JSON API, served at
// /api/v1/openapi.yaml and checked against real responses in tests.
package api

import _ "embed"

// OpenAPI is the OpenAPI 3.1 document in YAML.
//
//go:embed openapi.yaml
var OpenAPI []byte
