//===- AccessAnalysis.h - buffer accesses and dependences -------*- C++ -*-===//
//
// The one place where mamba-nki reasons about which memory an op touches and
// whether two accesses can touch the same addresses in different iterations
// of a loop. Upstream MLIR has no dependence analysis for scf loops over
// memref views; this is a small, conservative one for the access patterns
// NKI kernels use: memref.subview chains with unit strides and offsets that
// are linear in loop induction variables.
//
// Assumptions (docs/passes.md): distinct function arguments do not alias, and
// two distinct nki.alloc results never alias. Anything the analysis cannot
// describe is treated as touching the whole buffer.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_DIALECT_NKI_ANALYSIS_ACCESSANALYSIS_H
#define MAMBA_NKI_DIALECT_NKI_ANALYSIS_ACCESSANALYSIS_H

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <string>

namespace mlir {
namespace nki {

/// `constant + sum(coefficient * value)` over SSA index values. Built by
/// looking through arith.constant / addi / subi / muli (by a constant); any
/// other value is a term of its own.
struct LinearExpr {
  int64_t constant = 0;
  llvm::MapVector<Value, int64_t> terms;

  static LinearExpr get(Value value);
  static LinearExpr get(int64_t constant) {
    LinearExpr e;
    e.constant = constant;
    return e;
  }
  LinearExpr &add(const LinearExpr &other, int64_t scale = 1);
  int64_t coefficient(Value v) const { return terms.lookup(v); }
  bool isConstant() const { return terms.empty(); }
  /// Replaces `from` by `to` (one iteration variable for another).
  LinearExpr substituted(Value from, Value to) const;
  void print(llvm::raw_ostream &os) const;
};

/// One read or write of a buffer by an op.
struct Access {
  Operation *op = nullptr;
  /// The operand as the op sees it (a view).
  Value view;
  /// The buffer the view is carved from: an nki.alloc result or a function
  /// (block) argument; null when the chain could not be followed.
  Value root;
  bool isWrite = false;
  /// When `exact`, the access covers [offsets[d], offsets[d] + sizes[d]) in
  /// each dim d of `root`; otherwise it may touch all of `root`.
  bool exact = false;
  SmallVector<LinearExpr> offsets;
  SmallVector<int64_t> sizes;
  /// When `exact`, the root dim that each dim of `view` runs along.
  SmallVector<unsigned> viewDims;

  /// "'delta_i'" for a named alloc, "argument #0" for an argument, ...
  std::string rootName() const;
};

/// Follows `view` through memref.subview (and memref.expand_shape) ops to its
/// root buffer and returns the region it covers (exact when every subview
/// has unit strides and no expand_shape is on the way).
Access describeView(Value view);

/// Calls `fn` on every op that uses `buffer` or a view carved from it
/// (through memref.subview and memref.expand_shape), the views themselves
/// excepted.
void forEachUserThroughViews(Value buffer,
                             llvm::function_ref<void(Operation *)> fn);

/// Appends the memory accesses (reads and writes, from
/// MemoryEffectOpInterface) of every op nested in `scope`, `scope` included.
/// An op with effects the analysis cannot attribute to an operand yields an
/// Access with a null root (a conflict with everything).
void collectAccesses(Operation *scope, SmallVectorImpl<Access> &accesses);

/// Whether `a` and `b` may touch the same addresses of the same buffer, with
/// at least one of them writing, when both run with the same values of every
/// SSA value (e.g. in the same loop iteration).
bool mayConflict(const Access &a, const Access &b);

/// The same, for `a` and `b` running in any iterations of any loops: only
/// dims whose offsets are constants in both accesses can separate them.
bool mayConflictInAnyIterations(const Access &a, const Access &b);

/// Whether `root` is a buffer allocated inside `region`'s parent op (and so is
/// private to one iteration of a loop).
bool isAllocatedInside(Value root, Operation *loop);

/// Whether `a`, executed in iteration i of the loop of `ivA`, and `b`,
/// executed in iteration j of the loop of `ivB`, are provably disjoint for
/// every i != j. The two loops must have the same iteration space (they are
/// the same loop, or siblings being fused); `ivB` is identified with `ivA`.
/// Induction variables of loops inside `scopes` (the scope ops included,
/// other than ivA/ivB) range over their bounds; values defined outside every
/// scope must appear identically in both accesses; anything else defeats
/// the proof.
bool disjointAcrossIterations(const Access &a, Value ivA, const Access &b,
                              Value ivB, ArrayRef<Operation *> scopes);

/// How two accesses in a loop body depend on each other once the body is
/// cut into tiles along the last dim of each view, tile k covering
/// [k*T, (k+1)*T) of that dim, the tiles running in order and each running
/// the body's ops in order.
enum class TileDependence {
  /// No tile of one touches what the other touches (or neither writes).
  none,
  /// They touch the same elements only in the same tile: tiles are
  /// independent.
  sameTile,
  /// Tile i of the earlier access touches only tiles j >= i of the later
  /// one: the dependence points forward, so tiles must run in order.
  forward,
  /// A later access of an earlier tile touches what the earlier access of a
  /// later tile touches (tiling would reverse the dependence), or the
  /// analysis cannot tell.
  unknown,
};

/// The dependence between `earlier` and `later` (in this order in the body;
/// the same op for an op's own reads and writes) when both views are tiled
/// along their last dim (see TileDependence). SSA values in offsets are the
/// same in every tile.
TileDependence tileDependence(const Access &earlier, const Access &later);

/// Whether `op` is an accumulation `x = x + y` (nki.tensor_tensor add whose
/// destination is one of its inputs): a reduction that may be reordered only
/// if floating-point reassociation is allowed.
bool isAccumulation(Operation *op);

/// Whether `value` is defined inside `op` (an op nested in it, or a block
/// argument of one of its regions, e.g. a loop's induction variable).
bool isDefinedInside(Value value, Operation *op);

/// Collects into `slice`, in program order, the ops of `loop`'s body that
/// `value` depends on. Fails if one of them is not pure, is not directly in
/// the body, or the value depends on the loop's induction variable (unless
/// `allowInductionVar`) or on a block argument of a nested region.
LogicalResult collectPureSlice(Value value, scf::ForOp loop,
                               llvm::SetVector<Operation *> &slice,
                               bool allowInductionVar);

/// Constant trip-count bounds of `loop` (lower, upper, step), if constant.
std::optional<std::tuple<int64_t, int64_t, int64_t>>
getConstantBounds(scf::ForOp loop);

/// The `nki.loop` name of `loop`, or "" if it has none.
StringRef getLoopName(Operation *loop);

/// The distinct `nki.loop` names of the scf.for loops in `root`, in program
/// order, quoted and comma-separated ("'batch', 'state'"), or "" when none
/// has a name.
std::string listLoopNames(Operation *root);

/// For errors about a loop name that matches nothing: "the loops here are
/// named 'batch', 'state'", or "no loop here has an nki.loop name".
std::string loopNamesHint(Operation *root);

/// For a pass option that names a loop: fails with an error at `root`'s
/// location, "<pass>: no loop is named 'x' (option <option>=<value>); the
/// loops here are named ...", when no scf.for in `root` is named `name`.
/// `value` is the option as written (default: `name`).
LogicalResult requireLoopNamed(Operation *root, StringRef pass,
                               StringRef option, StringRef name,
                               StringRef value = "");

/// The loop's name in quotes for remarks ("'state'"), or `unnamed` when it
/// has none.
std::string quotedLoopName(Operation *loop, StringRef unnamed);

/// A short description of `op` for remarks: "'nki.load' (delta_i)".
std::string describeOp(Operation *op);

} // namespace nki
} // namespace mlir

#endif // MAMBA_NKI_DIALECT_NKI_ANALYSIS_ACCESSANALYSIS_H
