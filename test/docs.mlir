// The dialect reference in docs/generated/ is what ODS generates from the
// current .td files (regenerate with scripts/update-docs.sh).
// RUN: diff %mamba_obj_root/docs/Dialects/NkiOps.md %mamba_src_root/docs/generated/NkiOps.md
// RUN: diff %mamba_obj_root/docs/Dialects/MambaOps.md %mamba_src_root/docs/generated/MambaOps.md
// RUN: diff %mamba_obj_root/docs/TransformOps/NkiTransformOps.md %mamba_src_root/docs/generated/NkiTransformOps.md
// The IR listings in docs/ir/ are what the current build prints.
// RUN: mamba-opt --convert-mamba-to-nki %mamba_src_root/examples/mamba_b1_l512_c256_n16.mlir | diff - %mamba_src_root/docs/ir/toy_v1.mlir
// RUN: mamba-opt --convert-mamba-to-nki --nki-reorder-loops %mamba_src_root/examples/mamba_b1_l512_c256_n16.mlir | diff - %mamba_src_root/docs/ir/toy_reordered.mlir
// RUN: mamba-opt --convert-mamba-to-nki --nki-reorder-loops --nki-hoist-loads %mamba_src_root/examples/mamba_b1_l512_c256_n16.mlir | diff - %mamba_src_root/docs/ir/toy_hoisted.mlir
// RUN: mamba-opt --mamba-v2 %mamba_src_root/examples/mamba_b1_l512_c256_n16.mlir | diff - %mamba_src_root/docs/ir/toy_v2.mlir
// RUN: mamba-opt --pass-pipeline="builtin.module(mamba-v3{tile-size=256})" %mamba_src_root/examples/mamba_b1_l512_c256_n16.mlir | diff - %mamba_src_root/docs/ir/toy_v3_t256.mlir
// RUN: %python %mamba_src_root/scripts/embed-ir.py --check %mamba_src_root/docs/lowering.md %mamba_src_root/docs/passes.md
// RUN: diff %mamba_obj_root/docs/Passes/MambaConversionPasses.md %mamba_src_root/docs/generated/MambaConversionPasses.md
// RUN: diff %mamba_obj_root/docs/Passes/NkiTransformsPasses.md %mamba_src_root/docs/generated/NkiTransformsPasses.md
