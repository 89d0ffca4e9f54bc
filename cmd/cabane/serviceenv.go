package main

import (
	"bufio"
	"os"
	"strings"
)

// serviceUnits are where an installed Cabane's systemd unit lives (an
// administrator's copy in /etc wins, as for systemd).
var serviceUnits = []string{"/etc/systemd/system/cabane.service", "/usr/lib/systemd/system/cabane.service"}

// serviceEnv is the environment systemd gives the installed service: its
// unit's Environment= lines, then its EnvironmentFile= files in order. An
// administrator's command on the box (cabane update, cabane admin) then
// works on the service's data directory and settings without being told
// them again. Nil where no unit is installed (a developer's machine).
func serviceEnv(units []string) map[string]string {
	for _, unit := range units {
		f, err := os.Open(unit)
		if err != nil {
			continue
		}
		defer f.Close()
		env := map[string]string{}
		var files []string
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if v, ok := strings.CutPrefix(line, "Environment="); ok {
				for _, kv := range strings.Fields(v) {
					if k, val, ok := strings.Cut(kv, "="); ok {
						env[k] = strings.Trim(val, `"`)
					}
				}
			} else if v, ok := strings.CutPrefix(line, "EnvironmentFile="); ok {
				files = append(files, strings.TrimPrefix(v, "-"))
			}
		}
		// systemd applies the files after Environment= lines.
		for _, p := range files {
			readEnvFile(p, env)
		}
		return env
	}
	return nil
}

// readEnvFile adds a systemd environment file's KEY=value lines to env.
func readEnvFile(path string, env map[string]string) {
	b, err := os.ReadFile(path)
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok {
			env[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"'`)
		}
	}
}

// commandEnv is getenv for the administration commands: the process's own
// environment first, then the installed service's.
func commandEnv(service map[string]string) func(string) string {
	return func(name string) string {
		if v, ok := os.LookupEnv(name); ok {
			return v
		}
		return service[name]
	}
}
