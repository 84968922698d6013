//===- Unroller.cpp - executing a StepProgram into instructions -----------===//

#include "Unroller.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::nki::backend;

InstructionSink::~InstructionSink() = default;

Unroller::Unroller(func::FuncOp func, const StepProgram &program,
                   BufferTable &buffers, int64_t maxInstructions)
    : func(func), program(program), buffers(buffers),
      maxInstructions(maxInstructions), ints(program.numIntSlots, 0),
      views(program.numViewSlots) {}

LogicalResult Unroller::run(InstructionSink &sink, bool isReplay,
                            nisa::LoopContexts *loopContexts) {
  replay = isReplay;
  contexts = loopContexts;
  open.clear();
  buffersMade = 0;
  emitted = 0;
  iterations = 0;
  onesBuffer = -1;
  nextIoQueue = 0;
  for (size_t t = 0; t < program.argViews.size(); ++t)
    views[t] = program.argViews[t];
  return exec(0, uint32_t(program.steps.size()), sink);
}

LogicalResult Unroller::exec(uint32_t begin, uint32_t end,
                             InstructionSink &sink) {
  for (uint32_t i = begin; i < end; ++i) {
    const Step &s = program.steps[i];
    LogicalResult result = success();
    switch (s.kind) {
    case StepKind::arith:
      result = execArith(s);
      break;
    case StepKind::loop:
      result = execLoop(i, sink);
      i = s.end - 1;
      break;
    case StepKind::subview:
      result = execSubview(s);
      break;
    case StepKind::expand:
      result = execExpand(s);
      break;
    case StepKind::alloc:
      result = execAlloc(i);
      break;
    case StepKind::nki:
      result = lowerNki(program.nkiSteps[s.nki], sink);
      break;
    }
    if (failed(result))
      return failure();
  }
  return success();
}

LogicalResult Unroller::execArith(const Step &s) {
  // Two's complement, as arith defines it (no C++ overflow).
  int64_t a = get(s.lhs), b = get(s.rhs), r = 0;
  uint64_t ua = uint64_t(a), ub = uint64_t(b);
  switch (s.arith) {
  case ArithKind::add:
    r = int64_t(ua + ub);
    break;
  case ArithKind::sub:
    r = int64_t(ua - ub);
    break;
  case ArithKind::mul:
    r = int64_t(ua * ub);
    break;
  case ArithKind::div:
  case ArithKind::rem:
    if (b == 0)
      return s.op->emitError("index arithmetic error (division by zero)");
    if (b == -1) // INT64_MIN / -1 wraps
      r = s.arith == ArithKind::div ? int64_t(0 - ua) : 0;
    else
      r = s.arith == ArithKind::div ? a / b : a % b;
    break;
  case ArithKind::min:
    r = std::min(a, b);
    break;
  case ArithKind::max:
    r = std::max(a, b);
    break;
  case ArithKind::cast:
    r = a;
    break;
  }
  ints[s.result] = r;
  return success();
}

LogicalResult Unroller::execLoop(uint32_t i, InstructionSink &sink) {
  const Step &s = program.steps[i];
  int64_t lb = get(s.lb), ub = get(s.ub), step = get(s.step);
  if (step <= 0)
    return s.op->emitError("loop step must be positive, got ") << step;
  // Trip count without overflow; the iterations of all loops are
  // limited too, so that loops emitting nothing cannot run for ever.
  uint64_t span = ub > lb ? uint64_t(ub) - uint64_t(lb) : 0;
  uint64_t trips = span / uint64_t(step) + (span % uint64_t(step) != 0);
  iterations += trips;
  if (trips > maxIterations() || iterations > maxIterations())
    return s.op->emitError("the loops run more than ")
           << maxIterations()
           << " iterations in all (8 per allowed instruction); raise "
              "the limit with --nisa-max-instructions";
  open.push_back({{s.loopName, 0}, 0});
  for (uint64_t k = 0; k < trips; ++k) {
    ints[s.result] = int64_t(uint64_t(lb) + k * uint64_t(step));
    // Iterations past 2^32 - 1 keep that number (an instruction in each
    // would exceed the stream's 2^32 limit first).
    open.back().level.iteration = uint32_t(std::min<uint64_t>(k, UINT32_MAX));
    open.back().ctx = 0;
    if (failed(exec(i + 1, s.end, sink)))
      return failure();
  }
  open.pop_back();
  return success();
}

uint32_t Unroller::currentContext() {
  if (!contexts || open.empty())
    return 0;
  if (!open.back().ctx) {
    llvm::SmallVector<nisa::LoopLevel, 8> levels;
    for (const OpenLoop &l : open)
      levels.push_back(l.level);
    open.back().ctx = contexts->add(levels);
  }
  return open.back().ctx;
}

LogicalResult Unroller::execSubview(const Step &s) {
  const View &src = views[s.source];
  View v;
  v.isHbm = src.isHbm;
  v.id = src.id;
  v.dtype = src.dtype;
  v.offset = src.offset;
  for (unsigned d = 0; d < s.sourceRank; ++d) {
    int64_t off = get(s.offsets[d]), size = get(s.sizes[d]),
            stride = get(s.strides[d]), last = 0, scaled = 0;
    if (stride <= 0)
      return s.op->emitError("view strides must be positive, got ")
             << stride << " in dim " << d;
    if (off < 0 || size < 0 ||
        llvm::MulOverflow(std::max<int64_t>(size - 1, 0), stride, last) ||
        llvm::AddOverflow(last, off, last) || last >= src.sizes[d])
      return s.op->emitError("view [")
             << off << ", +" << size << "] is out of bounds of dim " << d
             << " (size " << src.sizes[d] << ")";
    if (llvm::MulOverflow(stride, src.strides[d], scaled))
      return s.op->emitError("view stride ")
             << stride << " in dim " << d << " overflows 64 bits";
    v.offset += off * src.strides[d]; // within the source: no overflow
    if (!(s.dropped & (1u << d))) {
      v.sizes[v.rank] = size;
      v.strides[v.rank] = scaled;
      ++v.rank;
    }
  }
  views[s.result] = v;
  return success();
}

LogicalResult Unroller::execExpand(const Step &s) {
  // Each source dim splits into its group of result dims, outermost first:
  // a dim's stride is the source dim's times the sizes of the group's dims
  // inside it.
  const View &src = views[s.source];
  View v = src;
  v.rank = s.rank;
  for (int k = int(s.rank) - 1; k >= 0; --k) {
    unsigned d = s.groupOf[size_t(k)];
    bool innermost = k + 1 == int(s.rank) || s.groupOf[size_t(k) + 1] != d;
    v.sizes[size_t(k)] = s.sizes[size_t(k)].value;
    v.strides[size_t(k)] =
        innermost ? src.strides[d]
                  : v.strides[size_t(k) + 1] * v.sizes[size_t(k) + 1];
  }
  views[s.result] = v;
  return success();
}

LogicalResult Unroller::execAlloc(uint32_t i) {
  const Step &s = program.steps[i];
  FailureOr<int32_t> id = newBuffer(int32_t(i), s.type);
  if (failed(id))
    return failure();
  View v = s.base;
  v.id = *id;
  views[s.result] = v;
  return success();
}

FailureOr<int32_t> Unroller::newBuffer(int32_t origin, int32_t type) {
  Operation *op = program.steps[origin].op;
  int32_t id = int32_t(buffersMade++);
  if (!replay) {
    if (buffersMade > uint64_t(INT32_MAX))
      return op->emitError("more than 2^31 buffer instances");
    Buffer b;
    b.type = type;
    b.origin = origin;
    const BufferType &t = buffers.types[type];
    b.unitElems = t.blocks > 0 ? t.blockElems : 0;
    buffers.buffers.push_back(b);
  } else if (size_t(id) >= buffers.buffers.size() ||
             buffers.buffers[id].type != type) {
    return op->emitError("internal error: the second unrolling diverged from "
                         "the first");
  }
  return id;
}

LogicalResult Unroller::pattern(Operation *op, const View &v,
                                nisa::AccessPattern &ap, int32_t &bufferId) {
  ap.dtype = v.dtype;
  // Free dims (of size > 1), merging contiguous ones: (a, s*b) (b, s) ->
  // (a*b, s).
  std::array<std::pair<int64_t, int64_t>, kMaxRank> merged;
  int rank = 0;
  for (int d = 1; d < v.rank; ++d) {
    if (v.sizes[d] == 1)
      continue;
    if (rank > 0 && merged[rank - 1].second == v.sizes[d] * v.strides[d]) {
      merged[rank - 1] = {merged[rank - 1].first * v.sizes[d], v.strides[d]};
      continue;
    }
    merged[rank++] = {v.sizes[d], v.strides[d]};
  }
  if (rank == 0)
    merged[rank++] = {1, 1};
  if (rank > nisa::kMaxFreeDims)
    return op->emitError("access pattern needs more than ")
           << nisa::kMaxFreeDims << " free dims";
  ap.rank = uint8_t(rank);
  for (int i = 0; i < rank; ++i) {
    if (merged[i].first > INT32_MAX || merged[i].second > INT32_MAX ||
        merged[i].second < 0)
      return op->emitError("access pattern dims exceed 32 bits");
    ap.sizes[i] = int32_t(merged[i].first);
    ap.strides[i] = int32_t(merged[i].second);
  }
  int64_t rows = v.rank == 0 ? 1 : v.sizes[0];
  if (v.isHbm) {
    ap.space = nisa::Space::hbm;
    ap.tensor = int16_t(v.id);
    ap.partCount = int32_t(rows);
    ap.partStride = v.rank == 0 ? 0 : v.strides[0];
    ap.offset = v.offset;
    bufferId = -1;
    return success();
  }
  const BufferType &t = buffers.typeOf(buffers.buffers[v.id]);
  ap.space = t.space;
  if (rows > 1 && v.strides[0] != t.rowElems)
    return op->emitError("view's dim 0 is not the partition dim of its "
                         "buffer");
  // Usually the view starts in partition 0: no division.
  ap.partStart = v.offset < t.rowElems ? 0 : int32_t(v.offset / t.rowElems);
  ap.partCount = int32_t(rows);
  // Elements, until allocation.
  ap.offset = v.offset < t.rowElems ? v.offset : v.offset % t.rowElems;
  bufferId = v.id;
  return success();
}

LogicalResult Unroller::emit(VInstr &vi, Operation *op, InstructionSink &sink) {
  vi.in.ctx = currentContext();
  auto deliver = [&](VInstr &in) -> LogicalResult {
    if (int64_t(++emitted) > maxInstructions)
      return op->emitError("the unrolled instruction stream exceeds ")
             << maxInstructions
             << " instructions; raise the limit with --nisa-max-instructions";
    return sink.consume(in, op);
  };
  // A DMA or memset over several windows of a windowed buffer: one
  // instruction per window.
  int role = splittableRole(vi.in);
  if (role < 0 || vi.buffer[role] < 0 ||
      !buffers.buffers[vi.buffer[role]].windowed ||
      buffers.buffers[vi.buffer[role]].unitElems <= 0)
    return deliver(vi);
  int64_t window = buffers.buffers[vi.buffer[role]].unitElems;
  const nisa::AccessPattern &whole = *roleAP(vi.in, role);
  int64_t lo = whole.offset, hi = whole.offset + whole.sizes[0];
  if (lo / window == (hi - 1) / window)
    return deliver(vi);
  int otherRole = role == kDst ? kSrc0 : kDst; // a DMA's off-chip side
  for (int64_t start = lo; start < hi;) {
    int64_t end = std::min(hi, (start / window + 1) * window);
    VInstr piece = vi;
    nisa::AccessPattern &onChip = *roleAP(piece.in, role);
    onChip.offset = start;
    onChip.sizes[0] = int32_t(end - start);
    if (piece.in.opcode == nisa::Opcode::dma) {
      nisa::AccessPattern &offChip = *roleAP(piece.in, otherRole);
      offChip.offset += (start - lo) * offChip.strides[0];
      offChip.sizes[0] = int32_t(end - start);
    }
    if (failed(deliver(piece)))
      return failure();
    start = end;
  }
  return success();
}

Operation *Unroller::opOfInstruction(uint64_t index) {
  // Unrolls again and stops at instruction `index`.
  struct Finder : InstructionSink {
    explicit Finder(uint64_t index) : index(index) {}
    LogicalResult consume(VInstr &, Operation *op) override {
      if (seen++ != index)
        return success();
      found = op;
      return failure(); // stop here; nothing to report
    }
    uint64_t index, seen = 0;
    Operation *found = nullptr;
  } finder(index);
  (void)run(finder, /*replay=*/true);
  return finder.found ? finder.found : func.getOperation();
}
