package awsiot

import "github.com/iotguard/iotguard/internal/redact"

// Secret handling. Registry exports can carry credentials: private keys
// (create-keys-and-certificate output), passwords or tokens that someone
// stored as attributes, connection strings. Importers keep none of them:
// entries whose name or value looks secret are dropped, and secret parts of
// free text are replaced by Redacted. The rules live in package
// internal/redact, shared with azureiot.

// Redacted replaces a secret inside a kept string.
const Redacted = redact.Redacted
