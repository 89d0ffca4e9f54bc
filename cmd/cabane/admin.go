package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"cabane.dev/cabane/app/auth"
	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/store"
)

func admin(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create-user" {
		return errors.New("usage: cabane admin create-user --username NAME --email ADDRESS [--password PASSWORD] [--admin]")
	}
	args = args[1:]
	cfg, fs, err := loadConfig("admin create-user", args, stderr)
	if err != nil {
		return err
	}
	var req auth.NewUserRequest
	fs.StringVar(&req.Username, "username", "", "user name (lower-case letters, digits, dots, underscores)")
	fs.StringVar(&req.Email, "email", "", "e-mail address")
	fs.StringVar(&req.Password, "password", "", "password; read from standard input if empty or -")
	fs.BoolVar(&req.Admin, "admin", false, "make the user an administrator")
	fs.StringVar(&req.ChannelName, "channel", "", "name of the default channel (default NAME_channel)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if req.Username == "" || req.Email == "" {
		return errors.New("--username and --email are required")
	}
	if req.Password == "" || req.Password == "-" {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read password from standard input: %w", err)
		}
		req.Password = strings.TrimRight(line, "\r\n")
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	l := config.Layout{Root: cfg.DataDir}
	if err := l.Prepare(); err != nil {
		return err
	}
	// The server may be running: SQLite's WAL and busy timeout let both
	// write the same file safely.
	st, err := store.Open(ctx, l.DB(), store.Options{BackupDir: l.Backups()})
	if err != nil {
		return err
	}
	defer st.Close()
	svc := &auth.Service{Store: st.Repo()}
	u, ch, err := svc.CreateUser(ctx, req)
	if err != nil {
		return err
	}
	role := "user"
	if req.Admin {
		role = "administrator"
	}
	fmt.Fprintf(stdout, "created %s %s with channel %s\n", role, u.Username, ch.Name)
	return nil
}
