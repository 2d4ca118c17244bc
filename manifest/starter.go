package manifest

import _ "embed"

//go:embed starter.yaml
var starter []byte

// Starter returns the commented starter manifest that `iotguard init`
// writes: every section with one realistic entry, and the policy defaults
// written out and explained. It loads without error.
func Starter() []byte { return append([]byte(nil), starter...) }
