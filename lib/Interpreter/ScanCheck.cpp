//===- ScanCheck.cpp - nki-run --check ------------------------------------===//
//
// Which selective scan a stream is, from its tensors: the names of
// KernelRoles.h say what each tensor is, the ranks of B and C their forms,
// and the kernel line whether delta goes through a softplus. Every shape
// is checked before the run, so that a wrong one is an error naming it,
// never an out-of-bounds read of the reference.
//
//===----------------------------------------------------------------------===//

#include "ScanCheck.h"
#include "Memory.h"

#include "mamba-nki/Interpreter/Run.h"
#include "mamba-nki/Support/KernelRoles.h"

#include "llvm/Support/Format.h"

using namespace llvm;
using namespace nki_run;

namespace {
Error error(const Twine &message) {
  return createStringError(std::make_error_code(std::errc::invalid_argument),
                           message.str());
}
Error fail(const Twine &message) { return error("--check: " + message); }

std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "x" : "") + std::to_string(shape[i]);
  return s;
}

/// "[batch, channels, seq_len] = [1, 4, 5]".
std::string expected(StringRef dims, ArrayRef<int64_t> sizes) {
  std::string s = ("[" + dims + "] = [").str();
  for (size_t i = 0; i < sizes.size(); ++i)
    s += (i ? ", " : "") + std::to_string(sizes[i]);
  return s + "]";
}

std::string tensorNames(const nisa::Program &program) {
  std::string names;
  for (const nisa::TensorDecl &t : program.tensors)
    names += (names.empty() ? "" : ", ") + t.name;
  return names;
}

class Recognizer {
public:
  explicit Recognizer(const nisa::Program &program) : program(program) {}
  Expected<ScanKernel> run();

private:
  /// The tensor of a role, which must be an input (or, `output`, an
  /// output); -1 when absent and not `required`.
  Expected<int> find(StringRef name, bool required, bool output = false);
  /// Its shape must be `sizes` (named `dims` in the message).
  Error expectShape(int index, StringRef dims, ArrayRef<int64_t> sizes);
  /// B or C: the form from the rank, then the sizes of that form.
  Error projection(int index, ProjectionForm &form, int64_t &groups);
  ArrayRef<int64_t> shape(int index) const {
    return program.tensors[size_t(index)].shape;
  }

  const nisa::Program &program;
  ScanKernel k;
};
} // namespace

Expected<int> Recognizer::find(StringRef name, bool required, bool output) {
  int index = program.findTensor(name);
  if (index < 0) {
    if (required)
      return error("--check needs a selective-scan kernel with tensors "
                   "delta, u, A, "
                   "B, C and out; it has no '" +
                   name + "' (its tensors: " + tensorNames(program) + ")");
    return -1;
  }
  const nisa::TensorDecl &t = program.tensors[size_t(index)];
  if (output ? !t.isOutput : !t.isInput)
    return fail("tensor '" + name + "' must be " +
                (output ? "an output" : "an input") + " of the kernel");
  return index;
}

Error Recognizer::expectShape(int index, StringRef dims,
                              ArrayRef<int64_t> sizes) {
  if (index < 0 || shape(index) == sizes)
    return Error::success();
  const nisa::TensorDecl &t = program.tensors[size_t(index)];
  return fail(t.name + " must be " + expected(dims, sizes) + ", got " +
              shapeString(t.shape));
}

Error Recognizer::projection(int index, ProjectionForm &form, int64_t &groups) {
  const nisa::TensorDecl &t = program.tensors[size_t(index)];
  ArrayRef<int64_t> s = t.shape;
  switch (s.size()) {
  case 2:
    form = ProjectionForm::constant;
    return expectShape(index, "channels, state", {k.channels, k.state});
  case 3:
    form = ProjectionForm::variable;
    return expectShape(index, "batch, state, seq_len",
                       {k.batch, k.state, k.seqLen});
  case 4:
    form = ProjectionForm::grouped;
    groups = s[1];
    if (k.channels % groups != 0)
      return fail(t.name + " is grouped [batch, groups, state, seq_len] = " +
                  shapeString(s) + ", but its " + Twine(groups) +
                  " groups do not divide the " + Twine(k.channels) +
                  " channels");
    return expectShape(index, "batch, groups, state, seq_len",
                       {k.batch, groups, k.state, k.seqLen});
  default:
    return fail(t.name +
                " must be [batch, state, seq_len] (variable), [batch, "
                "groups, state, seq_len] (grouped) or [channels, state] "
                "(constant), got " +
                shapeString(s));
  }
}

Expected<ScanKernel> Recognizer::run() {
  using namespace mamba_roles;
  struct Role {
    StringRef name;
    int *index;
    bool required, output;
  };
  Role roles[] = {
      {kDelta, &k.delta, true, false},
      {kU, &k.u, true, false},
      {kA, &k.A, true, false},
      {kB, &k.B, true, false},
      {kC, &k.C, true, false},
      {kOut, &k.out, true, true},
      {kD, &k.D, false, false},
      {kZ, &k.z, false, false},
      {kDeltaBias, &k.deltaBias, false, false},
      {kInitialState, &k.initialState, false, false},
      {kFinalState, &k.finalState, false, true},
  };
  for (Role &r : roles) {
    Expected<int> index = find(r.name, r.required, r.output);
    if (!index)
      return index.takeError();
    *r.index = *index;
  }
  ArrayRef<int64_t> d = shape(k.delta), a = shape(k.A);
  if (d.size() != 3)
    return fail("delta must be [batch, channels, seq_len], got " +
                shapeString(d));
  k.batch = d[0];
  k.channels = d[1];
  k.seqLen = d[2];
  if (a.size() != 2 || a[0] != k.channels)
    return fail("A must be [channels, state] with delta's " +
                Twine(k.channels) + " channels, got " + shapeString(a));
  k.state = a[1];
  SmallVector<int64_t, 3> bcl = {k.batch, k.channels, k.seqLen},
                          bcn = {k.batch, k.channels, k.state};
  StringRef bclDims = "batch, channels, seq_len",
            bcnDims = "batch, channels, state";
  if (Error e = expectShape(k.u, bclDims, bcl))
    return std::move(e);
  if (Error e = expectShape(k.out, bclDims, bcl))
    return std::move(e);
  if (Error e = projection(k.B, k.bForm, k.bGroups))
    return std::move(e);
  if (Error e = projection(k.C, k.cForm, k.cGroups))
    return std::move(e);
  if (Error e = expectShape(k.D, "channels", {k.channels}))
    return std::move(e);
  if (Error e = expectShape(k.z, bclDims, bcl))
    return std::move(e);
  if (Error e = expectShape(k.deltaBias, "channels", {k.channels}))
    return std::move(e);
  if (Error e = expectShape(k.initialState, bcnDims, bcn))
    return std::move(e);
  if (Error e = expectShape(k.finalState, bcnDims, bcn))
    return std::move(e);
  k.deltaSoftplus = program.kernel && program.kernel->deltaSoftplus;
  return k;
}

Expected<ScanKernel> nki_run::recognizeScan(const nisa::Program &program) {
  return Recognizer(program).run();
}

Error nki_run::checkScan(
    const nisa::Program &program, const ScanKernel &k, const Machine &machine,
    const std::map<std::string, std::vector<float>> &inputs,
    std::optional<double> rtol, std::optional<double> atol, raw_ostream &os) {
  // The inputs as the kernel saw them: a bf16 tensor holds them rounded.
  std::vector<std::vector<float>> seen(program.tensors.size());
  auto input = [&](int index) -> ArrayRef<float> {
    const nisa::TensorDecl &t = program.tensors[size_t(index)];
    const std::vector<float> &given = inputs.at(t.name);
    if (t.dtype == nisa::DType::f32)
      return given;
    std::vector<float> &rounded = seen[size_t(index)];
    rounded.resize(given.size());
    for (size_t i = 0; i < given.size(); ++i)
      rounded[i] = bf16ToFloat(floatToBf16(given[i]));
    return rounded;
  };
  auto optional = [&](int index) -> std::optional<ArrayRef<float>> {
    if (index < 0)
      return std::nullopt;
    return input(index);
  };
  ScanInputs in;
  in.batch = k.batch;
  in.channels = k.channels;
  in.seqLen = k.seqLen;
  in.state = k.state;
  in.delta = input(k.delta);
  in.u = input(k.u);
  in.A = input(k.A);
  in.B = {input(k.B), k.bForm, k.bGroups};
  in.C = {input(k.C), k.cForm, k.cGroups};
  in.D = optional(k.D);
  in.z = optional(k.z);
  in.deltaBias = optional(k.deltaBias);
  in.initialState = optional(k.initialState);
  in.deltaSoftplus = k.deltaSoftplus;
  ScanResult ref = referenceSelectiveScan(in);

  bool pass = true;
  auto check = [&](int index, ArrayRef<float> expected, StringRef label) {
    const nisa::TensorDecl &t = program.tensors[size_t(index)];
    bool bf16 = t.dtype == nisa::DType::bf16;
    double r = rtol ? *rtol : bf16 ? kBf16Rtol : kF32Rtol;
    double a = atol ? *atol : bf16 ? kBf16Atol : kF32Atol;
    std::vector<float> result = machine.getTensor(size_t(index));
    Comparison cmp = compare(result, expected, r, a);
    pass &= cmp.failures == 0;
    os << format("check: %s %smax_abs_err=%.3g max_rel_err=%.3g "
                 "(rtol %.3g, atol %.3g; %zu of %zu elements outside)\n",
                 cmp.failures == 0 ? (const char *)"PASS"
                                   : (const char *)"FAIL",
                 label.str().c_str(), cmp.maxAbsErr, cmp.maxRelErr, r, a,
                 cmp.failures, result.size());
  };
  // `out` keeps the line it always had; the others are named.
  check(k.out, ref.out, "");
  if (k.finalState >= 0)
    check(k.finalState, ref.finalState, "final_state ");
  if (!pass)
    return make_error<CheckFailed>();
  return Error::success();
}
