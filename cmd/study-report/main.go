// Command study-report writes the report folder of a study kept in a
// database (tuner/rdb: SQLite or PostgreSQL, as cmd/tune-worker and Optuna
// write it): the trials table, the charts and report.txt with the
// search-space critic's findings and the training doctor's causes
// (package tuner/studyreport).
//
//	study-report -storage sqlite:///out/tune/study.db -study iris-mlp -out out/tune/report
//
// It runs no trial and creates nothing in the database: a database file
// that does not exist or is empty, or a study that is not in it, is an
// error (the latter names the studies it holds). It may be run while workers are
// still running the study: their trials show as running. It opens the
// study ReadOnly (tuner.Config.ReadOnly), so it leaves a trial of a dead
// process as it is, for the workers to fail and re-run (RequeueStale).
//
// It has no objective to run, so its report has no noise analysis: call
// studyreport.Write with a noise.Reevaluate report for that.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/rdb"
	"github.com/gradtune/gradtune/tuner/studyreport"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// options are the command's flags.
type options struct {
	storage, study, out string
	objectives          []string
}

// run parses args, writes the report and returns the exit status: 0
// done, 1 failed, 2 bad flags.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("study-report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	var objectives string
	fs.StringVar(&o.storage, "storage", "", "the study's database: sqlite:///FILE (relative), sqlite:////ABSOLUTE/FILE or postgres://user@host:port/database")
	fs.StringVar(&o.study, "study", "", "the study's name")
	fs.StringVar(&o.out, "out", "", "the folder to write the report into; created if needed")
	fs.StringVar(&objectives, "objectives", "", "names of the objectives, comma-separated, one per direction (default objective 0, objective 1, …)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if objectives != "" {
		for _, name := range strings.Split(objectives, ",") {
			o.objectives = append(o.objectives, strings.TrimSpace(name)) // "a, b" names "b"
		}
	}
	if err := o.check(fs.Args()); err != nil {
		fmt.Fprintln(stderr, "study-report:", err)
		return 2
	}
	files, err := report(ctx, o)
	if err != nil {
		fmt.Fprintln(stderr, "study-report:", err)
		return 1
	}
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = filepath.Base(f)
	}
	fmt.Fprintf(stdout, "study-report: study %q: %s in %s\n", o.study, strings.Join(names, ", "), o.out)
	return 0
}

// check refuses flags that cannot work, naming what is expected.
func (o options) check(rest []string) error {
	switch {
	case len(rest) > 0:
		return fmt.Errorf("unexpected arguments %q: every input is a flag", rest)
	case o.storage == "":
		return fmt.Errorf("-storage is required: sqlite:///FILE or postgres://…")
	case o.study == "":
		return fmt.Errorf("-study is required: the study's name")
	case o.out == "":
		return fmt.Errorf("-out is required: the folder to write the report into")
	}
	for _, name := range o.objectives {
		if strings.TrimSpace(name) == "" {
			return fmt.Errorf("-objectives = %q: an empty name, want names separated by commas", strings.Join(o.objectives, ","))
		}
	}
	if fi, err := os.Stat(o.out); err == nil && !fi.IsDir() {
		return fmt.Errorf("-out = %s is a file, want a folder", o.out)
	}
	return nil
}

// checkDatabaseFile refuses a path that holds no SQLite database: none
// there, a folder, or an empty file (which SQLite would take for a new
// database, and rdb would write Optuna's tables into) without a
// write-ahead log beside it.
func checkDatabaseFile(path string) error {
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return fmt.Errorf("no database there: %w", err)
	case fi.IsDir():
		return fmt.Errorf("%s is a folder, want the database file", path)
	case fi.Size() == 0:
		if wal, err := os.Stat(path + "-wal"); err == nil && wal.Size() > 0 {
			return nil // being written: its pages are in the log
		}
		return fmt.Errorf("%s is empty, not a study database", path)
	}
	return nil
}

// report opens the study without creating anything and writes its report.
func report(ctx context.Context, o options) ([]string, error) {
	if strings.HasPrefix(strings.ToLower(o.storage), "sqlite:") {
		path, err := rdb.SQLitePath(o.storage)
		if err != nil {
			return nil, err
		}
		if err := checkDatabaseFile(path); err != nil {
			return nil, fmt.Errorf("-storage %s: %w", o.storage, err)
		}
	}
	st, err := rdb.Open(ctx, o.storage)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	dirs, err := st.StudyDirections(ctx, o.study)
	if err != nil {
		return nil, err
	}
	if n := len(o.objectives); n > 0 && n != len(dirs) {
		return nil, fmt.Errorf("-objectives names %d objectives, study %q has %d %v", n, o.study, len(dirs), dirs)
	}
	study, err := tuner.Open(ctx, tuner.Config{Name: o.study, Directions: dirs, Storage: st, Parallelism: 1, ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("study %q in %s: %w", o.study, st.Path(), err)
	}
	return studyreport.Write(ctx, o.out, studyreport.Input{Study: study, Objectives: o.objectives})
}
