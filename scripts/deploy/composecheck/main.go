// composecheck validates a Compose file the way `docker compose config` does, without a Docker
// engine or the compose plugin: compose-go (the library docker compose itself uses) loads it,
// interpolates variables, validates it against the Compose specification's JSON schema and checks
// its consistency (unknown services in depends_on, undefined volumes/networks, ...). On top of that
// it checks what the loader leaves to `docker compose build/up`: build contexts, Dockerfiles and
// bind-mount sources exist. Used by scripts/check-deploy.sh:
//
//	composecheck infra/compose/docker-compose.yml
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: composecheck COMPOSE_FILE")
		os.Exit(2)
	}
	if err := check(os.Args[1]); err != nil {
		fmt.Fprintf(os.Stderr, "composecheck: %v\n", err)
		os.Exit(1)
	}
}

func check(file string) error {
	abs, err := filepath.Abs(file)
	if err != nil {
		return err
	}
	opts, err := cli.NewProjectOptions([]string{abs},
		cli.WithWorkingDirectory(filepath.Dir(abs)),
		cli.WithOsEnv,
		cli.WithDotEnv,
		cli.WithName("flk"),
		cli.WithResolvedPaths(true),
	)
	if err != nil {
		return err
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		return err
	}
	var problems []string
	names := make([]string, 0, len(project.Services))
	for name, svc := range project.Services {
		names = append(names, name)
		if svc.Image == "" && svc.Build == nil {
			problems = append(problems, fmt.Sprintf("service %s: neither image nor build", name))
		}
		if svc.Build != nil {
			if st, err := os.Stat(svc.Build.Context); err != nil || !st.IsDir() {
				problems = append(problems, fmt.Sprintf("service %s: build context %s is not a directory", name, svc.Build.Context))
			}
			dockerfile := svc.Build.Dockerfile
			if dockerfile == "" {
				dockerfile = "Dockerfile"
			}
			if !filepath.IsAbs(dockerfile) {
				dockerfile = filepath.Join(svc.Build.Context, dockerfile)
			}
			if _, err := os.Stat(dockerfile); err != nil {
				problems = append(problems, fmt.Sprintf("service %s: Dockerfile %s not found", name, dockerfile))
			}
		}
		for _, v := range svc.Volumes {
			if v.Type == types.VolumeTypeBind {
				if _, err := os.Stat(v.Source); err != nil {
					problems = append(problems, fmt.Sprintf("service %s: bind mount source %s not found", name, v.Source))
				}
			}
		}
		for dep := range svc.DependsOn {
			if _, ok := project.Services[dep]; !ok {
				problems = append(problems, fmt.Sprintf("service %s: depends on unknown service %s", name, dep))
			}
		}
	}
	for name, cfg := range project.Configs {
		if cfg.File != "" {
			if _, err := os.Stat(cfg.File); err != nil {
				problems = append(problems, fmt.Sprintf("config %s: file %s not found", name, cfg.File))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "\n  "))
	}
	sort.Strings(names)
	fmt.Printf("%s: valid (compose-go schema + consistency); services: %s\n", file, strings.Join(names, ", "))
	return nil
}
