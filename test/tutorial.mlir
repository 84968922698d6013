// docs/tutorial.md: every command still runs and prints what the page shows
// (refresh with scripts/update-docs.sh). The commands run with the tools of
// the build under test, whatever its directory: scripts/update-outputs.py
// rewrites build/bin/ and passes MAMBA_TOOLS_DIR to bench/ and scripts/.
// Not under sanitizers: there the exp loop is not vectorised, so printed
// error digits differ in the last ulp.
// UNSUPPORTED: sanitizers
// RUN: %python %mamba_src_root/scripts/update-outputs.py --check --bin %mamba_tools_dir %mamba_src_root/docs/tutorial.md
