//===- NkiDialect.cpp - the nki dialect -----------------------------------===//

#include "mamba-nki/Dialect/Nki/IR/NkiDialect.h"
#include "mamba-nki/Dialect/Nki/IR/NkiOps.h"

#include "mlir/IR/DialectImplementation.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::nki;

#include "mamba-nki/Dialect/Nki/IR/NkiDialect.cpp.inc"
#include "mamba-nki/Dialect/Nki/IR/NkiEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "mamba-nki/Dialect/Nki/IR/NkiAttrs.cpp.inc"

void NkiDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "mamba-nki/Dialect/Nki/IR/NkiAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "mamba-nki/Dialect/Nki/IR/NkiOps.cpp.inc"
      >();
}

/// nki.kernel: a function's {name = "selective_scan", delta_softplus =
/// BOOL}, exactly those keys (the .nisa kernel line knows no other).
static LogicalResult verifyKernelAttr(Operation *op, Attribute value) {
  auto fail = [&]() -> InFlightDiagnostic {
    return op->emitError() << "'nki.kernel' ";
  };
  if (!isa<FunctionOpInterface>(op))
    return fail() << "belongs on a function, not on '" << op->getName() << "'";
  auto dict = dyn_cast<DictionaryAttr>(value);
  if (!dict)
    return fail() << "must be a dictionary {name = \"selective_scan\", "
                     "delta_softplus = true|false}, got "
                  << value;
  for (NamedAttribute entry : dict)
    if (entry.getName() != "name" && entry.getName() != "delta_softplus")
      return fail() << "has unknown key '" << entry.getName().getValue()
                    << "' (expected name and delta_softplus)";
  // "got X", or "which is missing".
  auto got = [&](StringRef key) {
    std::string text;
    llvm::raw_string_ostream os(text);
    if (Attribute a = dict.get(key))
      os << "got " << a;
    else
      os << "which is missing";
    return text;
  };
  auto kernel = dict.getAs<StringAttr>("name");
  if (!kernel || kernel.getValue() != "selective_scan")
    return fail() << "needs name = \"selective_scan\" (the one kernel "
                     "known), "
                  << got("name");
  if (!dict.getAs<BoolAttr>("delta_softplus"))
    return fail() << "needs delta_softplus = true or false, "
                  << got("delta_softplus");
  return success();
}

/// Discardable attributes of the nki namespace:
///   nki.target = #nki.target<trn1|trn2>   on any op (usually the module)
///   nki.loop = "name"                     loop name that passes can target
///   nki.kind = "affine" | "sequential"    NKI loop kind
///   nki.kernel = {name = "selective_scan", delta_softplus = true|false}
///                                         on a function: what it computes
///                                         (the .nisa `kernel` line)
LogicalResult NkiDialect::verifyOperationAttribute(Operation *op,
                                                   NamedAttribute attr) {
  StringRef name = attr.getName().getValue();
  if (name == "nki.kernel")
    return verifyKernelAttr(op, attr.getValue());
  if (name == getTargetAttrName()) {
    if (!isa<TargetAttr>(attr.getValue()))
      return op->emitError()
             << "'" << name << "' must be a #nki.target<...> attribute, got "
             << attr.getValue();
    return success();
  }
  if (name == "nki.loop") {
    auto str = dyn_cast<StringAttr>(attr.getValue());
    if (!str || str.getValue().empty())
      return op->emitError() << "'nki.loop' must be a non-empty string, got "
                             << attr.getValue();
    return success();
  }
  if (name == "nki.kind") {
    auto str = dyn_cast<StringAttr>(attr.getValue());
    if (!str || (str.getValue() != "affine" && str.getValue() != "sequential"))
      return op->emitError()
             << "'nki.kind' must be \"affine\" or \"sequential\", got "
             << attr.getValue();
    return success();
  }
  return op->emitError() << "unknown nki attribute '" << name
                         << "' (expected nki.target, nki.loop, nki.kind or "
                            "nki.kernel)";
}

/// Argument attributes of the nki namespace:
///   nki.name = "delta"   the HBM tensor's name in the instruction stream
LogicalResult NkiDialect::verifyRegionArgAttribute(Operation *op,
                                                   unsigned regionIndex,
                                                   unsigned argIndex,
                                                   NamedAttribute attr) {
  if (attr.getName().getValue() != "nki.name")
    return op->emitError() << "unknown nki argument attribute '"
                           << attr.getName().getValue()
                           << "' (expected nki.name)";
  auto name = dyn_cast<StringAttr>(attr.getValue());
  if (!name || name.getValue().empty() ||
      !llvm::all_of(name.getValue(), [](char c) {
        return llvm::isAlnum(c) || c == '_' || c == '-';
      }))
    return op->emitError() << "'nki.name' of argument #" << argIndex
                           << " must be a non-empty string of letters, "
                              "digits, '_' and '-', got "
                           << attr.getValue();
  return success();
}
