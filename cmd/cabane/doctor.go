package main

import (
	"context"
	"errors"
	"io"
)

func doctor(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("doctor: not wired yet")
}
