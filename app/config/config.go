// Package config turns flags, CABANE_* environment variables and defaults into
// one Config, and knows the layout of the data directory.
package config

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Config is everything `cabane serve` can be told.
type Config struct {
	DataDir        string
	Listen         string
	MaxUploadBytes int64
	PublicURL      string // absolute links use it when set; else the request's host
	Workers        int    // concurrent processing jobs
	FFmpeg         string
	FFprobe        string
	LogLevel       string
}

// Default is the configuration with nothing set.
func Default() Config {
	return Config{
		DataDir:        "./data",
		Listen:         ":8080",
		MaxUploadBytes: 8 << 30,
		Workers:        1,
		FFmpeg:         "ffmpeg",
		FFprobe:        "ffprobe",
		LogLevel:       "info",
	}
}

// Flags registers every setting on fs, with the environment overriding the
// defaults and flags overriding the environment.
func (c *Config) Flags(fs *flag.FlagSet, getenv func(string) string) error {
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	var errs []error
	envInt := func(name string, def int64) int64 {
		v := getenv(name)
		if v == "" {
			return def
		}
		n, err := ParseSize(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			return def
		}
		return n
	}
	fs.StringVar(&c.DataDir, "data", env("CABANE_DATA", c.DataDir), "data directory (env CABANE_DATA)")
	fs.StringVar(&c.Listen, "listen", env("CABANE_LISTEN", c.Listen), "HTTP listen address (env CABANE_LISTEN)")
	fs.StringVar(&c.PublicURL, "public-url", env("CABANE_PUBLIC_URL", c.PublicURL), "public base URL for absolute links (env CABANE_PUBLIC_URL)")
	fs.StringVar(&c.FFmpeg, "ffmpeg", env("CABANE_FFMPEG", c.FFmpeg), "ffmpeg program (env CABANE_FFMPEG)")
	fs.StringVar(&c.FFprobe, "ffprobe", env("CABANE_FFPROBE", c.FFprobe), "ffprobe program (env CABANE_FFPROBE)")
	fs.StringVar(&c.LogLevel, "log-level", env("CABANE_LOG_LEVEL", c.LogLevel), "debug, info, warn or error (env CABANE_LOG_LEVEL)")
	c.MaxUploadBytes = envInt("CABANE_MAX_UPLOAD", c.MaxUploadBytes)
	fs.Func("max-upload", "largest accepted upload, e.g. 8G, 500M (env CABANE_MAX_UPLOAD)", func(s string) error {
		n, err := ParseSize(s)
		c.MaxUploadBytes = n
		return err
	})
	c.Workers = int(envInt("CABANE_WORKERS", int64(c.Workers)))
	fs.IntVar(&c.Workers, "workers", c.Workers, "concurrent processing jobs (env CABANE_WORKERS)")
	return errors.Join(errs...)
}

// Validate reports settings that cannot work.
func (c *Config) Validate() error {
	if c.DataDir == "" {
		return errors.New("data directory must not be empty")
	}
	if c.MaxUploadBytes <= 0 {
		return errors.New("max upload must be positive")
	}
	if c.Workers < 1 {
		return errors.New("workers must be at least 1")
	}
	if c.PublicURL != "" && !strings.HasPrefix(c.PublicURL, "http://") && !strings.HasPrefix(c.PublicURL, "https://") {
		return fmt.Errorf("public URL %q must start with http:// or https://", c.PublicURL)
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	return nil
}

// ParseSize reads a byte count such as "2G", "500M", "64k" or "1048576".
func ParseSize(s string) (int64, error) {
	s = strings.TrimSpace(strings.ToUpper(s))
	s = strings.TrimSuffix(s, "B")
	mult := int64(1)
	if n := len(s); n > 0 {
		switch s[n-1] {
		case 'K':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G':
			mult = 1 << 30
		case 'T':
			mult = 1 << 40
		}
		if mult != 1 {
			s = s[:n-1]
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return n * mult, nil
}

// Layout names the files and folders inside the data directory.
type Layout struct{ Root string }

func (l Layout) DB() string                   { return filepath.Join(l.Root, "cabane.db") }
func (l Layout) Media() string                { return filepath.Join(l.Root, "media") }
func (l Layout) Video(uuid string) string     { return filepath.Join(l.Root, "media", uuid) }
func (l Layout) HLS(uuid string) string       { return filepath.Join(l.Root, "media", uuid, "hls") }
func (l Layout) Uploads() string              { return filepath.Join(l.Root, "tmp", "uploads") }
func (l Layout) Backups() string              { return filepath.Join(l.Root, "backups") }
func (l Layout) Keys() string                 { return filepath.Join(l.Root, "keys") }
func (l Layout) Certs() string                { return filepath.Join(l.Root, "certs") }
func (l Layout) HardwareProbeCache() string   { return filepath.Join(l.Root, "hardware-probe.json") }
func (l Layout) Thumbnail(uuid string) string { return filepath.Join(l.Video(uuid), "thumbnail.jpg") }
func (l Layout) Preview(uuid string) string   { return filepath.Join(l.Video(uuid), "preview.jpg") }

// Prepare creates the directories the server writes to.
func (l Layout) Prepare() error {
	for _, d := range []string{l.Root, l.Media(), l.Uploads(), l.Backups(), l.Keys(), l.Certs()} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return fmt.Errorf("create %s: %w", d, err)
		}
	}
	return nil
}
