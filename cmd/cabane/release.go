package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"debug/elf"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"cabane.dev/cabane/app/durable"
	"cabane.dev/cabane/app/update"
)

const releaseUsage = `usage:
  cabane release keygen [--key FILE]    write an ed25519 release key (FILE, 0600) and FILE.pub
  cabane release sign --key FILE --version V [--out FILE] BINARY
                                        sign a static linux binary into an .update file`

// release makes and uses the builder's signing key (make release calls it).
func release(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(releaseUsage)
	}
	switch args[0] {
	case "keygen":
		return releaseKeygen(args[1:], stdout, stderr)
	case "sign":
		return releaseSign(args[1:], stdout, stderr)
	}
	return errors.New(releaseUsage)
}

func defaultKeyPath() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "release.key"
	}
	return filepath.Join(dir, "cabane", "release.key")
}

func releaseKeygen(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cabane release keygen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("key", defaultKeyPath(), "private key file to create (the public key goes to FILE.pub)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if _, err := os.Stat(*path); err == nil {
		return fmt.Errorf("%s exists: a new key would orphan every box that trusts the old one", *path)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("generate key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(*path), 0o700); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(*path), err)
	}
	if err := durable.WriteFile(*path, []byte(base64.StdEncoding.EncodeToString(priv)+"\n"), 0o600); err != nil {
		return err
	}
	if err := durable.WriteFile(*path+".pub", []byte(base64.StdEncoding.EncodeToString(pub)+"\n"), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (keep it secret) and %s\n", *path, *path+".pub")
	return nil
}

func readPrivateKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read release key: %w", err)
	}
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(k) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("%s is not a release key written by cabane release keygen", path)
	}
	return ed25519.PrivateKey(k), nil
}

func releaseSign(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cabane release sign", flag.ContinueOnError)
	fs.SetOutput(stderr)
	keyPath := fs.String("key", defaultKeyPath(), "private key file")
	ver := fs.String("version", "", "the binary's version (what it was built with: -X main.version)")
	out := fs.String("out", "", "update file to write (default cabane-VERSION-linux-ARCH.update beside BINARY)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *ver == "" {
		return errors.New(releaseUsage)
	}
	bin := fs.Arg(0)
	priv, err := readPrivateKey(*keyPath)
	if err != nil {
		return err
	}
	body, err := os.ReadFile(bin)
	if err != nil {
		return fmt.Errorf("read binary: %w", err)
	}
	goarch, name, err := elfArch(body)
	if err != nil {
		return fmt.Errorf("%s: %w", bin, err)
	}
	if *out == "" {
		*out = filepath.Join(filepath.Dir(bin), fmt.Sprintf("cabane-%s-linux-%s.update", *ver, name))
	}
	var buf bytes.Buffer
	if err := update.Sign(&buf, priv, update.Manifest{Version: *ver, GOOS: "linux", GOARCH: goarch}, body); err != nil {
		return err
	}
	if err := durable.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%s, linux/%s, %d bytes)\n", *out, *ver, goarch, len(body))
	return nil
}

// elfArch reads GOARCH from the binary itself, so a file can never be
// signed for the wrong board; name is the file name's spelling (armv7).
func elfArch(b []byte) (goarch, name string, err error) {
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		return "", "", fmt.Errorf("not a Linux binary: %w", err)
	}
	switch f.Machine {
	case elf.EM_X86_64:
		return "amd64", "amd64", nil
	case elf.EM_AARCH64:
		return "arm64", "arm64", nil
	case elf.EM_ARM:
		return "arm", "armv7", nil
	}
	return "", "", fmt.Errorf("unsupported machine %s", f.Machine)
}
