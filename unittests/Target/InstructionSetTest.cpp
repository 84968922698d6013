//===- InstructionSetTest.cpp - what InstructionSet.def expands to --------===//
//
// The tables derived from InstructionSet.def: spellings round trip, each
// opcode's fields and queues are what docs/nisa.md and the validator say,
// and the parser's and validator's messages name the rule broken.

#include "mamba-nki/Target/Nisa/InstructionSet.h"
#include "mamba-nki/Target/Nisa/Program.h"

#include "gtest/gtest.h"

using namespace nisa;

namespace {

template <typename E>
void expectRoundTrip(int count,
                     std::optional<E> (*symbolize)(llvm::StringRef)) {
  for (int i = 0; i < count; ++i) {
    E value = E(i);
    EXPECT_EQ(symbolize(stringify(value)), value) << stringify(value).str();
  }
  EXPECT_EQ(symbolize("nonsense"), std::nullopt);
}

TEST(InstructionSetTest, SpellingsRoundTrip) {
  expectRoundTrip<DType>(kNumDTypes, symbolizeDType);
  expectRoundTrip<Queue>(kNumQueues, symbolizeQueue);
  expectRoundTrip<Alu>(kNumAlus, symbolizeAlu);
  expectRoundTrip<Act>(kNumActs, symbolizeAct);
  expectRoundTrip<Field>(kNumFields, symbolizeField);
  expectRoundTrip<Opcode>(kNumOpcodes, symbolizeOpcode);
  EXPECT_EQ(stringify(Queue::spill), "qSyncSpillReload0");
  EXPECT_EQ(stringify(Space::scratch), "scratch");
  EXPECT_EQ(elementBytes(DType::bf16), 2);
  EXPECT_EQ(elementBytes(DType::f32), 4);
  EXPECT_EQ(engineName(Queue::pool), "GpSimdE");
  EXPECT_EQ(engineName(Queue::io2), "");
  for (int q = 0; q < kNumQueues; ++q)
    EXPECT_EQ(isDmaQueue(Queue(q)), engineName(Queue(q)).empty());
}

/// "func dst data scale [bias]": an opcode's fields in order, optional ones
/// in brackets.
std::string fields(Opcode opcode) {
  std::string text;
  for (const Operand &o : getOpcodeInfo(opcode).operands) {
    std::string name = stringify(o.field).str();
    text += (text.empty() ? "" : " ") +
            (o.use == OperandUse::Required ? name : "[" + name + "]");
  }
  return text;
}

TEST(InstructionSetTest, FieldsFollowTheFormat) {
  // docs/nisa.md, "Opcodes and fields".
  EXPECT_EQ(fields(Opcode::dma), "dst src");
  EXPECT_EQ(fields(Opcode::activation), "func dst data scale [bias]");
  EXPECT_EQ(fields(Opcode::tensor_scalar),
            "dst data op0 arg0 [rev0] [op1] [arg1] [rev1]");
  EXPECT_EQ(fields(Opcode::tensor_tensor), "op dst src0 src1");
  EXPECT_EQ(fields(Opcode::tensor_tensor_scan), "op0 op1 dst src0 src1 init");
  EXPECT_EQ(fields(Opcode::tensor_copy), "dst src");
  EXPECT_EQ(fields(Opcode::memset), "dst value");
  EXPECT_EQ(fields(Opcode::matmul), "dst stationary moving [acc]");
  EXPECT_EQ(slotOf(Field::stationary), FieldSlot::Src0);
  EXPECT_EQ(slotOf(Field::acc), FieldSlot::Rev0); // a flag, held in rev0
  EXPECT_EQ(slotOf(Field::moving), FieldSlot::Src1);
  EXPECT_EQ(slotOf(Field::init), FieldSlot::Scalar0);
}

TEST(InstructionSetTest, QueuesThatRunEachOpcode) {
  auto queues = [](Opcode o) {
    std::string text;
    for (int q = 0; q < kNumQueues; ++q)
      if (getOpcodeInfo(o).queues & on(Queue(q)))
        text += (text.empty() ? "" : " ") + stringify(Queue(q)).str();
    return text;
  };
  EXPECT_EQ(queues(Opcode::dma),
            "qSyncIO0 qSyncIO1 qSyncIO2 qSyncIO3 qSyncSpillReload0");
  EXPECT_EQ(queues(Opcode::activation), "act");
  EXPECT_EQ(queues(Opcode::tensor_tensor_scan), "dve");
  EXPECT_EQ(queues(Opcode::matmul), "pe");
  // NKI: tensor_tensor and memset on VectorE or GpSimdE; tensor_scalar and
  // tensor_copy on any of the three element-wise engines.
  for (Opcode o : {Opcode::tensor_tensor, Opcode::memset})
    EXPECT_EQ(queues(o), "dve pool") << stringify(o).str();
  for (Opcode o : {Opcode::tensor_scalar, Opcode::tensor_copy})
    EXPECT_EQ(queues(o), "act dve pool") << stringify(o).str();
}

/// The parser's error for one instruction line after a minimal header.
std::string parseError(const std::string &line) {
  std::string text = "nisa 1\ntarget trn1\ntensor x input f32 128x64\n"
                     "scratch 0\nsbuf_peak 0\npsum_peak 0\ninstructions 1\n" +
                     line + "\nend\n";
  llvm::Expected<Program> p = parse(text, "t");
  if (p)
    return "";
  return llvm::toString(p.takeError());
}

TEST(InstructionSetTest, QueueRulesNameTheRuleBroken) {
  const std::string ap = "sbuf[0+128]@0x0{4}.f32";
  EXPECT_EQ(parseError("0 pe activation func=exp dst=" + ap + " data=" + ap +
                       " scale=1 sig=1"),
            "t:8:1: error: activation runs on act (ScalarE) only");
  EXPECT_EQ(parseError("0 dve matmul dst=psum[0+4]@0x0{4}.f32 "
                       "stationary=sbuf[0+1]@0x0{4}.f32 "
                       "moving=sbuf[0+1]@0x0{4}.f32 sig=1"),
            "t:8:1: error: matmul runs on pe (TensorE) only");
  EXPECT_EQ(parseError("0 pe tensor_copy dst=" + ap + " src=" + ap + " sig=1"),
            "t:8:1: error: pe (TensorE) runs matmul only");
  EXPECT_EQ(parseError("0 pool tensor_tensor_scan op0=multiply op1=add dst=" +
                       ap + " src0=" + ap + " src1=" + ap + " init=0 sig=1"),
            "t:8:1: error: tensor_tensor_scan runs on dve (VectorE) only");
  // The opcode's rule before the queue's: TensorE runs only matmul, but the
  // scan's own rule is the one to follow.
  EXPECT_EQ(parseError("0 pe tensor_tensor_scan op0=multiply op1=add dst=" +
                       ap + " src0=" + ap + " src1=" + ap + " init=0 sig=1"),
            "t:8:1: error: tensor_tensor_scan runs on dve (VectorE) only");
  EXPECT_EQ(parseError("0 qSyncIO0 memset dst=" + ap + " value=0 sig=1"),
            "t:8:1: error: memset runs on dve (VectorE) or pool (GpSimdE), "
            "not qSyncIO0");
  EXPECT_EQ(parseError("0 act tensor_tensor op=add dst=" + ap + " src0=" + ap +
                       " src1=" + ap + " sig=1"),
            "t:8:1: error: tensor_tensor runs on dve (VectorE) or pool "
            "(GpSimdE), not act (ScalarE)");
  EXPECT_EQ(
      parseError("0 act dma dst=" + ap + " src=hbm.x[128*64]@0{4}.f32 sig=1"),
      "t:8:1: error: dma runs on qSyncIO0, qSyncIO1, qSyncIO2, qSyncIO3 or "
      "qSyncSpillReload0, not act (ScalarE)");
}

TEST(InstructionSetTest, RequiredAndPairedFields) {
  const std::string ap = "sbuf[0+128]@0x0{4}.f32";
  EXPECT_EQ(
      parseError("0 act activation func=exp dst=" + ap + " scale=1 sig=1"),
      "t:8:7: error: activation needs field 'data'");
  EXPECT_EQ(parseError("0 dve tensor_scalar dst=" + ap + " data=" + ap +
                       " op0=add arg0=1 op1=add sig=1"),
            "t:8:7: error: tensor_scalar needs both 'op1' and 'arg1' or "
            "neither");
  EXPECT_EQ(parseError("0 dve memset dst=" + ap + " value=0"),
            "t:8:7: error: instruction needs field 'sig'");
  EXPECT_EQ(parseError("0 dve memset dst=" + ap + " value=0 value=1 sig=1"),
            "t:8:49: error: duplicate field 'value'");
  EXPECT_EQ(parseError("0 dve memset dst=" + ap + " colour=red sig=1"),
            "t:8:41: error: unknown field 'colour'");
}

} // namespace
