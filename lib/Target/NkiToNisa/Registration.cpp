//===- Registration.cpp - the backend's mlir-translate translations -------===//
//
// --nki-to-nisa (with its --nisa-* flags), --nisa-roundtrip, --nisa-stats.
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Dialect/Mamba/IR/MambaOps.h"
#include "mamba-nki/Dialect/Nki/IR/NkiOps.h"
#include "mamba-nki/Support/Hardware.h"
#include "mamba-nki/Target/NkiToNisa/NkiToNisa.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;
using namespace mlir::nki;

static llvm::cl::opt<std::string>
    clTarget("nisa-target",
             llvm::cl::desc("NeuronCore to emit for: trn1 or trn2 (default: "
                            "the module's nki.target, else trn1)"),
             llvm::cl::init(""));
namespace {
/// --nisa-max-instructions: a count from 0 to 10^12 (the backend allows 8
/// loop iterations per instruction, which must fit 64 bits); a negative or
/// larger value is a command-line error naming the flag.
struct InstructionLimitParser : llvm::cl::parser<long long> {
  static constexpr long long kMax = 1'000'000'000'000;
  using llvm::cl::parser<long long>::parser;
  bool parse(llvm::cl::Option &option, StringRef name, StringRef arg,
             long long &value) {
    if (llvm::cl::parser<long long>::parse(option, name, arg, value))
      return true;
    if (value < 0 || value > kMax)
      return option.error("must be a count from 0 to 1000000000000, got '" +
                          arg + "'");
    return false;
  }
};
} // namespace

static llvm::cl::opt<long long, false, InstructionLimitParser>
    clMaxInstructions(
        "nisa-max-instructions",
        llvm::cl::desc("fail if the unrolled stream would exceed this many "
                       "instructions (0 to 10^12, default 20,000,000)"),
        llvm::cl::init(20'000'000));
static llvm::cl::opt<bool> clWindowSpills(
    "nisa-window-spills",
    llvm::cl::desc("when allocation spills, allocate spilled buffers in "
                   "windows so that spills move windows, not whole buffers "
                   "(default on)"),
    llvm::cl::init(true));
static llvm::cl::opt<std::string>
    clFunction("nisa-function",
               llvm::cl::desc("the kernel function to emit (default: the "
                              "only func.func in the module)"),
               llvm::cl::init(""));

/// The options the --nisa-* flags give; an error on `op` for a bad one.
static FailureOr<NisaOptions> optionsFromFlags(Operation *op) {
  NisaOptions options;
  options.maxInstructions = int64_t(clMaxInstructions);
  options.windowSpills = clWindowSpills;
  if (!clTarget.empty()) {
    options.target = mamba_hw::parseTarget(clTarget);
    if (!options.target)
      return op->emitError("--nisa-target must be ")
             << mamba_hw::targetChoices() << ", got '" << clTarget << "'";
  }
  return options;
}

/// The kernel to translate: the only function (--nisa-function's), already
/// lowered to nki.
static FailureOr<func::FuncOp> selectKernel(Operation *op) {
  SmallVector<func::FuncOp> funcs;
  op->walk([&](func::FuncOp f) {
    if (!f.isExternal() && (clFunction.empty() || f.getSymName() == clFunction))
      funcs.push_back(f);
  });
  if (funcs.size() != 1)
    return op->emitError("expected exactly one kernel function")
           << (clFunction.empty() ? "" : " named '" + clFunction + "'")
           << ", found " << funcs.size()
           << (clFunction.empty() ? " (select one with --nisa-function)" : "");
  if (funcs.front()
          ->walk([](mamba::SelectiveScanOp) { return WalkResult::interrupt(); })
          .wasInterrupted())
    return funcs.front()->emitError(
        "the kernel still contains mamba.selective_scan; lower it first "
        "(mamba-opt --mamba-v1, --mamba-v2 or --mamba-v3)");
  return funcs.front();
}

static LogicalResult emitNisa(Operation *op, llvm::raw_ostream &os) {
  FailureOr<NisaOptions> options = optionsFromFlags(op);
  if (failed(options))
    return failure();
  FailureOr<func::FuncOp> kernel = selectKernel(op);
  if (failed(kernel))
    return failure();
  // Print as the instructions come: the stream is never held in memory.
  // Large writes: a stream can be hundreds of megabytes.
  os.SetBufferSize(1 << 20);
  struct Printer : NisaConsumer {
    explicit Printer(llvm::raw_ostream &os) : os(os) {}
    void header(const nisa::Program &h, int64_t count) override {
      program = &h;
      nisa::printHeader(h, count, os);
    }
    void instruction(int64_t id, const nisa::Instruction &in) override {
      nisa::printInstruction(*program, id, in, os);
    }
    void context(const nisa::Program &h, uint32_t ctx) override {
      nisa::printContext(h, ctx, os);
    }
    llvm::raw_ostream &os;
    const nisa::Program *program = nullptr;
  } printer(os);
  LogicalResult result = translateToNisa(*kernel, *options, printer);
  if (succeeded(result))
    nisa::printEnd(os);
  // The buffer set above must reach `os`'s destination now: a string stream
  // (--split-input-file) is read as soon as this returns.
  os.flush();
  return result;
}

static LogicalResult
readNisa(const std::shared_ptr<llvm::SourceMgr> &sourceMgr,
         llvm::function_ref<void(const nisa::Program &)> use) {
  const llvm::MemoryBuffer *buffer =
      sourceMgr->getMemoryBuffer(sourceMgr->getMainFileID());
  llvm::Expected<nisa::Program> program =
      nisa::parse(buffer->getBuffer(), buffer->getBufferIdentifier());
  if (!program) {
    llvm::errs() << llvm::toString(program.takeError()) << "\n";
    return failure();
  }
  use(*program);
  return success();
}

void mlir::nki::registerNisaTranslations() {
  static TranslateFromMLIRRegistration toNisa(
      "nki-to-nisa",
      "lower an nki kernel to a NeuronCore instruction stream (.nisa)",
      emitNisa, [](DialectRegistry &registry) {
        registry.insert<arith::ArithDialect, func::FuncDialect,
                        memref::MemRefDialect, scf::SCFDialect, NkiDialect,
                        mamba::MambaDialect>();
      });
  static TranslateRegistration roundTrip(
      "nisa-roundtrip", "parse a .nisa stream and print it again",
      [](const std::shared_ptr<llvm::SourceMgr> &sourceMgr,
         llvm::raw_ostream &os, MLIRContext *) {
        return readNisa(sourceMgr,
                        [&](const nisa::Program &p) { nisa::print(p, os); });
      });
  static TranslateRegistration stats(
      "nisa-stats",
      "print instruction counts per queue, SBUF/PSUM peaks and spill traffic "
      "of a .nisa stream",
      [](const std::shared_ptr<llvm::SourceMgr> &sourceMgr,
         llvm::raw_ostream &os, MLIRContext *) {
        return readNisa(sourceMgr, [&](const nisa::Program &p) {
          nisa::printStats(p, os);
        });
      });
}
