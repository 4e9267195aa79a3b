package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// serviceDatabases makes sure the database of each service exists on the
// PostgreSQL server of base (a postgres:// URL whose user may create
// databases), named after the database base names, which need not exist:
// .../shop (the default) gives shop_user, shop_product and shop_order. It
// connects to the server's "postgres" database to create them, and
// returns each service's URL.
func serviceDatabases(ctx context.Context, base string, services ...string) (map[string]string, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, errors.New("-postgres: want a postgres:// URL") // not err: it may quote the password
	}
	prefix := strings.TrimPrefix(u.Path, "/")
	if prefix == "" {
		prefix = "shop"
	}
	admin := *u
	admin.Path = "/postgres"
	conn, err := pgx.Connect(ctx, admin.String())
	if err != nil {
		return nil, fmt.Errorf("-postgres: %w", err)
	}
	defer conn.Close(context.Background())
	out := make(map[string]string, len(services))
	for _, svc := range services {
		name := prefix + "_" + svc
		// Identifiers cannot be parameters; Sanitize quotes the name.
		_, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
		var pg *pgconn.PgError
		if err != nil && !(errors.As(err, &pg) && pg.Code == "42P04") { // 42P04: it exists
			return nil, fmt.Errorf("-postgres: create database %s: %w", name, err)
		}
		d := *u
		d.Path = "/" + name
		out[svc] = d.String()
	}
	return out, nil
}
