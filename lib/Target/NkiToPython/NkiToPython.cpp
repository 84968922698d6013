//===- NkiToPython.cpp - nki IR to NKI Python source ----------------------===//
//
// Each kernel function becomes one @nki.jit function in NKI's public API
// (the neuronxcc.nki API of Neuron SDK 2.26, whose ops return a tile that is
// assigned into a buffer), written the way the Fused Mamba tutorial's
// kernels are: loops over nl.affine_range / nl.sequential_range named
// i_<loop>, buffers named after their nki.alloc, views as slices.
// docs/nki-emission.md has the op-to-API table and the rules.
//
// The emitter never changes what a kernel computes: every op, attribute or
// form it has no NKI spelling for is a located error, and nothing is
// written for a module with an error.
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Target/NkiToPython/NkiToPython.h"

#include "mamba-nki/Dialect/Mamba/IR/MambaOps.h"
#include "mamba-nki/Dialect/Nki/IR/NkiOps.h"
#include "mamba-nki/Support/Hardware.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"

#include <map>
#include <string>
#include <vector>

using namespace mlir;
using namespace mlir::nki;

namespace {

//===----------------------------------------------------------------------===//
// Index expressions: c + sum(coeff * term), printed as Python
//===----------------------------------------------------------------------===//

struct Lin {
  int64_t constant = 0;
  /// (term, coefficient); a term is a Python variable or a parenthesised
  /// expression. Kept in first-use order so that the text is stable.
  std::vector<std::pair<std::string, int64_t>> terms;

  static Lin of(int64_t c) {
    Lin l;
    l.constant = c;
    return l;
  }
  static Lin var(std::string name) {
    Lin l;
    l.terms.push_back({std::move(name), 1});
    return l;
  }
  bool isConstant() const { return terms.empty(); }

  Lin plus(const Lin &o, int64_t sign = 1) const {
    Lin r = *this;
    r.constant += sign * o.constant;
    for (const auto &[t, k] : o.terms) {
      auto it = llvm::find_if(r.terms, [&](auto &p) { return p.first == t; });
      if (it == r.terms.end())
        r.terms.push_back({t, sign * k});
      else
        it->second += sign * k;
    }
    llvm::erase_if(r.terms, [](auto &p) { return p.second == 0; });
    return r;
  }
  Lin times(int64_t k) const {
    if (k == 0)
      return of(0);
    Lin r = *this;
    r.constant *= k;
    for (auto &p : r.terms)
      p.second *= k;
    return r;
  }

  std::string str() const {
    std::string s;
    for (const auto &[t, k] : terms) {
      int64_t a = k < 0 ? -k : k;
      if (s.empty())
        s += k < 0 ? "-" : "";
      else
        s += k < 0 ? " - " : " + ";
      s += t;
      if (a != 1)
        s += " * " + std::to_string(a);
    }
    if (s.empty())
      return std::to_string(constant);
    if (constant != 0)
      s += (constant < 0 ? " - " : " + ") +
           std::to_string(constant < 0 ? -constant : constant);
    return s;
  }
  /// As an operand of `*`, `//` or `%`.
  std::string atom() const {
    if (isConstant() && constant >= 0)
      return str();
    if (terms.size() == 1 && constant == 0 && terms[0].second == 1)
      return terms[0].first;
    return "(" + str() + ")";
  }
};

//===----------------------------------------------------------------------===//
// Views: a root buffer (an HBM argument or an nki.alloc) and, per root dim,
// an offset, and either a size and a step (kept) or nothing (indexed away)
//===----------------------------------------------------------------------===//

struct View {
  Value root;
  /// The root's Python text: a name, or an HBM argument reshaped.
  std::string rootText;
  std::vector<Lin> offset;
  std::vector<int64_t> size, step;
  std::vector<bool> kept;
};

/// The shortest text that reads back as the same fp32 value, with a decimal
/// point so that Python sees a float.
std::string pyFloat(double v) {
  if (std::isnan(v))
    return "float('nan')";
  if (std::isinf(v))
    return v < 0 ? "float('-inf')" : "float('inf')";
  char text[64];
  for (int digits = 1; digits <= 17; ++digits) {
    snprintf(text, sizeof(text), "%.*g", digits, v);
    if (float(strtod(text, nullptr)) == float(v))
      break;
  }
  std::string s = text;
  if (s.find_first_of(".e") == std::string::npos)
    s += ".0";
  return s;
}

bool isPythonKeyword(StringRef s) {
  static const char *const kKeywords[] = {
      "False",  "None",   "True",    "and",      "as",     "assert", "async",
      "await",  "break",  "class",   "continue", "def",    "del",    "elif",
      "else",   "except", "finally", "for",      "from",   "global", "if",
      "import", "in",     "is",      "lambda",   "match",  "case",   "nonlocal",
      "not",    "or",     "pass",    "raise",    "return", "try",    "while",
      "with",   "yield",  "nki",     "nl",       "nisa",   "np",     "range",
      "len",    "print",  "float",   "int",      "object", "type"};
  for (const char *k : kKeywords)
    if (s == k)
      return true;
  return false;
}

/// `name` as a Python identifier: letters, digits and `_`, not starting
/// with a digit, not a keyword or one of the module names the file uses.
std::string identifier(StringRef name, StringRef fallback) {
  std::string s;
  for (char c : name)
    s += (llvm::isAlnum(c) || c == '_') ? c : '_';
  if (s.empty())
    s = fallback.str();
  if (llvm::isDigit(s[0]))
    s = "t_" + s;
  if (isPythonKeyword(s))
    s += "_";
  return s;
}

const char *memoryName(MemRefType type) {
  if (auto space = dyn_cast_or_null<MemorySpaceAttr>(type.getMemorySpace()))
    switch (space.getValue()) {
    case MemorySpace::sbuf:
      return "sbuf";
    case MemorySpace::psum:
      return "psum";
    case MemorySpace::hbm:
      return "hbm";
    }
  return "hbm";
}

bool isOnChip(Type t) {
  auto type = dyn_cast<MemRefType>(t);
  return type && StringRef(memoryName(type)) != "hbm";
}

class Emitter {
public:
  Emitter(func::FuncOp func, llvm::raw_ostream &os) : func(func), os(os) {}
  LogicalResult emit();

private:
  // Analysis.
  LogicalResult classifyArguments();
  void numberOps();
  void nameBuffers();
  bool nameFreeFor(StringRef name, Operation *def);
  void collectUses(Value v, SmallVectorImpl<Operation *> &into);

  // Expressions.
  FailureOr<Lin> index(Operation *at, Value v);
  FailureOr<Lin> index(Operation *at, OpFoldResult r);
  FailureOr<View> viewOf(Operation *at, Value v);
  FailureOr<std::string> expr(Operation *at, Value v);
  std::string viewText(const View &v);
  std::string rootName(Value root);
  FailureOr<std::string> dtype(Operation *at, Type t);
  FailureOr<std::string> scalar(Operation *at, Value view,
                                std::optional<APFloat> imm, StringRef what);
  FailureOr<std::string> alu(Operation *at, AluOp op);
  std::string engineArg(Operation *op);
  std::string shapeText(MemRefType t);

  // Statements.
  LogicalResult emitBlock(Block &block, int indent);
  LogicalResult emitOp(Operation *op, int indent);
  LogicalResult emitFor(scf::ForOp loop, int indent);
  LogicalResult emitAlloc(AllocOp op, int indent);
  LogicalResult emitWrite(Operation *op, Value dst, const std::string &rhs,
                          int indent, bool psumResult = false);
  LogicalResult emitBroadcast(PartitionBroadcastOp op, int indent);
  std::string loopComment(scf::ForOp loop);
  llvm::raw_ostream &line(int indent) {
    body.indent(indent * 4);
    return body;
  }

  func::FuncOp func;
  llvm::raw_ostream &os;
  std::string bodyText;
  llvm::raw_string_ostream body{bodyText};

  /// HBM arguments: Python name; outputs are created in the kernel.
  llvm::DenseMap<Value, std::string> argName;
  SmallVector<unsigned> outputs, params;
  /// Every op's position in a pre-order walk.
  llvm::DenseMap<Operation *, int64_t> position;
  /// Buffers: Python name, and whether the alloc is folded into its first
  /// write (`deltaA = nisa.activation(...)`).
  llvm::DenseMap<Value, std::string> bufferName;
  llvm::DenseMap<Operation *, AllocOp> foldedAllocAt;
  llvm::DenseSet<Operation *> foldedAllocs;
  /// Names taken for good (arguments, loop variables) and the buffers that
  /// held each reusable name so far.
  llvm::StringSet<> reserved;
  std::map<std::string, SmallVector<Value>> holders;
  /// Loop induction variables in scope.
  llvm::DenseMap<Value, std::string> ivName;
  llvm::StringSet<> ivInScope;
  /// The ones rows partition broadcasts multiply by, per element type.
  llvm::StringSet<> onesRows;
  std::string onesDecls;
};

//===----------------------------------------------------------------------===//
// Arguments
//===----------------------------------------------------------------------===//

LogicalResult Emitter::classifyArguments() {
  // The names the emitter itself introduces.
  for (const char *own : {"ones_row", "ones_row_bf16", "psum_bcast"})
    reserved.insert(own);
  llvm::StringSet<> used;
  for (BlockArgument arg : func.getArguments()) {
    auto type = dyn_cast<MemRefType>(arg.getType());
    if (!type || !type.hasStaticShape() || !type.getLayout().isIdentity())
      return func.emitError("argument #")
             << arg.getArgNumber()
             << " has no NKI equivalent: a kernel argument must be a "
                "statically shaped memref with the identity layout, got "
             << arg.getType();
    if (StringRef(memoryName(type)) != "hbm")
      return func.emitError("argument #")
             << arg.getArgNumber()
             << " is an on-chip buffer: NKI kernel arguments are HBM tensors";
    if (!type.getElementType().isF32() && !type.getElementType().isBF16())
      return func.emitError("argument #")
             << arg.getArgNumber() << " has element type "
             << type.getElementType() << "; NKI emission supports f32, bf16";
    auto nameAttr =
        func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "nki.name");
    std::string name =
        identifier(nameAttr ? nameAttr.getValue() : StringRef(),
                   ("arg" + llvm::Twine(arg.getArgNumber())).str());
    std::string unique = name;
    for (int k = 1; used.contains(unique) || reserved.contains(unique); ++k)
      unique = name + "_" + std::to_string(k);
    used.insert(unique);
    reserved.insert(unique);
    argName[arg] = unique;

    bool read = false, written = false;
    SmallVector<Operation *> uses;
    collectUses(arg, uses);
    for (Operation *user : uses) {
      if (isa<memref::SubViewOp, memref::ExpandShapeOp,
              memref::CollapseShapeOp>(user))
        continue;
      if (auto load = dyn_cast<LoadOp>(user)) {
        read = true;
        continue;
      }
      if (auto store = dyn_cast<StoreOp>(user)) {
        written = true;
        continue;
      }
      return user->emitError("'")
             << user->getName() << "' uses HBM tensor '" << unique
             << "'; in NKI only nl.load and nl.store reach HBM";
    }
    if (read && written)
      return func.emitError("argument '")
             << unique
             << "' is both loaded and stored: an @nki.jit kernel returns its "
                "outputs (nl.shared_hbm tensors it creates), so an HBM "
                "tensor read and written in place has no NKI equivalent here";
    (written ? outputs : params).push_back(arg.getArgNumber());
  }
  return success();
}

void Emitter::collectUses(Value v, SmallVectorImpl<Operation *> &into) {
  for (Operation *user : v.getUsers()) {
    into.push_back(user);
    if (isa<memref::SubViewOp, memref::ExpandShapeOp, memref::CollapseShapeOp>(
            user))
      collectUses(user->getResult(0), into);
  }
}

//===----------------------------------------------------------------------===//
// Buffer names: an alloc's name, reused by a later alloc of the same name
// when no use of the earlier buffer can see the new binding
//===----------------------------------------------------------------------===//

void Emitter::numberOps() {
  int64_t n = 0;
  func->walk<WalkOrder::PreOrder>([&](Operation *op) { position[op] = n++; });
}

bool Emitter::nameFreeFor(StringRef name, Operation *def) {
  if (reserved.contains(name))
    return false;
  auto it = holders.find(name.str());
  if (it == holders.end())
    return true;
  int64_t at = position[def];
  for (Value held : it->second) {
    Operation *heldDef = held.getDefiningOp();
    SmallVector<Operation *> uses;
    collectUses(held, uses);
    for (Operation *use : uses) {
      // A use after the new binding would see it.
      if (position[use] >= at)
        return false;
      // So would a use, in a later iteration, of a loop around the new
      // binding that the old buffer was defined outside of.
      for (Operation *loop = def->getParentOp(); loop && loop != func;
           loop = loop->getParentOp())
        if (isa<scf::ForOp>(loop) && !loop->isAncestor(heldDef) &&
            loop->isAncestor(use))
          return false;
    }
  }
  return true;
}

void Emitter::nameBuffers() {
  func->walk<WalkOrder::PreOrder>([&](Operation *op) {
    auto alloc = dyn_cast<AllocOp>(op);
    if (!alloc)
      return;
    std::string base =
        identifier(alloc.getName() ? *alloc.getName() : StringRef(), "buf");
    std::string name = base;
    for (int k = 1; !nameFreeFor(name, op); ++k)
      name = base + "_" + std::to_string(k);
    holders[name].push_back(alloc.getResult());
    bufferName[alloc.getResult()] = name;
  });
  // Loop variables must not clash with buffer names either: reserve them
  // (they are chosen as loops are emitted, avoiding these).
}

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

FailureOr<Lin> Emitter::index(Operation *at, OpFoldResult r) {
  if (auto attr = dyn_cast<Attribute>(r))
    return Lin::of(cast<IntegerAttr>(attr).getInt());
  return index(at, cast<Value>(r));
}

FailureOr<Lin> Emitter::index(Operation *at, Value v) {
  auto it = ivName.find(v);
  if (it != ivName.end())
    return Lin::var(it->second);
  Operation *def = v.getDefiningOp();
  if (!def)
    return at->emitError("an index that is not a loop variable or computed "
                         "from one has no NKI equivalent here");
  if (auto c = dyn_cast<arith::ConstantIndexOp>(def))
    return Lin::of(c.value());
  auto binary = [&](auto op) -> FailureOr<std::pair<Lin, Lin>> {
    FailureOr<Lin> a = index(at, op.getLhs()), b = index(at, op.getRhs());
    if (failed(a) || failed(b))
      return failure();
    return std::make_pair(*a, *b);
  };
  if (auto op = dyn_cast<arith::AddIOp>(def)) {
    auto ab = binary(op);
    if (failed(ab))
      return failure();
    return ab->first.plus(ab->second);
  }
  if (auto op = dyn_cast<arith::SubIOp>(def)) {
    auto ab = binary(op);
    if (failed(ab))
      return failure();
    return ab->first.plus(ab->second, -1);
  }
  if (auto op = dyn_cast<arith::MulIOp>(def)) {
    auto ab = binary(op);
    if (failed(ab))
      return failure();
    if (ab->second.isConstant())
      return ab->first.times(ab->second.constant);
    if (ab->first.isConstant())
      return ab->second.times(ab->first.constant);
    return Lin::var(ab->first.atom() + " * " + ab->second.atom());
  }
  // Division and remainder of non-negative indices (loop variables and
  // their sums are): Python's // and % agree with arith's there.
  auto divrem = [&](auto op, const char *pyOp) -> FailureOr<Lin> {
    auto ab = binary(op);
    if (failed(ab))
      return failure();
    if (ab->first.isConstant() && ab->second.isConstant() &&
        ab->second.constant > 0 && ab->first.constant >= 0)
      return Lin::of(StringRef(pyOp) == "//"
                         ? ab->first.constant / ab->second.constant
                         : ab->first.constant % ab->second.constant);
    return Lin::var("(" + ab->first.atom() + " " + pyOp + " " +
                    ab->second.atom() + ")");
  };
  if (auto op = dyn_cast<arith::DivUIOp>(def))
    return divrem(op, "//");
  if (auto op = dyn_cast<arith::FloorDivSIOp>(def))
    return divrem(op, "//");
  if (auto op = dyn_cast<arith::RemUIOp>(def))
    return divrem(op, "%");
  return def->emitError("'")
         << def->getName()
         << "' has no NKI equivalent in an index: the emitter spells "
            "index constants, loop variables, addi, subi, muli, divui, "
            "floordivsi and remui";
}

std::string Emitter::rootName(Value root) {
  auto a = argName.find(root);
  if (a != argName.end())
    return a->second;
  return bufferName.lookup(root);
}

FailureOr<View> Emitter::viewOf(Operation *at, Value v) {
  if (auto sv = v.getDefiningOp<memref::SubViewOp>()) {
    FailureOr<View> src = viewOf(at, sv.getSource());
    if (failed(src))
      return failure();
    View r = *src;
    SmallVector<unsigned> keptDims;
    for (unsigned d = 0; d < r.kept.size(); ++d)
      if (r.kept[d])
        keptDims.push_back(d);
    llvm::SmallBitVector dropped = sv.getDroppedDims();
    SmallVector<OpFoldResult> offsets = sv.getMixedOffsets(),
                              sizes = sv.getMixedSizes(),
                              strides = sv.getMixedStrides();
    for (unsigned j = 0; j < keptDims.size(); ++j) {
      unsigned d = keptDims[j];
      FailureOr<Lin> off = index(sv, offsets[j]);
      if (failed(off))
        return failure();
      std::optional<int64_t> size = getConstantIntValue(sizes[j]),
                             stride = getConstantIntValue(strides[j]);
      if (!size || !stride)
        return sv.emitError("a view with a dynamic size or stride has no "
                            "NKI equivalent here (NKI tiles are static)");
      r.offset[d] = r.offset[d].plus(off->times(r.step[d]));
      r.step[d] *= *stride;
      r.size[d] = *size;
      if (dropped.test(j))
        r.kept[d] = false;
    }
    return r;
  }
  auto type = dyn_cast<MemRefType>(v.getType());
  std::string text;
  Operation *reshape = v.getDefiningOp();
  if (isa_and_nonnull<memref::ExpandShapeOp, memref::CollapseShapeOp>(
          reshape)) {
    // A whole HBM argument seen in another shape: tensor.reshape.
    Value src = reshape->getOperand(0);
    if (!argName.count(src) || !type || !type.hasStaticShape() ||
        !type.getLayout().isIdentity())
      return reshape->emitError("a reshape of anything but a whole HBM "
                                "kernel argument has no NKI equivalent "
                                "here");
    text = argName[src] + ".reshape(" + shapeText(type) + ")";
  } else if (argName.count(v) || v.getDefiningOp<AllocOp>()) {
    text = rootName(v);
  }
  if (!type || text.empty())
    return at->emitError("a view that is not a memref.subview of a kernel "
                         "argument or an nki.alloc has no NKI equivalent "
                         "here (got ")
           << (v.getDefiningOp() ? v.getDefiningOp()->getName().getStringRef()
                                 : StringRef("a block argument"))
           << ")";
  View r;
  r.root = v;
  r.rootText = text;
  for (int64_t d : type.getShape()) {
    r.offset.push_back(Lin::of(0));
    r.size.push_back(d);
    r.step.push_back(1);
    r.kept.push_back(true);
  }
  return r;
}

std::string Emitter::viewText(const View &v) {
  std::string s = v.rootText + "[";
  for (unsigned d = 0; d < v.kept.size(); ++d) {
    if (d)
      s += ", ";
    if (!v.kept[d]) {
      s += v.offset[d].str();
      continue;
    }
    Lin end = v.offset[d].plus(Lin::of((v.size[d] - 1) * v.step[d] + 1));
    s += v.offset[d].str() + ":" + end.str();
    if (v.step[d] != 1)
      s += ":" + std::to_string(v.step[d]);
  }
  return s + "]";
}

/// The Python text of a memref operand: a buffer's name when it is the
/// whole buffer, else a slice of its root.
FailureOr<std::string> Emitter::expr(Operation *at, Value v) {
  if (!v.getDefiningOp<memref::SubViewOp>()) {
    if (argName.count(v) || v.getDefiningOp<AllocOp>()) {
      // Slices say the shape, as the tutorial writes an HBM access.
      if (argName.count(v)) {
        FailureOr<View> view = viewOf(at, v);
        if (failed(view))
          return failure();
        return viewText(*view);
      }
      return rootName(v);
    }
  }
  FailureOr<View> view = viewOf(at, v);
  if (failed(view))
    return failure();
  if (isOnChip(view->root.getType()))
    for (unsigned d = 0; d < view->kept.size(); ++d)
      if (d == 0 && (!view->kept[0] || view->step[0] != 1))
        return at->emitError("a view of an on-chip buffer that ")
               << (view->kept[0] ? "strides" : "indexes away")
               << " the partition dimension has no NKI equivalent";
  return viewText(*view);
}

FailureOr<std::string> Emitter::dtype(Operation *at, Type t) {
  if (auto m = dyn_cast<MemRefType>(t))
    t = m.getElementType();
  if (t.isF32())
    return std::string("nl.float32");
  if (t.isBF16())
    return std::string("nl.bfloat16");
  return at->emitError("element type ")
         << t << " has no NKI equivalent here (f32 and bf16 are emitted)";
}

std::string Emitter::shapeText(MemRefType t) {
  std::string s = "(";
  for (auto [i, d] : llvm::enumerate(t.getShape()))
    s += (i ? ", " : "") + std::to_string(d);
  if (t.getRank() == 1)
    s += ",";
  return s + ")";
}

FailureOr<std::string> Emitter::scalar(Operation *at, Value view,
                                       std::optional<APFloat> imm,
                                       StringRef what) {
  if (view)
    return expr(at, view);
  if (imm)
    return pyFloat(imm->convertToDouble());
  return at->emitError("missing ") << what;
}

FailureOr<std::string> Emitter::alu(Operation *at, AluOp op) {
  switch (op) {
  case AluOp::add:
    return std::string("nl.add");
  case AluOp::subtract:
    return std::string("nl.subtract");
  case AluOp::multiply:
    return std::string("nl.multiply");
  case AluOp::divide:
    return std::string("nl.divide");
  case AluOp::max:
    return std::string("nl.maximum");
  case AluOp::min:
    return std::string("nl.minimum");
  case AluOp::bypass:
    // Passes its first input through (nki.language.bypass).
    return std::string("nl.bypass");
  }
  return at->emitError("unknown ALU operation");
}

std::string Emitter::engineArg(Operation *op) {
  auto e = op->getAttrOfType<EngineAttr>("engine");
  if (!e)
    return "";
  switch (e.getValue()) {
  case Engine::scalar:
    return ", engine=nisa.scalar_engine";
  case Engine::vector:
    return ", engine=nisa.vector_engine";
  case Engine::gpsimd:
    return ", engine=nisa.gpsimd_engine";
  case Engine::tensor:
    return ", engine=nisa.tensor_engine";
  }
  return "";
}

//===----------------------------------------------------------------------===//
// Statements
//===----------------------------------------------------------------------===//

/// Which step of the compiler made a loop. The IR keeps no history, so this
/// reads the loop names the lowering and the passes give (docs/passes.md)
/// and what a pass leaves behind: loop order, a peeled lower bound.
std::string Emitter::loopComment(scf::ForOp loop) {
  auto nameAttr = loop->getAttrOfType<StringAttr>("nki.loop");
  StringRef name = nameAttr ? nameAttr.getValue() : "";
  auto kind = loop->getAttrOfType<StringAttr>("nki.kind");
  std::string s;
  if (name == "batch")
    s = "batch loop of --convert-mamba-to-nki";
  else if (name == "state" || name == "channel_tile") {
    s = std::string(name == "state" ? "state" : "channel-tile") +
        " loop of --convert-mamba-to-nki";
    bool insideOther = false;
    for (Operation *p = loop->getParentOp(); p; p = p->getParentOp())
      if (auto outer = dyn_cast<scf::ForOp>(p))
        if (auto n = outer->getAttrOfType<StringAttr>("nki.loop"))
          insideOther |=
              n.getValue() == (name == "state" ? "channel_tile" : "state");
    if (insideOther && name == "state")
      s += ", moved inside channel_tile by --nki-reorder-loops";
    if (name == "channel_tile") {
      bool enclosesState = false, accLoops = false;
      loop->walk([&](scf::ForOp inner) {
        if (auto n = inner->getAttrOfType<StringAttr>("nki.loop"))
          enclosesState |= inner != loop && n.getValue() == "state";
      });
      func->walk([&](scf::ForOp any) {
        if (auto n = any->getAttrOfType<StringAttr>("nki.loop"))
          accLoops |= n.getValue() == "acc_zero" || n.getValue() == "acc_store";
      });
      if (enclosesState) {
        s += ", moved outside the state loop by --nki-reorder-loops";
        if (!accLoops)
          s += ", the accumulator's zeroing and store loops fused into it "
               "by --nki-fuse-loops";
      }
    }
  } else if (name == "acc_zero" || name == "acc_store")
    s = std::string("accumulator ") +
        (name == "acc_zero" ? "zeroing" : "store") +
        " loop of --convert-mamba-to-nki";
  else if (name == "seq_tile")
    s = "seq_len tiles of --nki-tile-free-dim";
  else if (!name.empty())
    s = "loop '" + name.str() + "' of the input";
  else
    s = "unnamed loop of the input";
  std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound());
  // --nki-peel-reduction and --nki-tile-free-dim peel first iterations of
  // the loops they name; another loop's bound is just the input's.
  if (lb && *lb != 0 && (name == "state" || name == "seq_tile"))
    s += "; iterations before " + std::to_string(*lb) + " are peeled above it";
  if (!kind)
    s += "; no nki.kind: sequential_range, which is always safe";
  else if (kind.getValue() == "sequential")
    s += "; sequential: its iterations carry a dependence";
  return s;
}

LogicalResult Emitter::emitFor(scf::ForOp loop, int indent) {
  if (loop.getNumRegionIterArgs() != 0)
    return loop.emitError("an scf.for with iter_args has no NKI equivalent: "
                          "NKI loops carry values through buffers");
  auto nameAttr = loop->getAttrOfType<StringAttr>("nki.loop");
  std::string base =
      "i_" + identifier(nameAttr ? nameAttr.getValue() : StringRef(), "loop")
                 .substr(0);
  if (!nameAttr)
    base = "i_loop";
  std::string name = base;
  for (int k = 1; ivInScope.contains(name) || reserved.contains(name) ||
                  holders.count(name);
       ++k)
    name = base + "_" + std::to_string(k);
  FailureOr<Lin> lb = index(loop, loop.getLowerBound()),
                 ub = index(loop, loop.getUpperBound()),
                 step = index(loop, loop.getStep());
  if (failed(lb) || failed(ub) || failed(step))
    return failure();
  auto kind = loop->getAttrOfType<StringAttr>("nki.kind");
  const char *range = kind && kind.getValue() == "affine"
                          ? "nl.affine_range"
                          : "nl.sequential_range";
  std::string args;
  if (lb->isConstant() && lb->constant == 0 && step->isConstant() &&
      step->constant == 1)
    args = ub->str();
  else
    args = lb->str() + ", " + ub->str() + ", " + step->str();
  line(indent) << "# " << loopComment(loop) << "\n";
  line(indent) << "for " << name << " in " << range << "(" << args << "):\n";
  ivName[loop.getInductionVar()] = name;
  ivInScope.insert(name);
  size_t before = bodyText.size();
  body.flush();
  before = bodyText.size();
  if (failed(emitBlock(*loop.getBody(), indent + 1)))
    return failure();
  body.flush();
  if (bodyText.size() == before)
    line(indent + 1) << "pass\n";
  ivInScope.erase(name);
  return success();
}

LogicalResult Emitter::emitAlloc(AllocOp op, int indent) {
  auto type = cast<MemRefType>(op.getType());
  FailureOr<std::string> dt = dtype(op, type);
  if (failed(dt))
    return failure();
  // Folded into the first write when that write is the next use of the
  // whole buffer in the same block, and SBUF (an op's result tile is SBUF)
  // or a matmul's PSUM result.
  Operation *first = nullptr;
  for (Operation *user : op->getUsers()) {
    Operation *inBlock = op->getBlock()->findAncestorOpInBlock(*user);
    if (inBlock && (!first || inBlock->isBeforeInBlock(first)))
      first = inBlock;
  }
  bool sbuf = StringRef(memoryName(type)) == "sbuf";
  if (first && first->getNumRegions() == 0) {
    bool whole = false, broadcast = false;
    if (auto load = dyn_cast<LoadOp>(first))
      whole = load.getDst() == op.getResult() && load.getSrc() != op;
    else if (auto b = dyn_cast<PartitionBroadcastOp>(first))
      whole = broadcast = b.getDst() == op.getResult() && !sbuf;
    else if (auto mm = dyn_cast<MatmulOp>(first))
      // An accumulating matmul reads what the buffer held: not a first write.
      whole = broadcast = mm.getDst() == op.getResult() && !sbuf &&
                          !mm.getAccumulate() &&
                          mm.getStationary() != op.getResult() &&
                          mm.getMoving() != op.getResult();
    else if (isa<MemsetOp, ActivationOp, TensorScalarOp, TensorTensorOp,
                 TensorTensorScanOp, TensorCopyOp>(first)) {
      // The destination is the last memref operand; it must not also be
      // read (a first write reads nothing of the buffer).
      Value dst = first->getOperands().back();
      whole = dst == op.getResult() &&
              llvm::count(first->getOperands(), op.getResult()) == 1;
    }
    if (whole && (sbuf || broadcast)) {
      foldedAllocAt[first] = op;
      return success();
    }
  }
  line(indent) << bufferName[op.getResult()] << " = nl.ndarray("
               << shapeText(type) << ", dtype=" << *dt << ", buffer=nl."
               << memoryName(type) << ")\n";
  return success();
}

/// `dst = rhs` (the buffer's first write, folded) or `dst[...] = rhs`.
LogicalResult Emitter::emitWrite(Operation *op, Value dst,
                                 const std::string &rhs, int indent, bool) {
  auto folded = foldedAllocAt.find(op);
  if (folded != foldedAllocAt.end()) {
    line(indent) << bufferName[folded->second.getResult()] << " = " << rhs
                 << "\n";
    return success();
  }
  FailureOr<std::string> d = expr(op, dst);
  if (failed(d))
    return failure();
  std::string target = *d;
  if (target.find('[') == std::string::npos)
    target += "[...]";
  line(indent) << target << " = " << rhs << "\n";
  return success();
}

LogicalResult Emitter::emitBroadcast(PartitionBroadcastOp op, int indent) {
  auto srcType = cast<MemRefType>(op.getSrc().getType());
  auto dstType = cast<MemRefType>(op.getDst().getType());
  if (srcType.getRank() != 2 || dstType.getRank() != 2)
    return op.emitError("a partition broadcast of rank ")
           << dstType.getRank()
           << " has no nc_matmul spelling here (rank 2: [1, F] to [P, F])";
  FailureOr<std::string> dt = dtype(op, srcType);
  FailureOr<std::string> src = expr(op, op.getSrc());
  if (failed(dt) || failed(src))
    return failure();
  std::string ones =
      srcType.getElementType().isBF16() ? "ones_row_bf16" : "ones_row";
  if (!onesRows.contains(ones)) {
    onesRows.insert(ones);
    onesDecls += "    " + ones + " = nl.ones((1, " +
                 std::to_string(mamba_hw::kPartitions) + "), dtype=" + *dt +
                 ", buffer=nl.sbuf)\n";
  }
  int64_t p = dstType.getDimSize(0), f = dstType.getDimSize(1);
  std::string stationary = ones + "[0:1, 0:" + std::to_string(p) + "]";
  if (StringRef(memoryName(dstType)) == "psum")
    return emitWrite(op, op.getDst(),
                     "nisa.nc_matmul(" + stationary + ", " + *src + ")",
                     indent);
  // SBUF: one PSUM bank (512 fp32) at a time, copied out by ScalarE, as
  // the backend does.
  FailureOr<View> dv = viewOf(op, op.getDst());
  FailureOr<View> sv = viewOf(op, op.getSrc());
  if (failed(dv) || failed(sv))
    return failure();
  const int64_t bank = mamba_hw::kPsumBankBytes / 4;
  auto chunk = [&](const View &v, int freeDim, Lin start,
                   int64_t width) -> std::string {
    View c = v;
    // The free dim of the rank-2 view is the second kept dim.
    unsigned d = 0, seen = 0;
    for (; d < c.kept.size(); ++d)
      if (c.kept[d] && seen++ == unsigned(freeDim))
        break;
    c.offset[d] = c.offset[d].plus(start.times(c.step[d]));
    c.size[d] = width;
    return viewText(c);
  };
  int64_t full = f / bank, rest = f % bank;
  std::string tmp = "psum_bcast";
  line(indent) << "# broadcast in PSUM banks of " << bank
               << " fp32, copied to SBUF by ScalarE\n";
  if (full == 1) {
    line(indent) << tmp << " = nisa.nc_matmul(" << stationary << ", "
                 << chunk(*sv, 1, Lin::of(0), bank) << ")\n";
    line(indent) << chunk(*dv, 1, Lin::of(0), bank) << " = nisa.tensor_copy("
                 << tmp << ", engine=nisa.scalar_engine)\n";
  } else if (full > 1) {
    std::string iv = "i_bank";
    for (int k = 1;
         ivInScope.contains(iv) || reserved.contains(iv) || holders.count(iv);
         ++k)
      iv = "i_bank_" + std::to_string(k);
    line(indent) << "for " << iv << " in nl.affine_range(" << full << "):\n";
    Lin start = Lin::var(iv).times(bank);
    line(indent + 1) << tmp << " = nisa.nc_matmul(" << stationary << ", "
                     << chunk(*sv, 1, start, bank) << ")\n";
    line(indent + 1) << chunk(*dv, 1, start, bank) << " = nisa.tensor_copy("
                     << tmp << ", engine=nisa.scalar_engine)\n";
  }
  if (rest > 0) {
    Lin start = Lin::of(full * bank);
    line(indent) << tmp << " = nisa.nc_matmul(" << stationary << ", "
                 << chunk(*sv, 1, start, rest) << ")\n";
    line(indent) << chunk(*dv, 1, start, rest) << " = nisa.tensor_copy(" << tmp
                 << ", engine=nisa.scalar_engine)\n";
  }
  return success();
}

LogicalResult Emitter::emitOp(Operation *op, int indent) {
  if (isa<arith::ConstantOp, arith::AddIOp, arith::SubIOp, arith::MulIOp,
          arith::DivUIOp, arith::FloorDivSIOp, arith::RemUIOp,
          memref::SubViewOp, memref::ExpandShapeOp, memref::CollapseShapeOp,
          scf::YieldOp>(op)) {
    // Spelled where they are used; check index arithmetic once here.
    if (isa<arith::AddIOp, arith::SubIOp, arith::MulIOp, arith::DivUIOp,
            arith::FloorDivSIOp, arith::RemUIOp>(op) &&
        !op->getResult(0).getType().isIndex())
      return op->emitError("'")
             << op->getName() << "' on " << op->getResult(0).getType()
             << " has no NKI equivalent here (index arithmetic only)";
    return success();
  }
  if (auto ret = dyn_cast<func::ReturnOp>(op)) {
    if (ret.getNumOperands())
      return op->emitError("a kernel that returns values has no NKI "
                           "equivalent here: outputs are stored tensors");
    return success();
  }
  if (auto loop = dyn_cast<scf::ForOp>(op))
    return emitFor(loop, indent);
  if (auto alloc = dyn_cast<AllocOp>(op))
    return emitAlloc(alloc, indent);

  auto dtypeArg = [&](Value in, Value dst) -> FailureOr<std::string> {
    auto a = cast<MemRefType>(in.getType()).getElementType();
    auto b = cast<MemRefType>(dst.getType()).getElementType();
    if (a == b)
      return std::string();
    FailureOr<std::string> dt = dtype(op, b);
    if (failed(dt))
      return failure();
    return ", dtype=" + *dt;
  };

  if (auto load = dyn_cast<LoadOp>(op)) {
    FailureOr<std::string> src = expr(op, load.getSrc());
    if (failed(src))
      return failure();
    return emitWrite(op, load.getDst(), "nl.load(" + *src + ")", indent);
  }
  if (auto store = dyn_cast<StoreOp>(op)) {
    FailureOr<std::string> src = expr(op, store.getSrc()),
                           dst = expr(op, store.getDst());
    if (failed(src) || failed(dst))
      return failure();
    line(indent) << "nl.store(" << *dst << ", value=" << *src << ")\n";
    return success();
  }
  if (auto memset = dyn_cast<MemsetOp>(op)) {
    auto type = cast<MemRefType>(memset.getDst().getType());
    FailureOr<std::string> dt = dtype(op, type);
    if (failed(dt))
      return failure();
    double value = memset.getValue().convertToDouble();
    auto folded = foldedAllocAt.find(op);
    if (folded != foldedAllocAt.end() && value == 0.0 && !std::signbit(value) &&
        !memset.getEngine()) {
      line(indent) << bufferName[folded->second.getResult()] << " = nl.zeros("
                   << shapeText(type) << ", dtype=" << *dt
                   << ", buffer=nl.sbuf)\n";
      return success();
    }
    return emitWrite(op, memset.getDst(),
                     "nisa.memset(shape=" + shapeText(type) +
                         ", value=" + pyFloat(value) + ", dtype=" + *dt +
                         engineArg(op) + ")",
                     indent);
  }
  if (auto act = dyn_cast<ActivationOp>(op)) {
    static const char *const kFuncs[] = {
        "nl.copy", "nl.exp",      "nl.log",  "nl.relu",   "nl.sigmoid",
        "nl.silu", "nl.softplus", "nl.tanh", "nl.square", "nl.sqrt"};
    unsigned f = unsigned(act.getFunc());
    if (f >= std::size(kFuncs))
      return op->emitError("activation function has no NKI equivalent");
    FailureOr<std::string> data = expr(op, act.getData());
    if (failed(data))
      return failure();
    std::string rhs =
        std::string("nisa.activation(op=") + kFuncs[f] + ", data=" + *data;
    if (act.getBias()) {
      FailureOr<std::string> bias = expr(op, act.getBias());
      if (failed(bias))
        return failure();
      rhs += ", bias=" + *bias;
    }
    if (act.getScale()) {
      FailureOr<std::string> s = expr(op, act.getScale());
      if (failed(s))
        return failure();
      rhs += ", scale=" + *s;
    } else if (act.getScaleImm()) {
      rhs += ", scale=" + pyFloat(act.getScaleImm()->convertToDouble());
    }
    FailureOr<std::string> dt = dtypeArg(act.getData(), act.getDst());
    if (failed(dt))
      return failure();
    return emitWrite(op, act.getDst(), rhs + *dt + ")", indent);
  }
  if (auto ts = dyn_cast<TensorScalarOp>(op)) {
    FailureOr<std::string> data = expr(op, ts.getData());
    FailureOr<std::string> op0 = alu(op, ts.getOp0());
    FailureOr<std::string> s0 =
        scalar(op, ts.getOperand0(), ts.getImm0(), "operand0");
    if (failed(data) || failed(op0) || failed(s0))
      return failure();
    // nki's reversed bypass yields the operand; NKI's bypass passes the
    // data through: no equivalent.
    auto reversedBypass = [&](AluOp o, bool reversed) -> LogicalResult {
      if (o == AluOp::bypass && reversed)
        return op->emitError("a reversed 'bypass' (the scalar operand, not "
                             "the data) has no NKI equivalent: "
                             "nl.bypass passes the data through");
      return success();
    };
    if (failed(reversedBypass(ts.getOp0(), ts.getReverse0())) ||
        (ts.getOp1() && failed(reversedBypass(*ts.getOp1(), ts.getReverse1()))))
      return failure();
    std::string rhs = "nisa.tensor_scalar(data=" + *data + ", op0=" + *op0 +
                      ", operand0=" + *s0;
    if (ts.getReverse0())
      rhs += ", reverse0=True";
    if (ts.getOp1()) {
      FailureOr<std::string> op1 = alu(op, *ts.getOp1());
      FailureOr<std::string> s1 =
          scalar(op, ts.getOperand1(), ts.getImm1(), "operand1");
      if (failed(op1) || failed(s1))
        return failure();
      rhs += ", op1=" + *op1 + ", operand1=" + *s1;
      if (ts.getReverse1())
        rhs += ", reverse1=True";
    }
    FailureOr<std::string> dt = dtypeArg(ts.getData(), ts.getDst());
    if (failed(dt))
      return failure();
    return emitWrite(op, ts.getDst(), rhs + *dt + engineArg(op) + ")", indent);
  }
  if (auto tt = dyn_cast<TensorTensorOp>(op)) {
    FailureOr<std::string> a = expr(op, tt.getLhs()), b = expr(op, tt.getRhs());
    FailureOr<std::string> o = alu(op, tt.getOp());
    if (failed(a) || failed(b) || failed(o))
      return failure();
    FailureOr<std::string> dt = dtypeArg(tt.getLhs(), tt.getDst());
    if (failed(dt))
      return failure();
    return emitWrite(op, tt.getDst(),
                     "nisa.tensor_tensor(" + *a + ", " + *b + ", op=" + *o +
                         *dt + engineArg(op) + ")",
                     indent);
  }
  if (auto scan = dyn_cast<TensorTensorScanOp>(op)) {
    FailureOr<std::string> a = expr(op, scan.getData0()),
                           b = expr(op, scan.getData1());
    FailureOr<std::string> o0 = alu(op, scan.getOp0()),
                           o1 = alu(op, scan.getOp1());
    FailureOr<std::string> init =
        scalar(op, scan.getInitial(), scan.getInitialImm(), "initial");
    if (failed(a) || failed(b) || failed(o0) || failed(o1) || failed(init))
      return failure();
    FailureOr<std::string> dt = dtypeArg(scan.getData0(), scan.getDst());
    if (failed(dt))
      return failure();
    return emitWrite(op, scan.getDst(),
                     "nisa.tensor_tensor_scan(" + *a + ", " + *b +
                         ", initial=" + *init + ", op0=" + *o0 +
                         ", op1=" + *o1 + *dt + ")",
                     indent);
  }
  if (auto copy = dyn_cast<TensorCopyOp>(op)) {
    FailureOr<std::string> src = expr(op, copy.getSrc());
    if (failed(src))
      return failure();
    FailureOr<std::string> dt = dtypeArg(copy.getSrc(), copy.getDst());
    if (failed(dt))
      return failure();
    return emitWrite(op, copy.getDst(),
                     "nisa.tensor_copy(" + *src + *dt + engineArg(op) + ")",
                     indent);
  }
  if (auto b = dyn_cast<PartitionBroadcastOp>(op))
    return emitBroadcast(b, indent);
  if (auto mm = dyn_cast<MatmulOp>(op)) {
    // TensorE: stationary.T @ moving into PSUM; `accumulate` is NKI's `+=`
    // on the PSUM tile, which adds the product to what the tile held.
    FailureOr<std::string> s = expr(op, mm.getStationary()),
                           m = expr(op, mm.getMoving());
    if (failed(s) || failed(m))
      return failure();
    std::string rhs = "nisa.nc_matmul(" + *s + ", " + *m + ")";
    if (!mm.getAccumulate())
      return emitWrite(op, mm.getDst(), rhs, indent);
    FailureOr<std::string> d = expr(op, mm.getDst());
    if (failed(d))
      return failure();
    std::string target = *d;
    if (target.find('[') == std::string::npos)
      target += "[...]";
    line(indent) << target << " += " << rhs << "\n";
    return success();
  }
  return op->emitError("'")
         << op->getName() << "' has no NKI equivalent in --nki-to-python";
}

LogicalResult Emitter::emitBlock(Block &block, int indent) {
  for (Operation &op : block)
    if (failed(emitOp(&op, indent)))
      return failure();
  return success();
}

LogicalResult Emitter::emit() {
  if (func.getNumResults() != 0)
    return func.emitError("a kernel with results has no NKI equivalent "
                          "here: outputs are stored tensors");
  if (!func.getBody().hasOneBlock())
    return func.emitError("a kernel of several blocks has no NKI "
                          "equivalent: NKI kernels are structured code");
  WalkResult scan = func->walk([](mamba::SelectiveScanOp op) {
    op.emitError("the kernel still contains mamba.selective_scan; lower it "
                 "first (mamba-opt --mamba-v1 ... --mamba-v4)");
    return WalkResult::interrupt();
  });
  if (scan.wasInterrupted())
    return failure();
  if (failed(classifyArguments()))
    return failure();
  numberOps();
  nameBuffers();
  if (failed(emitBlock(func.getBody().front(), 1)))
    return failure();
  body.flush();

  std::string name = identifier(func.getSymName(), "kernel");
  os << "\n\n@nki.jit\ndef " << name << "(";
  for (auto [i, a] : llvm::enumerate(params))
    os << (i ? ", " : "") << argName[func.getArgument(a)];
  os << "):\n";
  os << "    \"\"\"Emitted by mamba-translate --nki-to-python from the nki "
        "function @"
     << func.getSymName() << ".\n\n";
  auto describe = [&](unsigned a) {
    auto t = cast<MemRefType>(func.getArgument(a).getType());
    std::string dt = t.getElementType().isBF16() ? "bfloat16" : "float32";
    return shapeText(t) + " " + dt;
  };
  for (unsigned a : params)
    os << "    :param " << argName[func.getArgument(a)] << ": " << describe(a)
       << "\n";
  for (unsigned a : outputs)
    os << "    :return: " << argName[func.getArgument(a)] << " " << describe(a)
       << "\n";
  os << "    \"\"\"\n";
  for (unsigned a : params) {
    auto t = cast<MemRefType>(func.getArgument(a).getType());
    const std::string &n = argName[func.getArgument(a)];
    os << "    assert " << n << ".shape == " << shapeText(t)
       << ", \"compiled for " << n << " of shape " << shapeText(t) << "\"\n";
  }
  for (unsigned a : outputs) {
    auto t = cast<MemRefType>(func.getArgument(a).getType());
    const std::string &n = argName[func.getArgument(a)];
    FailureOr<std::string> dt = dtype(func, t);
    if (failed(dt))
      return failure();
    os << "    " << n << " = nl.ndarray(" << shapeText(t) << ", dtype=" << *dt
       << ", buffer=nl.shared_hbm, name=\"" << n << "\")\n";
  }
  os << onesDecls;
  os << bodyText;
  if (!outputs.empty()) {
    os << "    return ";
    for (auto [i, a] : llvm::enumerate(outputs))
      os << (i ? ", " : "") << argName[func.getArgument(a)];
    os << "\n";
  }
  return success();
}

} // namespace

LogicalResult mlir::nki::translateToNkiPython(Operation *op,
                                              llvm::raw_ostream &os) {
  SmallVector<func::FuncOp> funcs;
  op->walk([&](func::FuncOp f) {
    if (!f.isExternal())
      funcs.push_back(f);
  });
  if (funcs.empty())
    return op->emitError("no kernel function to emit (a func.func with a "
                         "body)");
  llvm::StringSet<> names;
  std::string text;
  llvm::raw_string_ostream out(text);
  out << "# NKI kernels emitted by mamba-translate --nki-to-python "
         "(docs/nki-emission.md).\n"
         "# Neuron SDK's neuronxcc.nki API; runs without a device on "
         "scripts/nki-emulate.py.\n"
         "import neuronxcc.nki as nki\n"
         "import neuronxcc.nki.language as nl\n"
         "import neuronxcc.nki.isa as nisa\n";
  for (func::FuncOp f : funcs) {
    std::string name = identifier(f.getSymName(), "kernel");
    if (!names.insert(name).second)
      return f.emitError("two kernels would be named '")
             << name << "' in Python";
    Emitter emitter(f, out);
    if (failed(emitter.emit()))
      return failure();
  }
  out.flush();
  os << text;
  return success();
}

void mlir::nki::registerNkiToPythonTranslation() {
  static TranslateFromMLIRRegistration toPython(
      "nki-to-python",
      "write each nki kernel as an @nki.jit Python function (NKI's public "
      "API)",
      [](Operation *op, llvm::raw_ostream &os) {
        return translateToNkiPython(op, os);
      },
      [](DialectRegistry &registry) {
        registry.insert<arith::ArithDialect, func::FuncDialect,
                        memref::MemRefDialect, scf::SCFDialect, NkiDialect,
                        mamba::MambaDialect>();
      });
}
