package embedded

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"

	_ "modernc.org/sqlite" // the SQLite driver FerretDB itself uses
)

// FerretDB v1.24.0's SQLite backend (internal/backends/sqlite) keeps each
// collection in a table with one column, _ferretdb_sjson, listed in the
// _ferretdb_collections table of the database's file <database>.sqlite. It
// indexes _id on the expression _ferretdb_sjson->"_id" but filters, updates
// and deletes by _id with _ferretdb_sjson->'$._id': SQLite matches index
// expressions by their text, so without the index below every find, update
// and delete by _id scans its collection (docs/store.md).
const (
	ferretTablesTable = "_ferretdb_collections"
	// idExpression is metadata.IDColumn in FerretDB v1.24.0, the exact
	// expression its queries filter on.
	idExpression = `_ferretdb_sjson->'$._id'`
	// idIndexSuffix names our index <table>_yousaid_id. FerretDB names its
	// own <table>_<MongoDB index name>; no index of ours on the MongoDB side
	// is called yousaid_id.
	idIndexSuffix = "_yousaid_id"
)

// safeName is what FerretDB v1.24 makes a table name of (a lower-cased
// collection name, "_", eight hex digits); anything else is left alone
// rather than quoted into SQL.
var safeName = regexp.MustCompile(`^[a-z0-9_.$-]+$`)

// IndexDatabase gives every collection of database the _id index that
// FerretDB's queries can use. It is idempotent and cheap when nothing is
// missing; the store calls it at start-up and after creating collections.
// A database that does not exist yet is not an error (nothing to index).
func (s *Store) IndexDatabase(ctx context.Context, database string) error {
	file := filepath.Join(s.dir, database+".sqlite")
	if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	// mode=rw never creates a file: FerretDB would take an empty one for a
	// broken database. A connection per call: FerretDB deletes the file
	// when the database is dropped, and a kept handle would index a ghost.
	u := url.URL{Scheme: "file", Path: file, RawQuery: url.Values{
		"mode":    {"rw"},
		"_pragma": {"busy_timeout(10000)", "journal_mode(wal)"},
	}.Encode()}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return fmt.Errorf("embedded.IndexDatabase: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	tables, err := tablesMissingIndex(ctx, db)
	if err != nil {
		return fmt.Errorf("embedded.IndexDatabase %s: %w", database, err)
	}
	for _, t := range tables {
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (%s)`, t+idIndexSuffix, t, idExpression)
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("embedded.IndexDatabase %s: %w", database, err)
		}
	}
	return nil
}

// tablesMissingIndex lists FerretDB's collection tables that have no _id
// index of ours yet.
func tablesMissingIndex(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, fmt.Sprintf(
		`SELECT c.table_name FROM %q c
		 WHERE EXISTS (SELECT 1 FROM sqlite_schema t WHERE t.type = 'table' AND t.name = c.table_name)
		   AND NOT EXISTS (SELECT 1 FROM sqlite_schema i WHERE i.type = 'index' AND i.name = c.table_name || ?)`,
		ferretTablesTable), idIndexSuffix)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		if safeName.MatchString(name) {
			out = append(out, name)
		}
	}
	return out, rows.Err()
}

// Explain returns SQLite's query plan (the detail column of EXPLAIN QUERY
// PLAN) of query on database's file, opened read-only. Tests use it to
// prove that the SQL FerretDB generates finds its rows through an index.
func (s *Store) Explain(ctx context.Context, database, query string, args ...any) ([]string, error) {
	u := url.URL{Scheme: "file", Path: filepath.Join(s.dir, database+".sqlite"), RawQuery: url.Values{
		"mode": {"ro"}, "_pragma": {"busy_timeout(10000)"},
	}.Encode()}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return nil, fmt.Errorf("embedded.Explain: %w", err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		return nil, fmt.Errorf("embedded.Explain: %w", err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return nil, fmt.Errorf("embedded.Explain: %w", err)
		}
		plan = append(plan, detail)
	}
	return plan, rows.Err()
}

// TableName returns the SQLite table FerretDB keeps collection in;
// ErrNoTable when it has none (yet).
func (s *Store) TableName(ctx context.Context, database, collection string) (string, error) {
	u := url.URL{Scheme: "file", Path: filepath.Join(s.dir, database+".sqlite"), RawQuery: url.Values{
		"mode": {"ro"}, "_pragma": {"busy_timeout(10000)"},
	}.Encode()}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return "", fmt.Errorf("embedded.TableName: %w", err)
	}
	defer db.Close()
	var name string
	err = db.QueryRowContext(ctx, fmt.Sprintf(`SELECT table_name FROM %q WHERE name = ?`, ferretTablesTable), collection).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNoTable
	}
	if err != nil {
		return "", fmt.Errorf("embedded.TableName: %w", err)
	}
	return name, nil
}

// ErrNoTable means FerretDB has no table for a collection.
var ErrNoTable = errors.New("no such collection table")
