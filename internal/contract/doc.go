// Package contract checks a service against its published OpenAPI 3.1
// document from the outside: Schemas compiles the document's schemas
// (JSON Schema draft 2020-12, with Gantry's x-maxBytes keyword asserted),
// and Fuzz sends property-based requests, valid and invalid, with and
// without credentials, and checks every answer against the operation's
// documented responses. Tests and .ci/run use it; it is not a library for
// services.
package contract
