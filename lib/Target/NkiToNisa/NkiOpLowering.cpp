//===- NkiOpLowering.cpp - how each nki op becomes instructions -----------===//
//
// Per nki op, two halves: at compile time (StepCompiler::compileNki) the
// instruction template, with everything static in it (opcode, engine queue,
// attributes, immediates, location) and the view slot of each operand; at
// unroll time (Unroller::lowerNki) the template with the operands' access
// patterns. Every op is one instruction (nki.matmul the stream's matmul)
// except nki.partition_broadcast, which becomes TensorE matmuls of a ones
// row (Unroller::lowerBroadcast).
//
//===----------------------------------------------------------------------===//

#include "StepCompiler.h"
#include "Unroller.h"

#include "mamba-nki/Target/Nisa/NkiEnums.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::nki;
using namespace mlir::nki::backend;

//===----------------------------------------------------------------------===//
// Compile time: the instruction template
//===----------------------------------------------------------------------===//

LogicalResult StepCompiler::setOperand(NkiStep &ns, int role, Value v) {
  FailureOr<int32_t> slot = viewSlot(ns.op, v);
  if (failed(slot))
    return failure();
  ns.operand[role] = *slot;
  return success();
}

LogicalResult StepCompiler::setScalar(NkiStep &ns, int role, nisa::Scalar &slot,
                                      Value v, FloatAttr imm) {
  if (v) {
    slot.isImmediate = false;
    return setOperand(ns, role, v);
  }
  slot.isImmediate = true;
  slot.value = imm ? float(imm.getValueAsDouble()) : 1.0f;
  return success();
}

LogicalResult StepCompiler::compileNki(Operation *op) {
  NkiStep ns;
  ns.op = op;
  ns.operand.fill(-1);
  LogicalResult result =
      llvm::TypeSwitch<Operation *, LogicalResult>(op)
          .Case<LoadOp, StoreOp, MemsetOp, ActivationOp, TensorScalarOp,
                TensorTensorOp, TensorTensorScanOp, TensorCopyOp,
                PartitionBroadcastOp, MatmulOp>(
              [&](auto op) { return lower(ns, op); })
          .Default([](Operation *op) {
            return op->emitError("cannot translate '") << op->getName() << "'";
          });
  if (failed(result))
    return failure();
  // Without a NameLoc (IR printed without debug info), an instruction is
  // named after the buffer it writes.
  ns.loc = location(op->getLoc(), slotRootNames[ns.operand[kDst]]);
  Step s;
  s.kind = StepKind::nki;
  s.op = op;
  s.nki = int32_t(program.nkiSteps.size());
  ns.step = int32_t(program.steps.size());
  program.nkiSteps.push_back(ns);
  program.steps.push_back(s);
  return success();
}

LogicalResult StepCompiler::lowerDma(NkiStep &ns, Operation *op) {
  // Loads and stores: operand 0 is the source, operand 1 the destination.
  ns.tmpl.opcode = nisa::Opcode::dma;
  ns.ioQueue = true;
  ns.tmpl.numSrcs = 1;
  return success(succeeded(setOperand(ns, kDst, op->getOperand(1))) &&
                 succeeded(setOperand(ns, kSrc0, op->getOperand(0))));
}

LogicalResult StepCompiler::lower(NkiStep &ns, MemsetOp op) {
  nisa::Instruction &in = ns.tmpl;
  in.opcode = nisa::Opcode::memset;
  in.queue = nisa::toNisa(op.getEffectiveEngine());
  in.value = float(op.getValue().convertToDouble());
  return setOperand(ns, kDst, op.getDst());
}

LogicalResult StepCompiler::lower(NkiStep &ns, ActivationOp op) {
  nisa::Instruction &in = ns.tmpl;
  in.opcode = nisa::Opcode::activation;
  in.queue = nisa::Queue::act;
  in.func = nisa::toNisa(op.getFunc());
  in.numSrcs = 1;
  if (failed(setOperand(ns, kDst, op.getDst())) ||
      failed(setOperand(ns, kSrc0, op.getData())) ||
      failed(setScalar(ns, kScalar0, in.scalar0, op.getScale(),
                       op.getScaleImmAttr())))
    return failure();
  if (!op.getBias())
    return success();
  in.hasBias = true;
  return setOperand(ns, kBias, op.getBias());
}

LogicalResult StepCompiler::lower(NkiStep &ns, TensorScalarOp op) {
  nisa::Instruction &in = ns.tmpl;
  in.opcode = nisa::Opcode::tensor_scalar;
  in.queue = nisa::toNisa(op.getEffectiveEngine());
  in.numSrcs = 1;
  in.op0 = nisa::toNisa(op.getOp0());
  in.rev0 = op.getReverse0();
  if (failed(setOperand(ns, kDst, op.getDst())) ||
      failed(setOperand(ns, kSrc0, op.getData())) ||
      failed(setScalar(ns, kScalar0, in.scalar0, op.getOperand0(),
                       op.getImm0Attr())))
    return failure();
  if (!op.getOp1())
    return success();
  in.hasOp1 = true;
  in.op1 = nisa::toNisa(*op.getOp1());
  in.rev1 = op.getReverse1();
  return setScalar(ns, kScalar1, in.scalar1, op.getOperand1(),
                   op.getImm1Attr());
}

LogicalResult StepCompiler::lower(NkiStep &ns, TensorTensorOp op) {
  nisa::Instruction &in = ns.tmpl;
  in.opcode = nisa::Opcode::tensor_tensor;
  in.queue = nisa::toNisa(op.getEffectiveEngine());
  in.op0 = nisa::toNisa(op.getOp());
  in.numSrcs = 2;
  return success(succeeded(setOperand(ns, kDst, op.getDst())) &&
                 succeeded(setOperand(ns, kSrc0, op.getLhs())) &&
                 succeeded(setOperand(ns, kSrc1, op.getRhs())));
}

LogicalResult StepCompiler::lower(NkiStep &ns, TensorTensorScanOp op) {
  nisa::Instruction &in = ns.tmpl;
  in.opcode = nisa::Opcode::tensor_tensor_scan;
  in.queue = nisa::Queue::dve;
  in.op0 = nisa::toNisa(op.getOp0());
  in.op1 = nisa::toNisa(op.getOp1());
  in.numSrcs = 2;
  ns.scan = true;
  return success(succeeded(setOperand(ns, kDst, op.getDst())) &&
                 succeeded(setOperand(ns, kSrc0, op.getData0())) &&
                 succeeded(setOperand(ns, kSrc1, op.getData1())) &&
                 succeeded(setScalar(ns, kScalar0, in.scalar0, op.getInitial(),
                                     op.getInitialImmAttr())));
}

LogicalResult StepCompiler::lower(NkiStep &ns, TensorCopyOp op) {
  nisa::Instruction &in = ns.tmpl;
  in.opcode = nisa::Opcode::tensor_copy;
  in.queue = nisa::toNisa(op.getEffectiveEngine());
  in.numSrcs = 1;
  return success(succeeded(setOperand(ns, kDst, op.getDst())) &&
                 succeeded(setOperand(ns, kSrc0, op.getSrc())));
}

LogicalResult StepCompiler::lower(NkiStep &ns, MatmulOp op) {
  // The stream's matmul: src0 = stationary, src1 = moving; `acc` (kept in
  // the instruction's flag rev0) adds to what dst holds.
  nisa::Instruction &in = ns.tmpl;
  in.opcode = nisa::Opcode::matmul;
  in.queue = nisa::Queue::pe;
  in.numSrcs = 2;
  in.rev0 = op.getAccumulate();
  return success(succeeded(setOperand(ns, kDst, op.getDst())) &&
                 succeeded(setOperand(ns, kSrc0, op.getStationary())) &&
                 succeeded(setOperand(ns, kSrc1, op.getMoving())));
}

LogicalResult StepCompiler::lower(NkiStep &ns, PartitionBroadcastOp op) {
  // No template: lowerBroadcast makes the instructions.
  ns.broadcast = true;
  if (failed(setOperand(ns, kDst, op.getDst())) ||
      failed(setOperand(ns, kSrc0, op.getSrc())))
    return failure();
  ns.tempLoc = location(op->getLoc(), "");
  ns.onesLoc = location(op->getLoc(), "ones");
  return success();
}

//===----------------------------------------------------------------------===//
// Unroll time: the instructions
//===----------------------------------------------------------------------===//

LogicalResult Unroller::lowerNki(const NkiStep &ns, InstructionSink &sink) {
  if (ns.broadcast)
    return lowerBroadcast(ns, sink);
  Operation *op = ns.op;
  VInstr vi;
  vi.buffer.fill(-1);
  vi.in = ns.tmpl;
  if (ns.ioQueue) {
    vi.in.queue = static_cast<nisa::Queue>(int(nisa::Queue::io0) + nextIoQueue);
    nextIoQueue = (nextIoQueue + 1) % nisa::kNumIoQueues;
  }
  for (int role = 0; role < kNumRoles; ++role)
    if (ns.operand[role] >= 0)
      if (failed(pattern(op, views[ns.operand[role]], *roleAP(vi.in, role),
                         vi.buffer[role])))
        return failure();
  if (ns.scan &&
      (vi.in.dst.rank != 1 || vi.in.src0.rank != 1 || vi.in.src1.rank != 1))
    return op->emitError("a scan's operands must be one contiguous run of "
                         "elements per partition");
  vi.in.loc = ns.loc;
  return emit(vi, op, sink);
}

LogicalResult Unroller::lowerBroadcast(const NkiStep &ns,
                                       InstructionSink &sink) {
  // TensorE multiplies a ones row [1, P] by the source row, into PSUM.
  Operation *op = ns.op;
  VInstr vi;
  vi.buffer.fill(-1);
  nisa::AccessPattern src, dst;
  int32_t srcBuf = -1, dstBuf = -1;
  if (failed(pattern(op, views[ns.operand[kSrc0]], src, srcBuf)) ||
      failed(pattern(op, views[ns.operand[kDst]], dst, dstBuf)))
    return failure();
  if (src.rank != 1 || dst.rank != 1)
    return op->emitError("a broadcast row must be one contiguous run of "
                         "elements");
  int64_t partitions = dst.partCount;
  // The ones row: set once.
  if (onesBuffer < 0) {
    FailureOr<int32_t> id = newBuffer(ns.step, program.onesType);
    if (failed(id))
      return failure();
    onesBuffer = *id;
    reset(vi, nisa::Opcode::memset, nisa::Queue::pool, 0, ns.onesLoc);
    vi.in.value = 1.0f;
    vi.in.dst = rowsAP(nisa::Space::sbuf, 1, nisa::kPartitions);
    vi.buffer[kDst] = onesBuffer;
    if (failed(emit(vi, op, sink)))
      return failure();
  }
  nisa::AccessPattern onesAP = rowsAP(nisa::Space::sbuf, 1, partitions);
  auto matmul = [&](const nisa::AccessPattern &out, int32_t outBuf,
                    const nisa::AccessPattern &row, uint32_t loc) {
    reset(vi, nisa::Opcode::matmul, nisa::Queue::pe, 2, loc);
    vi.in.dst = out;
    vi.in.src0 = onesAP;
    vi.in.src1 = row;
    vi.buffer[kDst] = outBuf;
    vi.buffer[kSrc0] = onesBuffer;
    vi.buffer[kSrc1] = srcBuf;
    return emit(vi, op, sink);
  };
  if (dst.space == nisa::Space::psum)
    return matmul(dst, dstBuf, src, ns.loc);
  // SBUF destination: one PSUM bank at a time, then a ScalarE copy out.
  const int64_t bankElems = nisa::kPsumBankBytes / 4;
  int64_t length = dst.sizes[0];
  for (int64_t start = 0; start < length; start += bankElems) {
    int64_t chunk = std::min(bankElems, length - start);
    FailureOr<int32_t> tmp =
        newBuffer(ns.step, buffers.typeFor(nisa::Space::psum, nisa::DType::f32,
                                           {partitions, chunk}));
    if (failed(tmp))
      return failure();
    nisa::AccessPattern tmpAP = rowsAP(nisa::Space::psum, partitions, chunk);
    nisa::AccessPattern rowChunk = src;
    rowChunk.offset += start * src.strides[0];
    rowChunk.sizes[0] = int32_t(chunk);
    nisa::AccessPattern dstChunk = dst;
    dstChunk.offset += start * dst.strides[0];
    dstChunk.sizes[0] = int32_t(chunk);
    if (failed(matmul(tmpAP, *tmp, rowChunk, ns.tempLoc)))
      return failure();
    reset(vi, nisa::Opcode::tensor_copy, nisa::Queue::act, 1, ns.loc);
    vi.in.dst = dstChunk;
    vi.in.src0 = tmpAP;
    vi.buffer[kDst] = dstBuf;
    vi.buffer[kSrc0] = *tmp;
    if (failed(emit(vi, op, sink)))
      return failure();
  }
  return success();
}
