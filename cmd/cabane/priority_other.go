//go:build !linux

package main

// lowerPriority is a no-op where Cabane does not run boxes.
func lowerPriority() error { return nil }
