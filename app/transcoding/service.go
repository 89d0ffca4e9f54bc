package transcoding

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"cabane.dev/cabane/hardware"
)

// SettingEncoder is the settings key of the admin's encoder choice
// ("" = automatic).
const SettingEncoder = "transcoding.encoder"

// maxFailures is how many encoder failures the admin page keeps.
const maxFailures = 20

// Settings stores the admin's choice (repo.Settings satisfies it).
type Settings interface {
	Get(ctx context.Context, key string) (string, error)
	Set(ctx context.Context, key, value string) error
}

// Options configures a Service.
type Options struct {
	Board    hardware.Board
	Settings Settings
	Workers  int // concurrent jobs, shown in the profile
	Log      *slog.Logger
}

// Status is what the admin page shows about how this box encodes.
type Status struct {
	Board    hardware.Board
	Probe    hardware.ProbeResult
	Probed   bool   // false until the trial encodes have run (libx264 meanwhile)
	Choice   string // the admin's choice; "" is automatic
	Encoder  string // the encoder jobs use now
	Hardware bool
	Profile  Profile
	Failures []EncoderFailure // newest last
}

// EncoderFailure is a hardware encoder failing on a real job.
type EncoderFailure struct {
	Encoder string
	Error   string
	At      time.Time
}

// Service holds the profile jobs use now. It changes when the trial
// encodes finish (UseProbe) or the admin chooses (SetChoice); each job
// reads it once at its start.
type Service struct {
	board    hardware.Board
	settings Settings
	workers  int
	log      *slog.Logger

	mu        sync.Mutex
	probe     hardware.ProbeResult
	probed    bool
	choice    string
	choiceGen uint64 // counts SetChoice calls, so a probe finishing late keeps a newer choice
	current   Profile
	failures  []EncoderFailure
}

// New returns a service using libx264 with the board's policy until the
// probe has run.
func New(opts Options) *Service {
	s := &Service{board: opts.Board, settings: opts.Settings, workers: opts.Workers, log: opts.Log}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.current = Build(s.board, hardware.ProbeResult{}, false, "", s.workers)
	return s
}

// Probe runs the encoders' trial encodes (or reads their cached result)
// and switches to the best working encoder, or the admin's choice.
// opts.Board and opts.Logger are filled in.
func (s *Service) Probe(ctx context.Context, opts hardware.ProbeOptions) error {
	opts.Board = s.board
	if opts.Logger == nil {
		opts.Logger = s.log
	}
	res, err := hardware.Probe(ctx, opts)
	if err != nil {
		return fmt.Errorf("probe encoders: %w", err)
	}
	return s.UseProbe(ctx, res)
}

// UseProbe applies a probe result with the saved choice.
func (s *Service) UseProbe(ctx context.Context, res hardware.ProbeResult) error {
	s.mu.Lock()
	gen := s.choiceGen
	s.mu.Unlock()
	choice := ""
	if s.settings != nil {
		var err error
		if choice, err = s.settings.Get(ctx, SettingEncoder); err != nil {
			return fmt.Errorf("read encoder choice: %w", err)
		}
	}
	s.mu.Lock()
	if s.choiceGen != gen {
		choice = s.choice // the admin chose while the setting was read
	}
	s.probe, s.probed, s.choice = res, true, choice
	s.current = Build(s.board, res, true, choice, s.workers)
	p := s.current
	s.mu.Unlock()
	s.log.Info("encoder chosen", "encoder", p.Backend().Name(), "working", res.Working, "cached", res.Cached,
		"heights", p.Heights, "max_height", p.MaxHeight, "threads", p.Threads, "per_process", p.MaxPerProcess)
	return nil
}

// SetChoice saves the admin's choice ("" = automatic) and applies it to
// the next job.
func (s *Service) SetChoice(ctx context.Context, choice string) error {
	if choice != "" {
		if _, ok := hardware.EncoderByName(choice); !ok {
			return fmt.Errorf("unknown encoder %q", choice)
		}
	}
	if s.settings != nil {
		if err := s.settings.Set(ctx, SettingEncoder, choice); err != nil {
			return fmt.Errorf("save encoder choice: %w", err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.choice = choice
	s.choiceGen++
	s.current = Build(s.board, s.probe, s.probed, choice, s.workers)
	return nil
}

// Profile is what a job encodes with.
func (s *Service) Profile() Profile {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current
}

// EncoderFailed records a hardware encoder failing on a real job, for the
// admin page.
func (s *Service) EncoderFailed(encoder string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, EncoderFailure{Encoder: encoder, Error: err.Error(), At: time.Now()})
	if len(s.failures) > maxFailures {
		s.failures = s.failures[len(s.failures)-maxFailures:]
	}
}

// Status is the state for the admin page.
func (s *Service) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	enc := s.current.Backend()
	return Status{Board: s.board, Probe: s.probe, Probed: s.probed, Choice: s.choice, Encoder: enc.Name(),
		Hardware: enc.Hardware(), Profile: s.current, Failures: append([]EncoderFailure(nil), s.failures...)}
}
