# -*- Python -*-
# lit configuration for mamba-nki.

import os
import sys

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "mamba-nki"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["CMakeLists.txt", "README.md", "lit.cfg.py", "lit.site.cfg.py", "Inputs"]

config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.mamba_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%mamba_src_root", config.mamba_src_root))
config.substitutions.append(("%mamba_obj_root", config.mamba_obj_root))
# The tools under test (scripts and bench/ take it as MAMBA_TOOLS_DIR).
config.substitutions.append(("%mamba_tools_dir", config.mamba_tools_dir))
# --version's figures, and what test/Install/ configures a consumer with.
config.substitutions.append(("%mamba_version", config.mamba_version))
config.substitutions.append(("%llvm_version", config.llvm_version))
config.substitutions.append(("%cmake_generator", '"%s"' % config.cmake_generator))
config.substitutions.append(("%cmake", config.cmake_command))
config.substitutions.append(("%cxx", config.cxx_compiler))
config.substitutions.append(("%mlir_dir", config.mlir_dir))
# %equiv KERNEL --after=ARGS [--before=ARGS]: run the kernel before and after
# the passes through nki-run on the same inputs; fail unless every output is
# bit-identical (scripts/nki-equiv.py).
config.substitutions.append(
    ("%equiv", "%s %s --tools-dir %s" % (
        sys.executable,
        os.path.join(config.mamba_src_root, "scripts", "nki-equiv.py"),
        config.mamba_tools_dir)))

llvm_config.use_default_substitutions()
if config.mamba_sanitizers.upper() in ("ON", "1", "TRUE", "YES"):
    config.available_features.add("sanitizers")
# The sanitizer build (scripts/test.sh) runs the same suite with these.
llvm_config.with_system_environment(["ASAN_OPTIONS", "UBSAN_OPTIONS"])
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tool_dirs = [config.mamba_tools_dir, config.llvm_tools_dir]
tools = ["mamba-lsp-server", "mamba-opt", "mamba-reduce", "mamba-translate",
         "nki-run"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# %npython: a python3 with NumPy, for the NumPy execution of emitted NKI
# (python/neuronxcc, scripts/nki-emulate.py; scripts/setup.sh installs
# python3-numpy). Without one it is lit's own python, and those tests fail
# saying NumPy is missing: they are never skipped.
def _python_with_numpy():
    import subprocess
    for exe in (sys.executable, "/usr/bin/python3"):
        try:
            if subprocess.run([exe, "-c", "import numpy"],
                              capture_output=True).returncode == 0:
                return exe
        except OSError:
            pass
    return sys.executable


config.substitutions.append(("%npython", _python_with_numpy()))
