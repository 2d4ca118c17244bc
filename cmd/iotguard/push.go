package main

import (
	"context"
	"fmt"
	"net/url"
	"os"

	"github.com/spf13/cobra"

	"github.com/iotguard/iotguard/apiclient"
	"github.com/iotguard/iotguard/model"
)

// pushOptions send an assessment to a server (for CI pipelines).
type pushOptions struct {
	server, token, tenant, solution string
}

func (p *pushOptions) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&p.server, "server", "", "push the assessment to this iotguard server `URL`")
	f.StringVar(&p.token, "token", "", "API `token` for --server (prefer the IOTGUARD_TOKEN environment variable: flags show in process lists)")
	f.StringVar(&p.tenant, "tenant", "", "tenant `ID` on the server")
	f.StringVar(&p.solution, "solution", "", "solution `ID` on the server")
}

func (p *pushOptions) validate() error {
	if p.server == "" {
		if p.tenant != "" || p.solution != "" || p.token != "" {
			return usagef("--tenant, --solution and --token go with --server URL")
		}
		return nil
	}
	u, err := url.Parse(p.server)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return usagef("--server %q is not an http(s) URL such as https://iotguard.example", p.server)
	}
	if p.token == "" {
		p.token = os.Getenv("IOTGUARD_TOKEN")
	}
	switch {
	case p.token == "":
		return usagef("--server needs a token: set IOTGUARD_TOKEN (or --token)")
	case p.tenant == "" || p.solution == "":
		return usagef("--server needs --tenant ID and --solution ID")
	}
	return nil
}

// push sends the assessment when --server is given.
func (a *app) push(ctx context.Context, p pushOptions, as *model.Assessment) error {
	if p.server == "" {
		return nil
	}
	rec, err := apiclient.New(p.server, p.token).PushAssessment(ctx, p.tenant, p.solution, as)
	if err != nil {
		return fmt.Errorf("push to %s: %w", p.server, err)
	}
	fmt.Fprintf(a.stderr, "pushed assessment %s to %s (solution %s)\n", rec.ID, p.server, p.solution)
	return nil
}
