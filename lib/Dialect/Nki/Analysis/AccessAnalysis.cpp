//===- AccessAnalysis.cpp - buffer accesses and dependences ---------------===//

#include "mamba-nki/Dialect/Nki/Analysis/AccessAnalysis.h"
#include "mamba-nki/Dialect/Nki/IR/NkiOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::nki;

//===----------------------------------------------------------------------===//
// LinearExpr
//===----------------------------------------------------------------------===//

LinearExpr &LinearExpr::add(const LinearExpr &other, int64_t scale) {
  constant += scale * other.constant;
  for (auto [value, coeff] : other.terms) {
    int64_t &slot = terms[value];
    slot += scale * coeff;
  }
  // Drop cancelled terms so that equal expressions compare equal.
  SmallVector<Value> zero;
  for (auto [value, coeff] : terms)
    if (coeff == 0)
      zero.push_back(value);
  for (Value v : zero)
    terms.erase(v);
  return *this;
}

LinearExpr LinearExpr::get(Value value) {
  if (std::optional<int64_t> c = getConstantIntValue(value))
    return get(*c);
  if (Operation *def = value.getDefiningOp()) {
    if (auto addOp = dyn_cast<arith::AddIOp>(def)) {
      LinearExpr e = get(addOp.getLhs());
      return e.add(get(addOp.getRhs()));
    }
    if (auto subOp = dyn_cast<arith::SubIOp>(def)) {
      LinearExpr e = get(subOp.getLhs());
      return e.add(get(subOp.getRhs()), -1);
    }
    if (auto mulOp = dyn_cast<arith::MulIOp>(def)) {
      std::optional<int64_t> lhs = getConstantIntValue(mulOp.getLhs());
      std::optional<int64_t> rhs = getConstantIntValue(mulOp.getRhs());
      if (rhs)
        return LinearExpr().add(get(mulOp.getLhs()), *rhs);
      if (lhs)
        return LinearExpr().add(get(mulOp.getRhs()), *lhs);
    }
  }
  LinearExpr e;
  e.terms[value] = 1;
  return e;
}

LinearExpr LinearExpr::substituted(Value from, Value to) const {
  LinearExpr result;
  result.constant = constant;
  for (auto [value, coeff] : terms) {
    Value key = value == from ? to : value;
    result.terms[key] += coeff;
  }
  return result;
}

void LinearExpr::print(llvm::raw_ostream &os) const {
  bool first = true;
  for (auto [value, coeff] : terms) {
    if (!first)
      os << " + ";
    first = false;
    if (coeff != 1)
      os << coeff << "*";
    value.printAsOperand(os, OpPrintingFlags());
  }
  if (first || constant != 0)
    os << (first ? "" : " + ") << constant;
}

//===----------------------------------------------------------------------===//
// Access
//===----------------------------------------------------------------------===//

std::string Access::rootName() const {
  if (!root)
    return "an unknown buffer";
  if (auto alloc = root.getDefiningOp<AllocOp>()) {
    if (std::optional<StringRef> name = alloc.getName())
      return ("'" + *name + "'").str();
    return "an unnamed nki.alloc";
  }
  if (auto arg = dyn_cast<BlockArgument>(root)) {
    std::string text = "argument #" + std::to_string(arg.getArgNumber());
    if (auto func =
            dyn_cast<FunctionOpInterface>(arg.getOwner()->getParentOp()))
      if (auto name =
              func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "nki.name"))
        text += " ('" + name.getValue().str() + "')";
    return text;
  }
  return "a buffer";
}

Access mlir::nki::describeView(Value view) {
  Access access;
  access.view = view;
  // Walk up the subview chain, composing offsets from the outermost view.
  SmallVector<memref::SubViewOp> chain;
  Value current = view;
  bool reshaped = false;
  while (true) {
    if (auto subview = current.getDefiningOp<memref::SubViewOp>()) {
      chain.push_back(subview);
      current = subview.getSource();
    } else if (auto expand = current.getDefiningOp<memref::ExpandShapeOp>()) {
      // A reshaped buffer is the same memory: its root is the source's,
      // and the access is not described (it may touch all of the root).
      reshaped = true;
      current = expand.getSrc();
    } else {
      break;
    }
  }
  bool isRoot = current.getDefiningOp<AllocOp>() || isa<BlockArgument>(current);
  if (!isRoot)
    return access; // unknown root: conflicts with everything
  access.root = current;
  if (reshaped)
    return access;
  auto rootType = dyn_cast<MemRefType>(current.getType());
  if (!rootType || !rootType.hasStaticShape())
    return access;

  // Region in root coordinates: start with the whole root.
  SmallVector<LinearExpr> offsets(rootType.getRank(), LinearExpr::get(0));
  SmallVector<int64_t> sizes(rootType.getShape());
  // `dims[k]` is the root dim that dim k of the current view maps to.
  SmallVector<unsigned> dims;
  for (unsigned d = 0; d < rootType.getRank(); ++d)
    dims.push_back(d);

  for (memref::SubViewOp subview : llvm::reverse(chain)) {
    if (!llvm::all_of(subview.getMixedStrides(),
                      [](OpFoldResult s) { return isConstantIntValue(s, 1); }))
      return access; // strided views are not described: whole buffer
    SmallVector<OpFoldResult> subOffsets = subview.getMixedOffsets();
    SmallVector<OpFoldResult> subSizes = subview.getMixedSizes();
    llvm::SmallBitVector dropped = subview.getDroppedDims();
    SmallVector<unsigned> newDims;
    for (unsigned k = 0; k < subOffsets.size(); ++k) {
      unsigned rootDim = dims[k];
      LinearExpr offset =
          subOffsets[k].is<Value>()
              ? LinearExpr::get(subOffsets[k].get<Value>())
              : LinearExpr::get(*getConstantIntValue(subOffsets[k]));
      offsets[rootDim].add(offset);
      std::optional<int64_t> size = getConstantIntValue(subSizes[k]);
      if (!size)
        return access;
      sizes[rootDim] = *size;
      if (!dropped.test(k))
        newDims.push_back(rootDim);
    }
    dims = std::move(newDims);
  }
  access.exact = true;
  access.offsets = std::move(offsets);
  access.sizes = std::move(sizes);
  access.viewDims = std::move(dims);
  return access;
}

void mlir::nki::forEachUserThroughViews(
    Value buffer, llvm::function_ref<void(Operation *)> fn) {
  SmallVector<Value> worklist = {buffer};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (Operation *user : v.getUsers()) {
      if (auto view = dyn_cast<memref::SubViewOp>(user))
        worklist.push_back(view.getResult());
      else if (auto expand = dyn_cast<memref::ExpandShapeOp>(user))
        worklist.push_back(expand.getResult());
      else
        fn(user);
    }
  }
}

void mlir::nki::collectAccesses(Operation *scope,
                                SmallVectorImpl<Access> &accesses) {
  scope->walk([&](Operation *op) {
    auto iface = dyn_cast<MemoryEffectOpInterface>(op);
    if (!iface) {
      // Ops with regions (loops) carry no effects of their own; other ops
      // without the interface are unknown.
      if (op->getNumRegions() == 0 && !isPure(op) &&
          !op->hasTrait<OpTrait::IsTerminator>()) {
        Access unknown;
        unknown.op = op;
        unknown.isWrite = true;
        accesses.push_back(unknown);
      }
      return;
    }
    SmallVector<MemoryEffects::EffectInstance> effects;
    iface.getEffects(effects);
    for (const MemoryEffects::EffectInstance &effect : effects) {
      bool isRead = isa<MemoryEffects::Read>(effect.getEffect());
      bool isWrite = isa<MemoryEffects::Write>(effect.getEffect());
      if (!isRead && !isWrite)
        continue; // allocation / free
      Value value = effect.getValue();
      Access access = value ? describeView(value) : Access();
      access.op = op;
      access.isWrite = isWrite;
      accesses.push_back(access);
    }
  });
}

/// Whether two exact regions of the same root intersect. With
/// `sameValues`, SSA values in the offsets are the same in both accesses and
/// cancel; otherwise only constant offsets are compared.
static bool regionsMayIntersect(const Access &a, const Access &b,
                                bool sameValues) {
  if (!a.exact || !b.exact)
    return true;
  for (unsigned d = 0; d < a.offsets.size(); ++d) {
    if (!sameValues &&
        (!a.offsets[d].isConstant() || !b.offsets[d].isConstant()))
      continue;
    LinearExpr diff = a.offsets[d];
    diff.add(b.offsets[d], -1);
    if (!diff.isConstant())
      continue; // may intersect in this dim
    // [0, sizeA) vs [-diff, -diff + sizeB): disjoint if separated.
    int64_t delta = diff.constant; // startA - startB
    if (delta >= b.sizes[d] || -delta >= a.sizes[d])
      return false;
  }
  return true;
}

static bool conflict(const Access &a, const Access &b, bool sameValues) {
  if (!a.isWrite && !b.isWrite)
    return false;
  if (!a.root || !b.root)
    return true;
  if (a.root != b.root)
    return false;
  return regionsMayIntersect(a, b, sameValues);
}

bool mlir::nki::mayConflict(const Access &a, const Access &b) {
  return conflict(a, b, /*sameValues=*/true);
}

bool mlir::nki::mayConflictInAnyIterations(const Access &a, const Access &b) {
  return conflict(a, b, /*sameValues=*/false);
}

bool mlir::nki::isAllocatedInside(Value root, Operation *loop) {
  if (!root)
    return false;
  Operation *def = root.getDefiningOp();
  return def && isa<AllocOp>(def) && loop->isProperAncestor(def);
}

bool mlir::nki::isDefinedInside(Value value, Operation *op) {
  Operation *owner = isa<BlockArgument>(value)
                         ? cast<BlockArgument>(value).getOwner()->getParentOp()
                         : value.getDefiningOp();
  return owner && op->isAncestor(owner);
}

LogicalResult mlir::nki::collectPureSlice(Value value, scf::ForOp loop,
                                          llvm::SetVector<Operation *> &slice,
                                          bool allowInductionVar) {
  if (!isDefinedInside(value, loop))
    return success();
  if (allowInductionVar && value == loop.getInductionVar())
    return success();
  Operation *def = value.getDefiningOp();
  if (!def || def->getBlock() != loop.getBody() || !isPure(def) ||
      def->getNumRegions() != 0)
    return failure();
  for (Value operand : def->getOperands())
    if (failed(collectPureSlice(operand, loop, slice, allowInductionVar)))
      return failure();
  slice.insert(def);
  return success();
}

std::optional<std::tuple<int64_t, int64_t, int64_t>>
mlir::nki::getConstantBounds(scf::ForOp loop) {
  std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound());
  std::optional<int64_t> ub = getConstantIntValue(loop.getUpperBound());
  std::optional<int64_t> step = getConstantIntValue(loop.getStep());
  if (!lb || !ub || !step || *step <= 0)
    return std::nullopt;
  return std::make_tuple(*lb, *ub, *step);
}

static bool isInside(Operation *op, ArrayRef<Operation *> scopes) {
  return llvm::any_of(scopes,
                      [&](Operation *scope) { return scope->isAncestor(op); });
}

/// Range [min, max] of `value` when it is the induction variable of a loop
/// inside `scopes` with constant bounds.
static std::optional<std::pair<int64_t, int64_t>>
ivRange(Value value, ArrayRef<Operation *> scopes) {
  auto arg = dyn_cast<BlockArgument>(value);
  if (!arg)
    return std::nullopt;
  auto loop = dyn_cast<scf::ForOp>(arg.getOwner()->getParentOp());
  if (!loop || loop.getInductionVar() != value || !isInside(loop, scopes))
    return std::nullopt;
  auto bounds = getConstantBounds(loop);
  if (!bounds)
    return std::nullopt;
  auto [lb, ub, step] = *bounds;
  if (ub <= lb)
    return std::make_pair(lb, lb);
  return std::make_pair(lb, lb + ((ub - lb - 1) / step) * step);
}

/// Whether `value` is defined outside every scope (the same in every
/// iteration of every loop inside them).
static bool isDefinedOutside(Value value, ArrayRef<Operation *> scopes) {
  Operation *owner = isa<BlockArgument>(value)
                         ? cast<BlockArgument>(value).getOwner()->getParentOp()
                         : value.getDefiningOp();
  return !owner || !isInside(owner, scopes);
}

bool mlir::nki::disjointAcrossIterations(const Access &a, Value ivA,
                                         const Access &b, Value ivB,
                                         ArrayRef<Operation *> scope) {
  if (!a.root || !b.root)
    return false;
  if (a.root != b.root)
    return true;
  if (!a.exact || !b.exact)
    return false;
  auto loopA =
      cast<scf::ForOp>(cast<BlockArgument>(ivA).getOwner()->getParentOp());
  auto bounds = getConstantBounds(loopA);
  if (!bounds)
    return false;
  int64_t step = std::get<2>(*bounds);

  for (unsigned d = 0; d < a.offsets.size(); ++d) {
    LinearExpr offA = a.offsets[d];
    LinearExpr offB = b.offsets[d].substituted(ivB, ivA);
    int64_t coeff = offA.coefficient(ivA);
    if (coeff == 0 || offB.coefficient(ivA) != coeff)
      continue;
    // Split the rest into ranges (nested induction variables) and symbols
    // (values fixed for the whole scope, which must cancel).
    int64_t loA = offA.constant, hiA = offA.constant;
    int64_t loB = offB.constant, hiB = offB.constant;
    bool ok = true;
    llvm::MapVector<Value, int64_t> symbols;
    auto accumulate = [&](const LinearExpr &e, int64_t &lo, int64_t &hi,
                          int64_t sign) {
      for (auto [value, c] : e.terms) {
        if (value == ivA)
          continue;
        if (isDefinedOutside(value, scope)) {
          symbols[value] += sign * c;
          continue;
        }
        std::optional<std::pair<int64_t, int64_t>> range =
            ivRange(value, scope);
        if (!range) {
          ok = false;
          return;
        }
        int64_t x = c * range->first, y = c * range->second;
        lo += std::min(x, y);
        hi += std::max(x, y);
      }
    };
    accumulate(offA, loA, hiA, 1);
    accumulate(offB, loB, hiB, -1);
    if (!ok)
      continue;
    if (llvm::any_of(symbols, [](auto &entry) { return entry.second != 0; }))
      continue;
    int64_t window =
        std::max(hiA + a.sizes[d], hiB + b.sizes[d]) - std::min(loA, loB);
    int64_t distance = coeff * step;
    if (distance < 0)
      distance = -distance;
    if (distance >= window)
      return true;
  }
  return false;
}

TileDependence mlir::nki::tileDependence(const Access &a, const Access &b) {
  if (!a.isWrite && !b.isWrite)
    return TileDependence::none;
  if (!a.root || !b.root)
    return TileDependence::unknown;
  if (a.root != b.root)
    return TileDependence::none;
  if (!a.exact || !b.exact || a.viewDims.empty() || b.viewDims.empty())
    return TileDependence::unknown;
  unsigned ra = a.viewDims.back(), rb = b.viewDims.back();
  // Separated in a dim that is not tiled: never the same elements.
  for (unsigned d = 0; d < a.offsets.size(); ++d) {
    if (d == ra || d == rb)
      continue;
    LinearExpr diff = a.offsets[d];
    diff.add(b.offsets[d], -1);
    if (diff.isConstant() &&
        (diff.constant >= b.sizes[d] || -diff.constant >= a.sizes[d]))
      return TileDependence::none;
  }
  if (ra != rb)
    return TileDependence::unknown;
  LinearExpr diff = a.offsets[ra];
  diff.add(b.offsets[ra], -1);
  if (!diff.isConstant())
    return TileDependence::unknown;
  // a's tile i covers [oa + iT, oa + (i+1)T), b's tile j [ob + jT, ...);
  // with delta = oa - ob they overlap iff |delta - (j - i)T| < T. Every such
  // j - i is >= 0 iff delta >= 0, and 0 only iff delta == 0.
  int64_t delta = diff.constant;
  if (delta >= b.sizes[ra] || -delta >= a.sizes[ra])
    return TileDependence::none;
  if (delta == 0)
    return TileDependence::sameTile;
  if (delta > 0 && a.op != b.op)
    return TileDependence::forward;
  return TileDependence::unknown;
}

bool mlir::nki::isAccumulation(Operation *op) {
  auto tt = dyn_cast<TensorTensorOp>(op);
  if (!tt || tt.getOp() != AluOp::add)
    return false;
  return tt.getDst() == tt.getLhs() || tt.getDst() == tt.getRhs();
}

StringRef mlir::nki::getLoopName(Operation *loop) {
  if (auto name = loop->getAttrOfType<StringAttr>("nki.loop"))
    return name.getValue();
  return "";
}

std::string mlir::nki::listLoopNames(Operation *root) {
  llvm::SetVector<StringRef> names;
  root->walk<WalkOrder::PreOrder>([&](scf::ForOp loop) {
    StringRef name = getLoopName(loop);
    if (!name.empty())
      names.insert(name);
  });
  if (names.empty())
    return "";
  std::string text;
  for (StringRef name : names)
    text += (text.empty() ? "'" : ", '") + name.str() + "'";
  return text;
}

std::string mlir::nki::loopNamesHint(Operation *root) {
  std::string names = listLoopNames(root);
  return names.empty() ? "no loop here has an nki.loop name"
                       : "the loops here are named " + names;
}

LogicalResult mlir::nki::requireLoopNamed(Operation *root, StringRef pass,
                                          StringRef option, StringRef name,
                                          StringRef value) {
  bool found = false;
  root->walk([&](scf::ForOp loop) { found |= getLoopName(loop) == name; });
  if (found)
    return success();
  return emitError(root->getLoc())
         << pass << ": no loop is named '" << name << "' (option " << option
         << "=" << (value.empty() ? name : value) << "); "
         << loopNamesHint(root);
}

std::string mlir::nki::quotedLoopName(Operation *loop, StringRef unnamed) {
  StringRef name = getLoopName(loop);
  return name.empty() ? unnamed.str() : ("'" + name + "'").str();
}

std::string mlir::nki::describeOp(Operation *op) {
  std::string str = ("'" + op->getName().getStringRef() + "'").str();
  if (auto load = dyn_cast<LoadOp>(op)) {
    if (auto alloc = load.getDst().getDefiningOp<AllocOp>())
      if (std::optional<StringRef> name = alloc.getName())
        str += (" into '" + *name + "'").str();
  } else if (auto loop = dyn_cast<scf::ForOp>(op)) {
    StringRef name = getLoopName(loop);
    if (!name.empty())
      str = ("loop '" + name + "'").str();
  }
  return str;
}
