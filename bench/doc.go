// Command bench measures iotguard on generated fleets, in its own module
// so that the libraries it compares against (OPA, alternative JSON
// decoders) never become dependencies of the iotguard binary.
package main
