//===- InitAll.h - every dialect and pass the tools offer -------*- C++ -*-===//
//
// What mamba-opt, mamba-lsp-server and mamba-reduce register, in one place
// (as upstream's mlir/InitAllDialects.h and InitAllPasses.h): our dialects and
// the upstream ones our IR uses, our passes and pipelines and the upstream
// passes the pipelines use. An out-of-tree tool gets the same by linking
// MambaNKI::InitAll (docs/development.md, "Building on mamba-nki").
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_INITALL_H
#define MAMBA_NKI_INITALL_H

namespace mlir {
class DialectRegistry;
namespace mamba {

/// The nki and mamba dialects, func, arith, scf and memref, and the
/// Transform dialect with the transform.nki.* and debug extensions.
void registerAllDialects(DialectRegistry &registry);

/// --convert-mamba-to-nki, the nki passes, the --mamba-vN pipelines,
/// canonicalize, cse and loop-invariant-code-motion, and
/// --transform-interpreter and --transform-preload-library.
void registerAllPasses();

} // namespace mamba
} // namespace mlir

#endif // MAMBA_NKI_INITALL_H
