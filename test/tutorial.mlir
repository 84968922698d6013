// docs/tutorial.md: every command still runs and prints what the page shows
// (refresh with scripts/update-tutorial.py). Not under sanitizers: there the
// exp loop is not vectorised, so printed error digits differ in the last ulp.
// UNSUPPORTED: sanitizers
// RUN: %python %mamba_src_root/scripts/update-tutorial.py --check --bin %mamba_obj_root/bin
