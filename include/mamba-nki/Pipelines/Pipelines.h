//===- Pipelines.h - the named pipelines --mamba-v1 .. --mamba-v4 -*- C++
//-*-===//
//
// The Fused Mamba tutorial's three kernels and ours as pass pipelines, from
// mamba.selective_scan to nki IR. They combine the conversion and the nki
// transformations, so they live in a library of their own that depends on
// both (the nki Transforms library does not depend on the conversion).
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_PIPELINES_PIPELINES_H
#define MAMBA_NKI_PIPELINES_PIPELINES_H

namespace mlir {
namespace mamba {

/// Registers --mamba-v1, --mamba-v2, --mamba-v3 and --mamba-v4
/// (docs/passes.md), and --mamba-auto with the pass it runs,
/// --nki-auto-schedule (docs/autoschedule.md).
void registerMambaPipelines();

} // namespace mamba
} // namespace mlir

#endif // MAMBA_NKI_PIPELINES_PIPELINES_H
