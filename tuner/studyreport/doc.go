// Package studyreport writes a tuner study's report folder, as package
// report does for a training run: the trials table, the charts of package
// tunerplot (PNG and SVG), and report.txt, which holds the study's counts
// and best trials, the search-space critic's findings (tuner/critic), the
// noise analysis (tuner/noise), the training doctor's causes (the
// attributes tunertrainer.PruneOnDiagnosis records) and the parameter
// importances (tuner/importance).
//
//	files, err := studyreport.Write(ctx, "out/study", studyreport.Input{Study: study})
//
// The command cmd/study-report writes the same folder for a study in a
// database (tuner/rdb) without running anything.
//
// The text depends only on the trials and the options: the same trials
// give the same report.txt, byte for byte (maps are listed sorted, and
// the critic and fANOVA are seeded).
package studyreport
