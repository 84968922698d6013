// The dialect reference in docs/generated/ is what ODS generates from the
// current .td files (regenerate with scripts/update-docs.sh).
// RUN: diff %mamba_obj_root/docs/Dialects/NkiOps.md %mamba_src_root/docs/generated/NkiOps.md
// RUN: diff %mamba_obj_root/docs/Dialects/MambaOps.md %mamba_src_root/docs/generated/MambaOps.md
