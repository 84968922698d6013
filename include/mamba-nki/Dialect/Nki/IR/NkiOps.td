//===- NkiOps.td - nki operations ---------------------------*- tablegen -*-===//

#ifndef MAMBA_NKI_DIALECT_NKI_IR_NKIOPS_TD
#define MAMBA_NKI_DIALECT_NKI_IR_NKIOPS_TD

include "mamba-nki/Dialect/Nki/IR/NkiDialect.td"
include "mamba-nki/Dialect/Nki/IR/NkiAttrs.td"
include "mamba-nki/Dialect/Nki/IR/NkiInterfaces.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

// Shapes, memory spaces and element types are checked by the op verifiers so
// that each rule gets a message naming the operand and the numbers.
defvar Nki_MemRef = AnyMemRef;

//===----------------------------------------------------------------------===//
// Engine instruction base class
//===----------------------------------------------------------------------===//

// An engine instruction: carries an optional `engine`, defaults to
// `defaultEngine`, and may only run on `engines`.
class Nki_EngineOp<string mnemonic, string defaultEngine, list<string> engines,
                   list<Trait> traits = []>
    : Nki_Op<mnemonic, traits # [Nki_EngineOpInterface]> {
  string engineList = !interleave(engines, ", ");
  let extraClassDeclaration = [{
    ::mlir::nki::Engine getDefaultEngine() {
      return ::mlir::nki::Engine::}] # defaultEngine # [{;
    }
    bool isEngineSupported(::mlir::nki::Engine engine) {
      return }] # !interleave(!foreach(e, engines,
                                       "engine == ::mlir::nki::Engine::" # e),
                              " || ") # [{;
    }
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Buffers
//===----------------------------------------------------------------------===//

def Nki_AllocOp : Nki_Op<"alloc", [
    DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmResultNames"]>]> {
  let summary = "allocate an SBUF or PSUM buffer";
  let description = [{
    Allocates an on-chip buffer. Dim 0 is the partition dimension (at most
    128 partitions); the remaining dims are laid out inside each partition, so
    NKI's `(n_tiles, par_dim(128), L)` buffer is `memref<128 x n_tiles x L>`
    here. The optional name appears in listings and profiles, and names the
    SSA result when printed (`%delta_i = nki.alloc "delta_i" : ...`).

    Rules: memory space `sbuf` or `psum`; static shape with identity layout;
    rank at least 2; f32 or bf16 elements; a PSUM buffer within PSUM's 16
    KiB per partition. An SBUF buffer may be larger than SBUF: whether the
    buffers fit is a whole-program question, answered by
    `--nki-check-capacity` and by the backend, which spills (a buffer with
    block dims `[P, blocks, free...]` one block at a time).

    ```mlir
    %d = nki.alloc "delta_i" : memref<128x512xf32, #nki.mem<sbuf>>
    ```
  }];
  let arguments = (ins OptionalAttr<StrAttr>:$name);
  let results = (outs Res<Nki_MemRef, "the buffer", [MemAlloc]>:$result);
  let assemblyFormat = "($name^)? attr-dict `:` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// DMA
//===----------------------------------------------------------------------===//

def Nki_LoadOp : Nki_Op<"load"> {
  let summary = "DMA an HBM region into an SBUF tile";
  let description = [{
    Copies the HBM view `src` into the SBUF view `dst` (same shape, same
    element type). Runs on a DMA queue chosen by the backend.

    ```mlir
    nki.load %src : memref<128x512xf32, strided<[512, 1], offset: ?>>
        into %dst : memref<128x512xf32, #nki.mem<sbuf>>
    ```
  }];
  let arguments = (ins Arg<Nki_MemRef, "HBM source", [MemRead]>:$src,
                       Arg<Nki_MemRef, "SBUF destination", [MemWrite]>:$dst);
  let assemblyFormat = [{
    $src `:` type($src) `into` $dst `:` type($dst) attr-dict
  }];
  let hasVerifier = 1;
}

def Nki_StoreOp : Nki_Op<"store"> {
  let summary = "DMA an SBUF tile into an HBM region";
  let description = [{
    Copies the SBUF view `src` into the HBM view `dst` (same shape, same
    element type). Runs on a DMA queue chosen by the backend.
  }];
  let arguments = (ins Arg<Nki_MemRef, "SBUF source", [MemRead]>:$src,
                       Arg<Nki_MemRef, "HBM destination", [MemWrite]>:$dst);
  let assemblyFormat = [{
    $src `:` type($src) `into` $dst `:` type($dst) attr-dict
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Engine instructions
//===----------------------------------------------------------------------===//

def Nki_MemsetOp : Nki_EngineOp<"memset", "vector", ["vector", "gpsimd"]> {
  let summary = "fill a tile with a constant";
  let description = [{
    `dst[p, ...] = value`. Runs on VectorE (default) or GpSimdE.

    ```mlir
    nki.memset 0.0 into %acc : memref<128x2x512xf32, #nki.mem<sbuf>>
    ```
  }];
  let arguments = (ins F32Attr:$value,
                       Arg<Nki_MemRef, "destination", [MemWrite]>:$dst,
                       OptionalAttr<Nki_EngineAttr>:$engine);
  let assemblyFormat = [{
    $value `into` $dst `:` type($dst) (`on` $engine^)? attr-dict
  }];
}

def Nki_ActivationOp : Nki_EngineOp<"activation", "scalar", ["scalar"],
                                    [AttrSizedOperandSegments]> {
  let summary = "ScalarE activation: dst = f(data * scale + bias)";
  let description = [{
    Applies `func` element-wise to `data * scale + bias`. `scale` is an fp32
    immediate (default 1.0) or a `[P, 1]` fp32 view, one value per partition
    broadcast along the free dimension; `bias` is an optional `[P, 1]` fp32
    view. Scale and bias are free (folded into the instruction). ScalarE only.

    ```mlir
    nki.activation exp(%delta : memref<128x512xf32, #nki.mem<sbuf>>)
        scale(%a : memref<128x1xf32, #nki.mem<sbuf>>)
        into %dA : memref<128x512xf32, #nki.mem<sbuf>>
    ```
  }];
  let arguments = (ins Nki_ActivationFunctionAttr:$func,
                       Arg<Nki_MemRef, "input", [MemRead]>:$data,
                       Arg<Optional<Nki_MemRef>, "per-partition scale",
                           [MemRead]>:$scale,
                       OptionalAttr<F32Attr>:$scale_imm,
                       Arg<Optional<Nki_MemRef>, "per-partition bias",
                           [MemRead]>:$bias,
                       Arg<Nki_MemRef, "destination", [MemWrite]>:$dst,
                       OptionalAttr<Nki_EngineAttr>:$engine);
  let assemblyFormat = [{
    $func `(` $data `:` type($data) `)` ``
    custom<ActivationArgs>($scale, type($scale), $scale_imm, $bias, type($bias))
    `into` $dst `:` type($dst) (`on` $engine^)? attr-dict
  }];
}

def Nki_TensorScalarOp : Nki_EngineOp<"tensor_scalar", "vector",
                                      ["vector", "scalar", "gpsimd"],
                                      [AttrSizedOperandSegments]> {
  let summary = "dst = (data op0 operand0) op1 operand1";
  let description = [{
    Two pipelined ALU operations with per-partition scalars: each operand is
    an fp32 immediate or a `[P, 1]` fp32 view broadcast along the free
    dimension. The second operation is optional. `reversed` swaps the operands
    of an operation (`operand op data`). Runs on VectorE (default), ScalarE or
    GpSimdE; one operation costs as much as two.

    ```mlir
    nki.tensor_scalar(%x : memref<128x512xf32, #nki.mem<sbuf>>)
        multiply(%s : memref<128x1xf32, #nki.mem<sbuf>>), add(1.0)
        into %y : memref<128x512xf32, #nki.mem<sbuf>>
    ```
  }];
  let arguments = (ins Arg<Nki_MemRef, "input", [MemRead]>:$data,
                       Nki_AluOpAttr:$op0,
                       Arg<Optional<Nki_MemRef>, "first scalar operand",
                           [MemRead]>:$operand0,
                       OptionalAttr<F32Attr>:$imm0,
                       UnitAttr:$reverse0,
                       OptionalAttr<Nki_AluOpAttr>:$op1,
                       Arg<Optional<Nki_MemRef>, "second scalar operand",
                           [MemRead]>:$operand1,
                       OptionalAttr<F32Attr>:$imm1,
                       UnitAttr:$reverse1,
                       Arg<Nki_MemRef, "destination", [MemWrite]>:$dst,
                       OptionalAttr<Nki_EngineAttr>:$engine);
  let assemblyFormat = [{
    `(` $data `:` type($data) `)`
    custom<TensorScalarArgs>($op0, $operand0, type($operand0), $imm0,
                             $reverse0, $op1, $operand1, type($operand1),
                             $imm1, $reverse1)
    `into` $dst `:` type($dst) (`on` $engine^)? attr-dict
  }];
}

def Nki_TensorTensorOp : Nki_EngineOp<"tensor_tensor", "vector",
                                      ["vector", "gpsimd"]> {
  let summary = "dst = lhs op rhs, element-wise";
  let description = [{
    Element-wise ALU operation on two tiles of the same shape. At most one
    input may be in PSUM. VectorE (default) or GpSimdE (which cannot access
    PSUM). On VectorE an fp32 instruction with both inputs in SBUF costs 2N
    cycles, N when one input is in PSUM.

    ```mlir
    nki.tensor_tensor multiply(%a : memref<128x512xf32, #nki.mem<sbuf>>,
                               %b : memref<128x512xf32, #nki.mem<psum>>)
        into %c : memref<128x512xf32, #nki.mem<sbuf>>
    ```
  }];
  let arguments = (ins Nki_AluOpAttr:$op,
                       Arg<Nki_MemRef, "first input", [MemRead]>:$lhs,
                       Arg<Nki_MemRef, "second input", [MemRead]>:$rhs,
                       Arg<Nki_MemRef, "destination", [MemWrite]>:$dst,
                       OptionalAttr<Nki_EngineAttr>:$engine);
  let assemblyFormat = [{
    $op `(` $lhs `:` type($lhs) `,` $rhs `:` type($rhs) `)`
    `into` $dst `:` type($dst) (`on` $engine^)? attr-dict
  }];
}

def Nki_TensorTensorScanOp : Nki_EngineOp<"tensor_tensor_scan", "vector",
                                          ["vector"]> {
  let summary = "scan along the free dimension: dst[j] = op1(op0(data0[j], dst[j-1]), data1[j])";
  let description = [{
    For each partition, walks the (single) free dimension in order:
    `dst[p, j] = (data0[p, j] op0 prev) op1 data1[p, j]` with
    `prev = dst[p, j-1]` and, for `j = 0`, `prev = initial`. `initial` is an
    fp32 immediate or a `[P, 1]` fp32 view (the carried state of a previous
    tile). With `multiply, add` this is the linear recurrence
    `x[t] = a[t] * x[t-1] + b[t]` of a selective scan. VectorE only.

    ```mlir
    nki.tensor_tensor_scan multiply, add(%dA : memref<128x512xf32, #nki.mem<sbuf>>,
                                         %dBu : memref<128x512xf32, #nki.mem<sbuf>>)
        initial(0.0) into %x : memref<128x512xf32, #nki.mem<sbuf>>
    ```
  }];
  let arguments = (ins Nki_AluOpAttr:$op0,
                       Nki_AluOpAttr:$op1,
                       Arg<Nki_MemRef, "first input", [MemRead]>:$data0,
                       Arg<Nki_MemRef, "second input", [MemRead]>:$data1,
                       Arg<Optional<Nki_MemRef>, "initial state",
                           [MemRead]>:$initial,
                       OptionalAttr<F32Attr>:$initial_imm,
                       Arg<Nki_MemRef, "destination", [MemWrite]>:$dst,
                       OptionalAttr<Nki_EngineAttr>:$engine);
  let assemblyFormat = [{
    $op0 `,` $op1 `(` $data0 `:` type($data0) `,` $data1 `:` type($data1) `)`
    `initial` `(` custom<ScalarArg>($initial, type($initial), $initial_imm) `)`
    `into` $dst `:` type($dst) (`on` $engine^)? attr-dict
  }];
}

def Nki_TensorCopyOp : Nki_EngineOp<"tensor_copy", "vector",
                                    ["vector", "scalar", "gpsimd"]> {
  let summary = "copy a tile (with element type conversion)";
  let description = [{
    `dst = src`, converting between fp32 and bf16 if the element types differ.
    VectorE (default), ScalarE or GpSimdE (which cannot access PSUM). The
    usual way to move a PSUM result into SBUF.

    ```mlir
    nki.tensor_copy %p : memref<128x512xf32, #nki.mem<psum>>
        into %s : memref<128x512xf32, #nki.mem<sbuf>>
    ```
  }];
  let arguments = (ins Arg<Nki_MemRef, "source", [MemRead]>:$src,
                       Arg<Nki_MemRef, "destination", [MemWrite]>:$dst,
                       OptionalAttr<Nki_EngineAttr>:$engine);
  let assemblyFormat = [{
    $src `:` type($src) `into` $dst `:` type($dst) (`on` $engine^)? attr-dict
  }];
}

def Nki_PartitionBroadcastOp : Nki_EngineOp<"partition_broadcast", "tensor",
                                            ["tensor"]> {
  let summary = "broadcast a one-partition row across partitions (TensorE)";
  let description = [{
    `dst[p, j] = src[0, j]` for every partition `p` of `dst`. `src` is a
    one-partition SBUF view `[1, F]`; `dst` is `[P, F]`. The backend lowers it
    to TensorE matmuls of a ones vector against `src` into PSUM, one per 2 KiB
    PSUM bank; a PSUM destination must therefore fit one bank (512 fp32 per
    partition) and be fp32 (matmul accumulates in fp32). An SBUF destination
    of any length is allowed: the backend stages it through PSUM banks.

    ```mlir
    nki.partition_broadcast %b : memref<1x512xf32, #nki.mem<sbuf>>
        into %bb : memref<128x512xf32, #nki.mem<psum>>
    ```
  }];
  let arguments = (ins Arg<Nki_MemRef, "one-partition source", [MemRead]>:$src,
                       Arg<Nki_MemRef, "destination", [MemWrite]>:$dst,
                       OptionalAttr<Nki_EngineAttr>:$engine);
  let assemblyFormat = [{
    $src `:` type($src) `into` $dst `:` type($dst) (`on` $engine^)? attr-dict
  }];
}

def Nki_MatmulOp : Nki_EngineOp<"matmul", "tensor", ["tensor"]> {
  let summary = "TensorE matmul into PSUM: dst (+)= stationary^T @ moving";
  let description = [{
    `dst[m, n] = sum_k stationary[k, m] * moving[k, n]`, NKI's
    `nki.isa.nc_matmul`: the contraction runs over the partitions `k` of
    both SBUF operands, `stationary` is `[K, M]`, `moving` is `[K, N]` and the
    result `[M, N]` is written to PSUM in fp32. With `accumulate`, the result
    is added to what `dst` holds (`dst += ...`), as consecutive matmuls
    accumulate a contraction longer than 128 into one PSUM tile. Each sum
    runs over `k` in order from 0 in fp32 (the accumulated value is added
    last). TensorE only.

    Rules (docs/hardware.md §4): `stationary` and `moving` in SBUF, rank 2,
    the same number of partitions K <= 128 and the same element type (f32
    or bf16); `stationary`'s free size M <= 128 (the systolic array's
    columns), `moving`'s N <= 512; `dst` in PSUM, f32, shape `[M, N]`, one
    2 KiB bank.

    ```mlir
    nki.matmul(%w : memref<64x32xf32, #nki.mem<sbuf>>,
               %x : memref<64x512xf32, #nki.mem<sbuf>>)
        into %acc : memref<32x512xf32, #nki.mem<psum>> accumulate
    ```
  }];
  let arguments = (ins Arg<Nki_MemRef, "stationary [K, M]", [MemRead]>:$stationary,
                       Arg<Nki_MemRef, "moving [K, N]", [MemRead]>:$moving,
                       Arg<Nki_MemRef, "PSUM destination [M, N]",
                           [MemRead, MemWrite]>:$dst,
                       UnitAttr:$accumulate,
                       OptionalAttr<Nki_EngineAttr>:$engine);
  let assemblyFormat = [{
    `(` $stationary `:` type($stationary) `,` $moving `:` type($moving) `)`
    `into` $dst `:` type($dst) (`accumulate` $accumulate^)?
    (`on` $engine^)? attr-dict
  }];
}

#endif // MAMBA_NKI_DIALECT_NKI_IR_NKIOPS_TD
