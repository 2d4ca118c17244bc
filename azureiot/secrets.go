package azureiot

import "github.com/iotguard/iotguard/internal/redact"

// Secret handling. IoT Hub exports carry credentials: symmetric keys of SAS
// devices (bulk export without ExcludeKeys), and connection strings, SAS
// tokens, passwords or private keys that someone stored in tags or that a
// device reported. Importers keep none of them: entries whose name or value
// looks secret are dropped, and secret parts of free text are replaced by
// Redacted. The rules live in package internal/redact, shared with awsiot.

// Redacted replaces a secret inside a kept string.
const Redacted = redact.Redacted
